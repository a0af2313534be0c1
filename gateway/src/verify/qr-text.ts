/**
 * The compact QR text of an SD-JWT presentation: `AX1:` and the presentation's parts as
 * bytes, deflated, in Base45 (RFC 9285) — every character of which a QR code stores in
 * alphanumeric mode at 5.5 bits, where the compact SD-JWT costs 8 bits a character in byte
 * mode and a third more for its base64url. Exactly reversible: decoding gives back the very
 * characters the issuer and the holder signed, so signatures verify as if the compact text
 * had been scanned.
 *
 * The bytes, before deflating (raw DEFLATE, RFC 1951, with the fixed dictionary below):
 *   count of disclosures, 1 if a key-binding JWT follows, then each part as a length and its
 *   bytes: issuer header, issuer payload, issuer signature, the disclosures, and the
 *   key-binding header, payload and signature. Lengths and counts are unsigned LEB128.
 * Inside the JOSE headers and payloads, strings a decoder can restore are left out or kept
 * as bytes, behind a marker byte that never occurs in JSON text (control characters are
 * always escaped there), so the substitution cannot be mistaken (see `squeeze`): the digest
 * of a disclosure shown (recomputed from it), the key-binding JWT's `sd_hash` (recomputed),
 * a P-256 key's y (recomputed from x and a parity bit), and 32-byte base64url or `sha256-`
 * strings as their 32 bytes.
 *
 * In a link (`<verifier page>#AX1.<…>`), where Base45's space and `%` do not survive, the
 * same deflated bytes are base64url.
 *
 * Runs in browsers and Node alike: fflate and @digitalbazaar/base45, no Node built-in.
 */
import { deflateSync, inflateSync } from 'fflate';
import { decode as base45Decode, encode as base45Encode } from '@digitalbazaar/base45';
import { fromBase64url, portableSha256, toBase64url, utf8Bytes } from './bytes';

/** The prefix of a compact QR text; a new dictionary or layout takes a new prefix. */
export const COMPACT_QR_PREFIX = 'AX1:';
/** The prefix of the same bytes, base64url, in a link's fragment. */
export const COMPACT_LINK_PREFIX = 'AX1.';

/** The largest presentation a compact text may expand to (as parseCredential accepts). */
const MAX_EXPANDED = 65536;
const DIGEST = 0x01;
const SD_HASH = 0x02;
const B64 = 0x03;
const INTEGRITY = 0x04;
const Y = 0x05;
const MARK_FIRST = DIGEST;
const MARK_LAST = Y;
const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * What the SD-JWT VCs a gateway issues repeat, so DEFLATE refers back to it instead of
 * spelling it out. Fixed for the prefix `AX1:`: a changed byte would garble every text made
 * with the old one. Most likely strings last (shorter distances).
 */
const DICTIONARY = utf8Bytes(
  [
    '"certifyingBody":{"name":"","uscc":"","recordNumber":"',
    '"occupation":{"code":"","name":"","level":',
    '"employer":{"name":"","platform":{"worker":{"platformRef":"',
    '"contractNumber":"","contractType":"daily_gig","jobTitle":"","occupationCode":"',
    '"workLocation":{"divisionCode":"","province":"","city":"","district":"","address":"',
    '"term":{"startDate":"","endDate":"","openEnded":false}',
    '"pay":{"amountFen":,"currency":"CNY","unit":"day","cycle":"daily"}',
    '"workingHours":{"system":"flexible","hoursPerDay":8}',
    '"insurance":{"social":false,"workInjury":true,"commercial":true}',
    '"document":{"digestSRI":"sha256-","mediaType":"application/pdf","pages":',
    '"signing":{"method":"face_verified_esignature","signedAt":"',
    '"laborContract":{"_sd":["',
    '"skillCertificate":{"_sd":["',
    '"https://anxin.dev/schemas/v1/labor-contract-credential.json"',
    '"https://anxin.dev/schemas/v1/skill-certificate-credential.json"',
    '","certificateNumber","',
    '","issuingAuthority",{"name":"","uscc":"',
    '","examDate","202',
    '","issueDate","202',
    '","expiryDate","202',
    '","idNumber","',
    '{"typ":"dc+sd-jwt","kid":"https://',
    '{"iss":"https://',
    '/issuers/',
    '"vct":"https://',
    '/vct/v1/SkillCertificate',
    '/vct/v1/LaborContract',
    '/vct/v1/HealthCertificate',
    '"vct#integrity":"sha256-',
    '"jti":"urn:uuid:',
    '"issuer_name":"',
    '"credential_schema":"https://anxin.dev/schemas/v1/health-certificate-credential.json"',
    '"status_uri":"https://',
    '/v1/credentials/urn:uuid:',
    '/status"',
    '"status":{"status_list":{"idx":',
    '"uri":"https://',
    '/v1/status-lists/',
    '"cnf":{"jwk":{"kty":"EC","crv":"P-256","x":"',
    '","y":"',
    '"]},"holder":{"_sd":["',
    '"healthCertificate":{"_sd":["',
    '"]},"_sd_alg":"sha-256"}',
    '","categories",["food_service"]]',
    '","validity",{"from":"202',
    '","until":"202',
    '","result","fit"]',
    '","name","',
    '#","alg":"ES256"}',
    '{"typ":"kb+jwt","alg":"ES256"}',
    '"iat":17',
    '"nbf":17',
    '"exp":18',
    '","aud":"anxin:work-card","nonce":"',
    '","sd_hash":"',
  ].join(''),
);

