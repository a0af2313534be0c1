/**
 * Reading a credential's status from the status lists its issuer publishes, without asking
 * Anxin: where the credential points (an IETF Token Status List `status.status_list` for a
 * dc+sd-jwt, W3C `BitstringStatusListEntry`s for a vc+jwt), the signed list at that URL
 * (fetched by the caller: `VerifyDeps.statusList`), judged here — signed by a registered key
 * of the credential's own issuer, the right `typ`, the right subject, not past its `exp` —
 * and the entry's bits read as each specification says. Runtime-agnostic: decompression by
 * the web-standard DecompressionStream, signatures by the injected check.
 *
 * Token Status List: draft-ietf-oauth-status-list §4.1 (bits 1, 2, 4 or 8, entry 0 in the
 * least significant bits of byte 0, ZLIB), §5.1 (`sub` equals the referencing `uri`), §7.1
 * (0 VALID, 1 INVALID, 2 SUSPENDED). Bitstring Status List v1.0 §2.1–2.2 (GZIP, multibase
 * base64url, index 0 the left-most bit, one list per `statusPurpose`).
 */
import { SIGNING_ALGS, ledgerIssuerId, ledgerKid, type IssuerRecord } from '@anxin/schemas';
import { fromBase64url } from './bytes';
import type { SignatureCheck } from './deps';
import { VC_JWT_TYP } from './formats';
import type { Parsed } from './parse';

export const TOKEN_STATUS_LIST_TYP = 'statuslist+jwt';

/** What a credential's status entries say of it, once read. */
export type ListedStatus = 'active' | 'revoked' | 'suspended';

/** Where a credential points for its status: one URL and index per list. */
export type StatusPointer =
  | { kind: 'token'; uri: string; idx: number }
  | { kind: 'bitstring'; uri: string; idx: number; purpose: 'revocation' | 'suspension' };

/** Why a list could not be used; `expired` lists are read all the same, to say what they said. */
export type ListProblem = 'unavailable' | 'invalid' | 'expired';

/** One list as read: its instants (RFC 3339), and the entry's status there. */
export interface ListReading {
  uri: string;
  asOf: string;
  exp?: string;
  status: ListedStatus;
}

export type ListOutcome =
  { ok: true; reading: ListReading } | { ok: false; problem: ListProblem; detail: string; reading?: ListReading };

const MAX_INDEX = 2 ** 31;

function wholeIndex(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < MAX_INDEX ? n : undefined;
}

/**
 * Where the credential points for its status, or undefined when it points nowhere a list
 * can answer (credentials issued before the lists). A pointer that is there but malformed
 * is an empty array: nothing can be read from it.
 */
export function statusPointers(parsed: Parsed): StatusPointer[] | undefined {
  if (parsed.format === 'dc+sd-jwt') {
    const sl = (parsed.payload.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
    if (!sl) return undefined;
    const idx = wholeIndex(sl.idx);
    return idx !== undefined && typeof sl.uri === 'string' ? [{ kind: 'token', uri: sl.uri, idx }] : [];
  }
  const cs = parsed.payload.credentialStatus;
  const entries = (Array.isArray(cs) ? cs : cs ? [cs] : []) as Array<Record<string, unknown>>;
  const listed = entries.filter((e) => e && e.type === 'BitstringStatusListEntry');
  if (!listed.length) return undefined;
  const out: StatusPointer[] = [];
  for (const e of listed) {
    const idx = wholeIndex(e.statusListIndex);
    const purpose = e.statusPurpose;
    if (idx === undefined || typeof e.statusListCredential !== 'string') return [];
    // Other purposes (message, refresh) say nothing of revocation or suspension.
    if (purpose === 'revocation' || purpose === 'suspension')
      out.push({ kind: 'bitstring', uri: e.statusListCredential, idx, purpose });
  }
  return out;
}

function jsonPart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(part))) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function decompress(bytes: Uint8Array, format: 'deflate' | 'gzip'): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const iso = (s: number) => new Date(s * 1000).toISOString();

/** What a list's signed payload says the entry is, or why it cannot be read. */
type Read = { status: ListedStatus; asOf: string; exp?: string } | { invalid: string };

async function readToken(
  p: Record<string, unknown>,
  header: Record<string, unknown>,
  ptr: StatusPointer,
): Promise<Read> {
  if (header.typ !== TOKEN_STATUS_LIST_TYP) return { invalid: `typ is not ${TOKEN_STATUS_LIST_TYP}` };
  if (p.sub !== ptr.uri) return { invalid: `its sub is not ${ptr.uri}` };
  if (typeof p.iat !== 'number') return { invalid: 'it has no iat' };
  if (p.exp !== undefined && typeof p.exp !== 'number') return { invalid: 'its exp is not a number' };
  const sl = p.status_list as { bits?: unknown; lst?: unknown } | undefined;
  if (!sl || ![1, 2, 4, 8].includes(sl.bits as number) || typeof sl.lst !== 'string')
    return { invalid: 'its status_list has no bits (1, 2, 4 or 8) or no lst' };
  const bits = sl.bits as number;
  let bytes: Uint8Array;
  try {
    bytes = await decompress(fromBase64url(sl.lst), 'deflate');
  } catch {
    return { invalid: 'its lst does not decompress (ZLIB)' };
  }
  const bit = ptr.idx * bits;
  if (bit >> 3 >= bytes.length) return { invalid: `index ${ptr.idx} is past the list's end` };
  const v = (bytes[bit >> 3]! >> (bit & 7)) & ((1 << bits) - 1);
  // 3 and above are application-specific: not VALID, so not active.
  const status: ListedStatus = v === 0 ? 'active' : v === 2 ? 'suspended' : 'revoked';
  return { status, asOf: iso(p.iat), ...(typeof p.exp === 'number' ? { exp: iso(p.exp) } : {}) };
}

