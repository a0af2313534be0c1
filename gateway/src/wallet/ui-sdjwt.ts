/**
 * Reading the SD-JWT VCs the wallet keeps, in the browser (no Node built-ins): the issuer
 * JWT's claims, and each disclosure put back in its group (`holder.name`,
 * `healthCertificate.categories`) by its digest in that group's `_sd`.
 */
const enc = new TextEncoder();

export function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export function jsonOf(part: string): unknown {
  return JSON.parse(new TextDecoder().decode(fromB64url(part)));
}

async function sha256(text: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text))));
}

/** Never on a card: with them a verifier could test guesses of the ID number against the ledger commitment. */
export const NEVER_SHOWN: ReadonlySet<string> = new Set(['holder.salt', 'holder.ref']);

export interface Disclosure {
  /** `group.member` */
  path: string;
  value: unknown;
  /** The disclosure as issued (base64url). */
  text: string;
}

export interface Held {
  /** The credential's id (`jti`). */
  id: string;
  /** Its type: `HealthCertificate`, `SkillCertificate`, `LaborContract`. */
  type: string;
  issuer: { id: string; name?: string };
  validFrom?: string;
  validUntil?: string;
  payload: Record<string, unknown>;
  /** The credential as issued. */
  credential: string;
  issuerJwt: string;
  disclosures: Disclosure[];
}

const str = (s: unknown): string => (typeof s === 'string' ? s : '');
const iso = (s: unknown): string | undefined => (typeof s === 'number' ? new Date(s * 1000).toISOString() : undefined);

/**
 * Read a credential as issued (`<issuer JWT>~<disclosure>~…~`).
 *
 * @example const held = await readCredential(sdJwt); held.disclosures.map((d) => d.path);
 */
export async function readCredential(sdJwt: string): Promise<Held> {
  const [issuerJwt, ...rest] = sdJwt.split('~');
  const payload = jsonOf(issuerJwt!.split('.')[1] ?? '') as Record<string, unknown>;
  const groupOf = new Map<string, string>();
  for (const [group, v] of Object.entries(payload))
    if (v && typeof v === 'object' && Array.isArray((v as { _sd?: unknown })._sd))
      for (const d of (v as { _sd: string[] })._sd) groupOf.set(d, group);
  const disclosures: Disclosure[] = [];
  for (const text of rest.filter((t) => t.length > 0)) {
    const [, name, value] = jsonOf(text) as [string, string, unknown];
    const group = groupOf.get(await sha256(text));
    if (group) disclosures.push({ path: `${group}.${name}`, value, text });
  }
  const vct = str(payload.vct);
  const type = vct.slice(vct.lastIndexOf('/') + 1).replace(/^.*[#:]/, '');
  const issuerName = payload.issuer_name;
  return {
    id: str(payload.jti),
    type,
    issuer: { id: str(payload.iss), ...(typeof issuerName === 'string' ? { name: issuerName } : {}) },
    ...(iso(payload.nbf) ? { validFrom: iso(payload.nbf)! } : {}),
    ...(iso(payload.exp) ? { validUntil: iso(payload.exp)! } : {}),
    payload,
    credential: sdJwt,
    issuerJwt: issuerJwt!,
    disclosures,
  };
}

/** The members a card can show, in the issuer's order. */
export function showable(held: Held): Disclosure[] {
  return held.disclosures.filter((d) => !NEVER_SHOWN.has(d.path));
}