/** Why a text cannot be made compact, or a compact text cannot be read. */
export class CompactQrError extends Error {
  constructor(
    readonly code: 'not_compactable' | 'compact_undecodable',
    message: string,
  ) {
    super(message);
    this.name = 'CompactQrError';
  }
}

function leb128(n: number, out: number[]): void {
  do {
    const low = n & 0x7f;
    n = Math.floor(n / 128);
    out.push(n ? low | 0x80 : low);
  } while (n);
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  uint(): number {
    let n = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return n;
    }
    throw new CompactQrError('compact_undecodable', 'a length is too long');
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new CompactQrError('compact_undecodable', 'the text ends early');
    return this.bytes[this.at++]!;
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new CompactQrError('compact_undecodable', 'the text ends early');
    return this.bytes.subarray(this.at, (this.at += n));
  }
  get done(): boolean {
    return this.at === this.bytes.length;
  }
}

const digestOf = (text: string) => toBase64url(portableSha256(text));
const latin = new TextDecoder('latin1');
const B64_43 = /^[A-Za-z0-9_-]{43}$/;
const SRI = /^sha256-[A-Za-z0-9+/]{43}=$/;

/** P-256's field prime and curve constant b (FIPS 186-5, SEC 2). */
const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function modPow(b: bigint, e: bigint): bigint {
  let r = 1n;
  for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const toBig = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
const fromBig = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * (31 - i))) & 0xffn));

/**
 * The y of the P-256 point with this x and y's parity (point decompression, SEC 1 §2.3.4;
 * p ≡ 3 mod 4, so the square root is one exponentiation). A few lines of BigInt instead of
 * a curve library in the verifier's bundle: a wrong y would only fail the encoder's own
 * round-trip check, never a signature.
 */
function pointY(x: string, odd: number): string {
  const X = toBig(fromBase64url(x));
  let y = modPow((X * X * X - 3n * X + B) % P, (P + 1n) / 4n);
  if (Number(y & 1n) !== odd) y = P - y;
  return toBase64url(fromBig(y));
}

/** What a JSON text may leave out because the decoder finds it again. */
interface Known {
  /** Digests of the disclosures, by index (issuer payload). */
  digests?: string[];
  /** The key-binding JWT's sd_hash (key-binding payload). */
  sdHash?: string;
}

/** The end (index of the closing quote) of the JSON string starting at `i`. */
function stringEnd(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  while (j < bytes.length && bytes[j] !== 0x22) j += bytes[j] === 0x5c ? 2 : 1;
  return j;
}

/**
 * A JSON text with the strings a decoder can restore replaced by a marker byte (never in JSON
 * text, where control characters are escaped) and what it needs:
 *   0x01 i   the digest of disclosure i          0x02     the sd_hash
 *   0x03 32 bytes   a base64url string of 32 bytes (a digest, a key coordinate)
 *   0x04 32 bytes   an `sha256-` integrity string  0x05 p   P-256 y from the last 0x03 (x) and parity p
 */
