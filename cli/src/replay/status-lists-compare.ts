/**
 * The published status lists against the rebuilt ledger: for every list the anchors name,
 * the gateway's Token Status List and Bitstring Status List credentials (revocation,
 * suspension) are fetched, their signatures checked against the keys the ledger holds for
 * the list's issuer, and every entry's status compared with its anchor's — and every index
 * no anchor holds must read valid. Read with the specifications' own algorithms (ZLIB,
 * GZIP, bit order), sharing nothing with the code that wrote them.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { STATUS_LIST_SIZE, ledgerKid, type AnchorStatus } from '@anxin/schemas';
import type { Finding } from './findings';
import type { LedgerRecords } from './records';

/** Fetches a published document's text (the gateway's public URL + path); undefined when absent (404). */
export type ListFetcher = (path: string) => Promise<string | undefined>;

/** A fetcher over HTTP from a gateway's public base URL. */
export function httpLists(baseUrl: string): ListFetcher {
  const base = baseUrl.replace(/\/+$/, '');
  return async (path) => {
    const res = await fetch(`${base}${path}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET ${base}${path}: HTTP ${res.status}`);
    return res.text();
  };
}

type Expected = Map<number, AnchorStatus>;
const TOKEN = { active: 0, revoked: 1, suspended: 2 } as const;

/** The token list's 2-bit statuses (draft-ietf-oauth-status-list §4.1: LSB first). */
function tokenStatuses(lst: string, bits: number): (idx: number) => number {
  const bytes = inflateSync(Buffer.from(lst, 'base64url'));
  if (bytes.length * 8 < STATUS_LIST_SIZE * bits) throw new Error(`holds ${(bytes.length * 8) / bits} entries`);
  return (idx) => (bytes[(idx * bits) >> 3]! >> ((idx * bits) & 7)) & ((1 << bits) - 1);
}

/** The bitstring's bits (W3C Bitstring Status List §3: index 0 is the left-most bit). */
function bitstringBits(encodedList: string): (idx: number) => number {
  if (!encodedList.startsWith('u')) throw new Error('encodedList is not multibase base64url');
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  if (bytes.length * 8 < STATUS_LIST_SIZE) throw new Error(`holds ${bytes.length * 8} entries`);
  return (idx) => (bytes[idx >> 3]! >> (7 - (idx & 7))) & 1;
}

/**
 * Check every published list the ledger's anchors name; findings go to `report`. Resolves
 * to how many lists were compared.
 *
 * @example
 * const n = await compareStatusLists(records, httpLists('https://anxin.example.cn'), log.report);
 */
export async function compareStatusLists(
  records: LedgerRecords,
  fetchList: ListFetcher,
  report: (f: Finding) => void,
): Promise<number> {
  const lists = new Map<string, { issuer: string; entries: Expected }>();
  for (const a of records.anchors) {
    if (!a.statusEntry) continue;
    const l = lists.get(a.statusEntry.list) ?? { issuer: a.issuer, entries: new Map() };
    l.entries.set(a.statusEntry.idx, a.status);
    lists.set(a.statusEntry.list, l);
  }
  const issuers = new Map(records.issuers.map((i) => [i.id, i]));
  for (const [list, { issuer, entries }] of lists) {
    const keys = issuers.get(issuer)?.keys ?? [];
    const where = (what: string) => `status list ${list} (${what}) of ${issuer}`;
    /** The payload of a published list, once its signature holds with a key of the list's issuer. */
    const verified = async (path: string, what: string): Promise<Record<string, unknown> | undefined> => {
      const jwt = await fetchList(path);
      if (jwt === undefined) {
        report({ kind: 'statusList', detail: `${where(what)}: not published` });
        return undefined;
      }
      try {
        // Lists name their key as credentials do (`<issuer url>#<key id>`); lists signed before, by the ledger's kid.
        const kid = decodeProtectedHeader(jwt).kid;
        const key = kid === undefined ? undefined : keys.find((k) => k.kid === ledgerKid(kid));
        if (!key) throw new Error(`signed with ${String(kid)}, not a key of the issuer on the ledger`);
        const { payload } = await compactVerify(jwt, await importJWK(key.publicJwk as JWK, key.alg));
        return JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
      } catch (e) {
        report({ kind: 'statusList', detail: `${where(what)}: ${(e as Error).message}` });
        return undefined;
      }
    };
    const compare = (what: string, read: (idx: number) => number, want: (s: AnchorStatus) => number) => {
      let wrong = 0;
      for (let idx = 0; idx < STATUS_LIST_SIZE; idx++) {
        const status = entries.get(idx);
        const expected = status === undefined ? 0 : want(status);
        const actual = read(idx);
        if (actual !== expected && wrong++ < 10) {
          report({
            kind: 'statusList',
            detail: `${where(what)}: entry ${idx} (${status ?? 'not given out'})`,
            expected: String(expected),
            actual: String(actual),
          });
        }
      }
    };
    const token = await verified(`/v1/status-lists/${list}`, 'token');
    if (token) {
      try {
        const sl = token.status_list as { bits: number; lst: string };
        compare('token', tokenStatuses(sl.lst, sl.bits), (s) => TOKEN[s]);
      } catch (e) {
        report({ kind: 'statusList', detail: `${where('token')}: ${(e as Error).message}` });
      }
    }
    for (const purpose of ['revocation', 'suspension'] as const) {
      const vc = await verified(`/v1/status-lists/${list}/${purpose}`, purpose);
      if (!vc) continue;
      try {
        const subject = vc.credentialSubject as { encodedList: string; statusPurpose: string };
        if (subject.statusPurpose !== purpose) throw new Error(`statusPurpose is ${subject.statusPurpose}`);
        const set: AnchorStatus = purpose === 'revocation' ? 'revoked' : 'suspended';
        compare(purpose, bitstringBits(subject.encodedList), (s) => (s === set ? 1 : 0));
      } catch (e) {
        report({ kind: 'statusList', detail: `${where(purpose)}: ${(e as Error).message}` });
      }
    }
  }
  return lists.size;
}
