/**
 * Verifying in the browser, without an API key: the verification core's bundle
 * (/verify/verify-core.js, loaded when first needed) judges the credential against the
 * gateway's trust list (issuers and keys) and the issuer-signed status lists the credential
 * points at. Each is fetched (again once its minute is up) and kept in Cache Storage; without a network the kept
 * copy answers, and the report says how old it is: "status as of" the list's time, and a
 * list or trust list past its `exp` never answers green.
 */
import type { IssuerRecord } from '@anxin/schemas';
import type { VerificationReport } from '../verify';

type Core = typeof import('../verify');

const CACHE = 'anxin-verifier-v1';
const CORE_URL = '/verify/verify-core.js';
const TRUST_LIST_URL = '/v1/trust-list';

let core: Promise<Core> | undefined;

function loadCore(): Promise<Core> {
  // The URL in a variable: the core is its own bundle, loaded on first use, not copied into the page's.
  const url = CORE_URL;
  core ??= import(url) as Promise<Core>;
  return core;
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return await caches.open(CACHE);
  } catch {
    return undefined; // no Cache Storage (not a secure context): online only
  }
}

/**
 * How long a body fetched is used again without asking: the lists' own `ttl` (60 s, their
 * Cache-Control max-age), so a scan after a scan costs no round trip and a change still shows
 * within a minute, as the issuer publishes it.
 */
const REUSE_MS = 60_000;
const recent = new Map<string, { body: string; at: number }>();

/** The body at `url`: fetched afresh (at most once a minute) and kept; without a network, the kept copy. */
async function kept(url: string): Promise<string | undefined> {
  const mine = recent.get(url);
  if (mine && Date.now() - mine.at < REUSE_MS && Date.now() >= mine.at) return mine.body;
  const cache = await openCache();
  try {
    const res = await fetch(url, { cache: 'no-cache', credentials: 'omit' });
    if (res.ok) {
      const body = await res.text();
      recent.set(url, { body, at: Date.now() });
      await cache?.put(url, new Response(body, { headers: { 'Content-Type': 'text/plain' } }));
      return body;
    }
  } catch {
    /* offline: the kept copy below */
  }
  const old = await cache?.match(url);
  return old ? old.text() : undefined;
}

function payloadOf(jws: string): Record<string, unknown> {
  const b64 = (jws.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/**
 * Verify `text` (a credential or a QR text) in this browser. Undefined when there is no trust
 * list to verify against (never fetched, and no network now).
 *
 * @example
 * const report = await verifyInBrowser(scanned); // report.statusList.asOf: how fresh the status is
 */
export async function verifyInBrowser(text: string): Promise<VerificationReport | undefined> {
  const [c, body] = await Promise.all([loadCore(), kept(TRUST_LIST_URL)]);
  if (!body) return undefined;
  // Same origin as this page, which the browser already trusts to serve the page itself.
  const { trustList } = JSON.parse(body) as { trustList: string };
  const list = payloadOf(trustList) as { exp?: number; issuers: IssuerRecord[] };
  const issuers = new Map(list.issuers.map((i) => [i.id, i] as const));
  const now = new Date();
  return c.verifyCredential(c.unwrapQr(text), {
    issuer: (id) => issuers.get(id),
    issuersByUscc: (uscc) => c.issuersWithUscc(issuers.values(), uscc),
    statusList: kept,
    now: () => now,
    ...(typeof list.exp === 'number' ? { registryValidUntil: new Date(list.exp * 1000) } : {}),
  });
}
