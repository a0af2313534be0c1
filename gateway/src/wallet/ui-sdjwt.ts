/**
 * Reading the SD-JWT VCs the wallet keeps, in the browser (no Node built-ins): the issuer
 * JWT's claims, and each disclosure put back in its group (`holder.name`,
 * `healthCertificate.categories`) by its digest in that group's `_sd`. And the static work
 * card: a presentation of chosen members, key-bound by a KB-JWT the device key signs.
 */
import type { WalletKey } from './ui-key';

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
    issuerJwt: issuerJwt!,
    disclosures,
  };
}

/** The members a card can show, in the issuer's order. */
export function showable(held: Held): Disclosure[] {
  return held.disclosures.filter((d) => !NEVER_SHOWN.has(d.path));
}

/** Sign a compact JWS with the device key (ES256). */
export async function signJws(
  key: WalletKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${b64url(enc.encode(JSON.stringify({ alg: 'ES256', ...header })))}.${b64url(enc.encode(JSON.stringify(payload)))}`;
  return `${input}.${b64url(await key.sign(enc.encode(input)))}`;
}

/**
 * A work-card presentation of `paths`: the issuer JWT, those disclosures, and a KB-JWT over
 * them (its `sd_hash`) signed now by the device key, for the audience verifiers of a static
 * work card expect; verifiers refuse it 5 minutes after `now`.
 *
 * @example const text = await presentStatic(sdJwt, ['holder.name'], key);
 */
export async function presentStatic(held: Held, paths: string[], key: WalletKey, now = new Date()): Promise<string> {
  const chosen = held.disclosures.filter((d) => paths.includes(d.path) && !NEVER_SHOWN.has(d.path));
  const presented = `${held.issuerJwt}~${chosen.map((d) => `${d.text}~`).join('')}`;
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const kb = await signJws(
    key,
    { typ: 'kb+jwt' },
    { iat: Math.floor(now.getTime() / 1000), aud: 'anxin:work-card', nonce, sd_hash: await sha256(presented) },
  );
  return presented + kb;
}