async function readBitstring(
  p: Record<string, unknown>,
  header: Record<string, unknown>,
  ptr: Extract<StatusPointer, { kind: 'bitstring' }>,
): Promise<Read> {
  if (header.typ !== VC_JWT_TYP) return { invalid: `typ is not ${VC_JWT_TYP}` };
  const types = Array.isArray(p.type) ? p.type : [];
  if (!types.includes('BitstringStatusListCredential')) return { invalid: 'it is not a BitstringStatusListCredential' };
  if (p.id !== undefined && p.id !== ptr.uri) return { invalid: `its id is not ${ptr.uri}` };
  const s = p.credentialSubject as { statusPurpose?: unknown; encodedList?: unknown; statusSize?: unknown } | undefined;
  if (!s || s.statusPurpose !== ptr.purpose) return { invalid: `its statusPurpose is not ${ptr.purpose}` };
  if (s.statusSize !== undefined && s.statusSize !== 1) return { invalid: 'its statusSize is not 1' };
  if (typeof s.encodedList !== 'string' || !s.encodedList.startsWith('u'))
    return { invalid: 'its encodedList is not multibase base64url' };
  const from = typeof p.validFrom === 'string' ? Date.parse(p.validFrom) : NaN;
  if (!Number.isFinite(from)) return { invalid: 'it has no validFrom' };
  const until = typeof p.validUntil === 'string' ? Date.parse(p.validUntil) : undefined;
  if (until !== undefined && !Number.isFinite(until)) return { invalid: 'its validUntil is not a date' };
  let bytes: Uint8Array;
  try {
    bytes = await decompress(fromBase64url(s.encodedList.slice(1)), 'gzip');
  } catch {
    return { invalid: 'its encodedList does not decompress (GZIP)' };
  }
  if (ptr.idx >> 3 >= bytes.length) return { invalid: `index ${ptr.idx} is past the list's end` };
  const set = (bytes[ptr.idx >> 3]! & (0x80 >> (ptr.idx & 7))) !== 0;
  const status: ListedStatus = !set ? 'active' : ptr.purpose === 'revocation' ? 'revoked' : 'suspended';
  return {
    status,
    asOf: new Date(from).toISOString(),
    ...(until !== undefined ? { exp: new Date(until).toISOString() } : {}),
  };
}

/**
 * Read the entry `ptr` points at in the signed list `jwt`: signed by a registered key of the
 * credential's issuer (`issuer`), valid when the list was signed, with an allowed algorithm;
 * then its `typ`, subject and bits. A list past its `exp` (`validUntil`) at `now` is read all
 * the same but comes back `expired`.
 *
 * @example
 * const out = await readStatusList(jwt, ptr, issuer, webCryptoSignature, new Date());
 * if (out.ok) console.log(out.reading.status, 'as of', out.reading.asOf);
 */
export async function readStatusList(
  jwt: string,
  ptr: StatusPointer,
  issuer: IssuerRecord,
  verifySignature: SignatureCheck,
  now: Date,
): Promise<ListOutcome> {
  const parts = jwt.trim().split('.');
  const header = parts.length === 3 ? jsonPart(parts[0]) : undefined;
  const payload = header ? jsonPart(parts[1]) : undefined;
  if (!header || !payload) return { ok: false, problem: 'invalid', detail: `the list at ${ptr.uri} is not a JWS` };
  const alg = header.alg as string;
  const kid = typeof header.kid === 'string' ? ledgerKid(header.kid) : '';
  const hash = kid.lastIndexOf('#');
  const key =
    hash > 0 && kid.slice(0, hash) === issuer.id ? issuer.keys.find((k) => k.keyId === kid.slice(hash + 1)) : undefined;
  const iss = typeof payload.iss === 'string' ? payload.iss : (payload.issuer as unknown);
  const bad = (why: string): ListOutcome => ({
    ok: false,
    problem: 'invalid',
    detail: `the list at ${ptr.uri}: ${why}`,
  });
  if (typeof iss !== 'string' || ledgerIssuerId(iss) !== issuer.id) return bad(`it is not issued by ${issuer.id}`);
  if (!(SIGNING_ALGS as readonly string[]).includes(alg) || !key || key.alg !== alg)
    return bad(`it is not signed with a key of ${issuer.id}`);
  if (!(await verifySignature(parts.join('.'), key.alg, key))) return bad(`its signature does not verify with ${kid}`);
  const read = ptr.kind === 'token' ? await readToken(payload, header, ptr) : await readBitstring(payload, header, ptr);
  if ('invalid' in read) return bad(read.invalid);
  // The key must have been good when it signed the list: a key compromised since then signs nothing.
  // A list's time is in whole seconds; the key's start, to the millisecond.
  const signedAt = Date.parse(read.asOf);
  if (
    signedAt < Math.floor(Date.parse(key.notBefore) / 1000) * 1000 ||
    (key.revokedAt && signedAt >= Date.parse(key.revokedAt)) ||
    (key.retiredAt && signedAt >= Date.parse(key.retiredAt))
  )
    return bad(`key ${kid} was not valid when the list was signed (${read.asOf})`);
  const reading: ListReading = { uri: ptr.uri, ...read };
  if (read.exp && now.getTime() >= Date.parse(read.exp))
    return { ok: false, problem: 'expired', detail: `the list at ${ptr.uri} expired at ${read.exp}`, reading };
  return { ok: true, reading };
}
