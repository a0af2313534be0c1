/**
 * Recognising what was presented: a compact JWS (vc+jwt), an SD-JWT (issuer JWT,
 * disclosures, optional key-binding JWT), or a QR text wrapping either. Nothing here
 * trusts anything: it only takes the input apart.
 */
import { fromBase64url } from './bytes';
import { VC_JWT_TYP, SD_JWT_TYP } from './formats';
import { expandQrText, isCompactQrText } from './qr-text';

export const MAX_CREDENTIAL_CHARS = 65536;

export type Parsed =
  | { format: 'vc+jwt'; jws: string; header: Record<string, unknown>; payload: Record<string, unknown> }
  | {
      format: 'dc+sd-jwt';
      issuerJwt: string;
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      disclosures: string[];
      /** The SD-JWT without its key-binding JWT, ending in `~`: what sd_hash covers. */
      presented: string;
      kbJwt?: string;
    };

export type ParseFailure = {
  error: 'empty' | 'too_large' | 'unrecognised' | 'bad_header' | 'unsupported_typ' | 'bad_payload';
  detail: string;
};

const B64URL = /^[A-Za-z0-9_-]+$/;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

function json(part: string): Record<string, unknown> | undefined {
  if (!B64URL.test(part)) return undefined;
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(part))) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A compact text expanded; anything else (or a compact text that does not expand) as it is, for the parser to judge. */
function expanded(text: string): string {
  if (!isCompactQrText(text)) return text;
  try {
    return expandQrText(text);
  } catch {
    return text;
  }
}

/**
 * Take the credential out of a QR text: `ANXIN:<credential>`, a compact `AX1:<Base45>`
 * (see qr-text.ts), a verifier link with `#…` or `?c=…` (either form), or the bare credential.
 */
export function unwrapQr(text: string): string {
  // Base45 may begin with a space but never ends with one: trim the whole, not the body.
  const t = text.trim();
  if (isCompactQrText(t)) return expanded(t);
  if (/^anxin:/i.test(t)) return t.slice(6).trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      const url = new URL(t);
      const fromQuery = url.searchParams.get('c') ?? url.searchParams.get('credential');
      if (fromQuery) return expanded(fromQuery.trim());
      if (url.hash.length > 1) return expanded(decodeURIComponent(url.hash.slice(1)).trim());
    } catch {
      return t;
    }
  }
  return t;
}

/**
 * Take a presented credential apart, or say why it cannot be.
 *
 * @example
 * const p = parseCredential(text);
 * if ('error' in p) console.log(p.error); // e.g. 'unrecognised'
 * else console.log(p.format); // 'vc+jwt' or 'dc+sd-jwt'
 */
export function parseCredential(input: string): Parsed | ParseFailure {
  if (typeof input !== 'string' || input.trim() === '') return { error: 'empty', detail: 'nothing was presented' };
  if (input.length > MAX_CREDENTIAL_CHARS)
    return { error: 'too_large', detail: `more than ${MAX_CREDENTIAL_CHARS} characters` };
  const text = unwrapQr(input);
  const tilde = text.indexOf('~');
  const first = tilde < 0 ? text : text.slice(0, tilde);
  if (!COMPACT.test(first)) {
    return { error: 'unrecognised', detail: 'not a compact JWS, an SD-JWT, or an Anxin QR text' };
  }
  const [h, p] = first.split('.') as [string, string, string];
  const header = json(h);
  if (!header || typeof header.alg !== 'string')
    return { error: 'bad_header', detail: 'the JOSE header is not a JSON object with alg' };
  const payload = json(p);
  if (!payload) return { error: 'bad_payload', detail: 'the payload is not a JSON object' };
  if (tilde < 0) {
    if (header.typ !== VC_JWT_TYP)
      return { error: 'unsupported_typ', detail: `typ ${String(header.typ)}; expected ${VC_JWT_TYP}` };
    return { format: 'vc+jwt', jws: text, header, payload };
  }
  if (header.typ !== SD_JWT_TYP && header.typ !== 'vc+sd-jwt') {
    return { error: 'unsupported_typ', detail: `typ ${String(header.typ)}; expected ${SD_JWT_TYP}` };
  }
  const parts = text.split('~');
  const last = parts[parts.length - 1]!;
  const kbJwt = last === '' ? undefined : last;
  const disclosures = parts.slice(1, -1);
  if (disclosures.some((d) => !B64URL.test(d)))
    return { error: 'bad_payload', detail: 'a disclosure is not base64url' };
  if (kbJwt !== undefined && !COMPACT.test(kbJwt))
    return { error: 'bad_payload', detail: 'the key-binding JWT is not a compact JWS' };
  return {
    format: 'dc+sd-jwt',
    issuerJwt: first,
    header,
    payload,
    disclosures,
    presented: kbJwt === undefined ? text : text.slice(0, text.length - kbJwt.length),
    ...(kbJwt ? { kbJwt } : {}),
  };
}