function squeeze(json: Uint8Array, known: Known): Uint8Array {
  if (json.some((b) => b >= MARK_FIRST && b <= MARK_LAST))
    throw new CompactQrError('not_compactable', 'a JOSE part holds control bytes');
  const out: number[] = [];
  let lastX: string | undefined;
  for (let i = 0; i < json.length; i++) {
    if (json[i] !== 0x22) {
      out.push(json[i]!);
      continue;
    }
    const end = stringEnd(json, i);
    const value = latin.decode(json.subarray(i + 1, end));
    const member = latin.decode(json.subarray(Math.max(0, i - 4), i));
    out.push(0x22);
    const d = known.digests?.indexOf(value) ?? -1;
    if (d >= 0 && d < 256) out.push(DIGEST, d);
    else if (known.sdHash !== undefined && value === known.sdHash) out.push(SD_HASH);
    else if (B64_43.test(value) && member === '"y":' && lastX && pointY(lastX, 0) === value) out.push(Y, 0);
    else if (B64_43.test(value) && member === '"y":' && lastX && pointY(lastX, 1) === value) out.push(Y, 1);
    else if (B64_43.test(value) && toBase64url(fromBase64url(value)) === value) {
      out.push(B64, ...fromBase64url(value));
      lastX = value;
    } else if (SRI.test(value) && btoa(atob(value.slice(7))) === value.slice(7))
      out.push(INTEGRITY, ...Uint8Array.from(atob(value.slice(7)), (c) => c.charCodeAt(0)));
    else out.push(...json.subarray(i + 1, end));
    out.push(0x22);
    i = end;
  }
  return Uint8Array.from(out);
}

/** The JSON text `squeeze` made `bytes` of. */
function unsqueeze(bytes: Uint8Array, known: Known): Uint8Array {
  const out: number[] = [];
  let lastX: string | undefined;
  const take = (i: number, n: number) => {
    if (i + n > bytes.length) throw new CompactQrError('compact_undecodable', 'a marker ends early');
    return bytes.subarray(i, i + n);
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    let text: string | undefined;
    if (b === DIGEST) {
      text = known.digests?.[take(++i, 1)[0]!];
      if (text === undefined) throw new CompactQrError('compact_undecodable', 'a digest reference names no disclosure');
    } else if (b === SD_HASH) {
      text = known.sdHash;
      if (text === undefined) throw new CompactQrError('compact_undecodable', 'an sd_hash out of place');
    } else if (b === B64) {
      text = lastX = toBase64url(take(i + 1, 32));
      i += 32;
    } else if (b === INTEGRITY) {
      text = `sha256-${btoa(String.fromCharCode(...take(i + 1, 32)))}`;
      i += 32;
    } else if (b === Y) {
      const odd = take(++i, 1)[0]!;
      if (!lastX || odd > 1) throw new CompactQrError('compact_undecodable', 'a key coordinate out of place');
      text = pointY(lastX, odd);
    }
    if (text === undefined) out.push(b);
    else out.push(...utf8Bytes(text));
  }
  return Uint8Array.from(out);
}

/** The deflated bytes of an SD-JWT presentation (see the module's description). */
function pack(sdJwt: string): Uint8Array {
  const segments = sdJwt.split('~');
  if (segments.length < 2) throw new CompactQrError('not_compactable', 'not an SD-JWT');
  const jwt = (s: string) => {
    const parts = s.split('.');
    if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)))
      throw new CompactQrError('not_compactable', 'a JWT part is not base64url');
    return parts.map(fromBase64url) as [Uint8Array, Uint8Array, Uint8Array];
  };
  const last = segments[segments.length - 1]!;
  const disclosures = segments.slice(1, -1);
  if (!disclosures.every((d) => B64URL.test(d) && d !== ''))
    throw new CompactQrError('not_compactable', 'a disclosure is not base64url');
  const [h, p, s] = jwt(segments[0]!);
  const out: number[] = [];
  leb128(disclosures.length, out);
  out.push(last === '' ? 0 : 1);
  const put = (bytes: Uint8Array) => {
    leb128(bytes.length, out);
    for (const b of bytes) out.push(b);
  };
  put(squeeze(h, {}));
  put(squeeze(p, { digests: disclosures.map(digestOf) }));
  put(s);
  for (const d of disclosures) put(fromBase64url(d));
  if (last !== '') {
    const [kh, kp, ks] = jwt(last);
    put(squeeze(kh, {}));
    put(squeeze(kp, { sdHash: digestOf(sdJwt.slice(0, sdJwt.length - last.length)) }));
    put(ks);
  }
  return deflateSync(Uint8Array.from(out), { level: 9, dictionary: DICTIONARY });
}

