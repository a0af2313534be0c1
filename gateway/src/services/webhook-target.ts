/**
 * Where a webhook notice may go. Whoever holds a verify key chooses the URL, so the gateway
 * must not become their way into its own network: only public unicast addresses are
 * posted to (plain http only to this machine's loopback, named as such), judged by
 * ipaddr.js's classification of the special-purpose registries. An IPv6 address that
 * stands for an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`) is judged
 * by that IPv4 address; the other embeddings (IPv4-compatible `::a.b.c.d`, 6to4, Teredo,
 * local-use NAT64) are refused outright. A host name is resolved once per delivery, every
 * address it gives is judged, and the connection goes to a judged address — never to what a
 * second resolution (a rebinding DNS server) might answer.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Name resolution: every address a host name has. */
export type Resolve = (host: string) => Promise<string[]>;

/** The system's resolver (what a plain connection would use). */
export const systemResolve: Resolve = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Host names a webhook may reach over plain http; they must resolve to loopback addresses only. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const REFUSED = 'a private, link-local or reserved address';

/** The well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 address. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

type Reach = 'public' | 'loopback' | 'internal';

/** What an address is to a webhook. */
function reach(address: ipaddr.IPv4 | ipaddr.IPv6): Reach {
  if (address instanceof ipaddr.IPv6) {
    if (address.isIPv4MappedAddress()) return reach(address.toIPv4Address());
    if (address.match(NAT64)) return reach(ipaddr.fromByteArray(address.toByteArray().slice(12)));
    // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291) is "unicast" to ipaddr.js: no public host has one.
    if (address.parts.slice(0, 6).every((p) => p === 0) && address.range() === 'unicast') return 'internal';
  }
  const range = address.range();
  return range === 'unicast' ? 'public' : range === 'loopback' ? 'loopback' : 'internal';
}

/**
 * May a webhook whose URL names `hostname` be posted to `address`? A loopback host name
 * (localhost, 127.0.0.1, [::1]) only at a loopback address; any other only at a public one.
 */
export function addressAllowed(address: string, hostname: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return false;
  return reach(ipaddr.parse(bare)) === (LOOPBACK_HOSTS.has(hostname) ? 'loopback' : 'public');
}

/** An IP address written as the URL's host (WHATWG URL writes every IPv4 form as a.b.c.d, IPv6 in brackets). */
const isLiteral = (hostname: string) => hostname.startsWith('[') || isIPv4(hostname);

/**
 * Why a URL cannot be a webhook, judged without resolving names: https to a public host,
 * or plain http to this machine (localhost, 127.0.0.1, [::1]); no credentials or fragment.
 *
 * @example
 * webhookUrlProblem('https://[::ffff:10.0.0.1]/hook'); // 'must not name a private, link-local or reserved address'
 */
export function webhookUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment';
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'http:' && loopback) return undefined;
  if (url.protocol !== 'https:') return 'must be https (plain http only to this machine: localhost, 127.0.0.1, [::1])';
  if (isLiteral(url.hostname) && !addressAllowed(url.hostname, url.hostname)) return `must not name ${REFUSED}`;
  return undefined;
}

/** A webhook's destination for one delivery: the URL and the judged addresses to connect to. */
export interface Target {
  url: URL;
  addresses: LookupAddress[];
}

/**
 * Resolve and judge a webhook URL for one delivery: the addresses to connect to, or why
 * none may be. A name is resolved once, and every address it gives must pass, not just
 * the first.
 */
export async function resolveTarget(raw: string, resolve: Resolve): Promise<Target | { problem: string }> {
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isLiteral(url.hostname)) {
    if (!addressAllowed(host, url.hostname)) return { problem: `${host} is ${REFUSED}` };
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      return { problem: `cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    if (!addresses.length) return { problem: `cannot resolve ${host}: no address` };
    const bad = addresses.find((a) => !addressAllowed(a, url.hostname));
    if (bad) return { problem: `${host} resolves to ${bad}, ${REFUSED}` };
  }
  return { url, addresses: addresses.map((a) => ({ address: a, family: isIPv4(a) ? 4 : 6 })) };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that answers with the judged addresses only, so the
 * socket connects where the check looked while the Host header and the TLS server name
 * stay the URL's own.
 *
 * @example
 * https.request(target.url, { lookup: pinnedLookup(target.addresses) });
 */
export function pinnedLookup(addresses: LookupAddress[]) {
  return (_host: string, options: LookupOptions, callback: LookupCallback): void => {
    const fitting = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
    if (!fitting.length) {
      callback(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), []);
    } else if (options.all) callback(null, fitting);
    else callback(null, fitting[0]!.address, fitting[0]!.family);
  };
}
