/**
 * Credential surgery: decode and alter compact JWSs and SD-JWTs, choose disclosures, forge
 * one — the hostile inputs of the verification tests.
 */
import type { Format } from './examples';
import type { Loose } from './http';

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** Header and payload of a compact JWS (or of an SD-JWT's issuer-signed JWT). */
export function decodeJws(jws: string): {
  header: Record<string, Loose>;
  payload: Record<string, Loose>;
  raw: string[];
} {
  const first = jws.split('~')[0]!;
  const raw = first.split('.');
  return {
    header: JSON.parse(Buffer.from(raw[0]!, 'base64url').toString('utf8')) as Record<string, Loose>,
    payload: JSON.parse(Buffer.from(raw[1]!, 'base64url').toString('utf8')) as Record<string, Loose>,
    raw,
  };
}

/** The same header and signature over a changed payload. */
export function alterJwsPayload(jws: string, change: (p: Record<string, Loose>) => void): string {
  const [first, ...rest] = jws.split('~');
  const d = decodeJws(first!);
  change(d.payload);
  const out = `${d.raw[0]}.${b64u(JSON.stringify(d.payload))}.${d.raw[2]}`;
  return rest.length ? [out, ...rest].join('~') : out;
}

/** An SD-JWT's disclosures, decoded: [salt, name, value] (or [salt, value] in arrays). */
export function disclosuresOf(sdJwt: string): Array<{ encoded: string; salt: string; name?: string; value: unknown }> {
  const parts = sdJwt.split('~');
  return parts
    .slice(1, -1)
    .filter((d) => d !== '')
    .map((encoded) => {
      const arr = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown[];
      return arr.length === 3
        ? { encoded, salt: arr[0] as string, name: arr[1] as string, value: arr[2] }
        : { encoded, salt: arr[0] as string, value: arr[1] };
    });
}

/** What a holder shows of an issued credential (see Issued.presentation). */
export function shownOf(issued: { format: Format; credential: string }): string {
  return issued.format === 'dc+sd-jwt' ? withoutCommitment(issued.credential) : issued.credential;
}

/**
 * An issued SD-JWT as a presentation of everything but the holder's ledger commitment (salt,
 * ref), which no presentation may disclose: what "showing the whole credential" means.
 */
export function withoutCommitment(sdJwt: string): string {
  return presentWith(sdJwt, (d) => d.name !== 'salt' && d.name !== 'ref');
}

/** An SD-JWT presentation keeping only the disclosures `keep` accepts (ends with `~`, no KB-JWT). */
export function presentWith(sdJwt: string, keep: (d: { name?: string; value: unknown }) => boolean): string {
  const issuerJwt = sdJwt.split('~')[0]!;
  const kept = disclosuresOf(sdJwt)
    .filter(keep)
    .map((d) => d.encoded);
  return `${issuerJwt}~${kept.map((d) => `${d}~`).join('')}`;
}

/** A disclosure the issuer never made. */
export function forgedDisclosure(name: string, value: unknown): string {
  return b64u(JSON.stringify([b64u(Buffer.from(Math.random().toString(36))), name, value]));
}