/** The SD-JWT presentation the deflated bytes hold. */
function unpack(deflated: Uint8Array): string {
  let bytes: Uint8Array;
  try {
    // One byte more than allowed, to tell "exactly the limit" from "more" (fflate truncates to `out`).
    bytes = inflateSync(deflated, { dictionary: DICTIONARY, out: new Uint8Array(MAX_EXPANDED + 1) });
  } catch (e) {
    throw new CompactQrError('compact_undecodable', `does not inflate: ${(e as Error).message}`);
  }
  if (bytes.length > MAX_EXPANDED) throw new CompactQrError('compact_undecodable', 'expands beyond the limit');
  const r = new Reader(bytes);
  const count = r.uint();
  const kb = r.byte();
  if (kb > 1) throw new CompactQrError('compact_undecodable', 'unknown layout');
  const part = () => r.take(r.uint());
  const [h, p, s] = [part(), part(), part()];
  const disclosures: string[] = [];
  for (let i = 0; i < count; i++) disclosures.push(toBase64url(part()));
  const issuerJwt = [unsqueeze(h, {}), unsqueeze(p, { digests: disclosures.map(digestOf) }), s].map(toBase64url);
  const presented = `${issuerJwt.join('.')}~${disclosures.map((d) => `${d}~`).join('')}`;
  let out = presented;
  if (kb) {
    const [kh, kp, ks] = [part(), part(), part()];
    out += [unsqueeze(kh, {}), unsqueeze(kp, { sdHash: digestOf(presented) }), ks].map(toBase64url).join('.');
  }
  if (!r.done) throw new CompactQrError('compact_undecodable', 'bytes after the last part');
  if (out.length > MAX_EXPANDED) throw new CompactQrError('compact_undecodable', 'expands beyond the limit');
  return out;
}

/**
 * The compact QR text of an SD-JWT presentation (`AX1:` and Base45), or, with `link`, the
 * fragment of a link (`AX1.` and base64url). Refuses what it could not give back exactly.
 *
 * @example
 * const text = compactQrText(presentation); // 'AX1:6BFOXN*TS0BI$ZDFRH…'
 * expandQrText(text) === presentation; // true
 */
export function compactQrText(sdJwt: string, link = false): string {
  const deflated = pack(sdJwt);
  const text = link
    ? `${COMPACT_LINK_PREFIX}${toBase64url(deflated)}`
    : `${COMPACT_QR_PREFIX}${base45Encode(Uint8Array.from(deflated))}`;
  // base64url with stray trailing bits, say, would not come back character for character.
  if (expandQrText(text) !== sdJwt) throw new CompactQrError('not_compactable', 'does not come back exactly');
  return text;
}

/** Whether a text (a QR code's, a link's fragment) is a compact presentation. */
export function isCompactQrText(text: string): boolean {
  const head = text.slice(0, 4).toUpperCase();
  return head === COMPACT_QR_PREFIX || head === COMPACT_LINK_PREFIX;
}

/**
 * The SD-JWT presentation a compact text holds; throws CompactQrError when it holds none.
 *
 * @example expandQrText('AX1:…'); // 'eyJ0eXAiOiJkYytzZC1qd3Qi…~WyJ…~eyJ…'
 */
export function expandQrText(text: string): string {
  if (text.length > MAX_EXPANDED) throw new CompactQrError('compact_undecodable', 'too long');
  const head = text.slice(0, 4).toUpperCase();
  const body = text.slice(4);
  let deflated: Uint8Array;
  if (head === COMPACT_QR_PREFIX) {
    try {
      deflated = base45Decode(body);
    } catch (e) {
      throw new CompactQrError('compact_undecodable', `not Base45: ${(e as Error).message}`);
    }
  } else if (head === COMPACT_LINK_PREFIX && B64URL.test(body)) {
    deflated = fromBase64url(body);
  } else throw new CompactQrError('compact_undecodable', 'not a compact QR text');
  return unpack(deflated);
}
