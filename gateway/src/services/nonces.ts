/**
 * One-time nonces the gateway hands out and later takes back, once:
 *  - a verifier's challenge (POST /v1/verify/challenges): a nonce and the verifier's `aud`,
 *    which a holder's key-binding JWT must carry; only the verifier that asked can use it;
 *  - a `c_nonce` (POST /v1/nonce, OpenID4VCI 1.0's Nonce Endpoint): public, which a proof
 *    of possession of a holder key must carry when a credential is bound to that key.
 * Each is random (192 bits), kept in the store, short-lived and good for one use; retention
 * deletes them once they have expired.
 */
import { randomBytes } from 'node:crypto';
import type { NonceUse, Principal } from '../ports/store';
import type { Services } from './context';
import type { ChallengeOutcome } from './verify/verify';

/** How long a verifier's challenge may be answered: as long as a static work card lives. */
export const CHALLENGE_TTL_S = 300;
/** How long a c_nonce may be used: long enough for a worker's phone and a clinic's counter to meet. */
export const C_NONCE_TTL_S = 600;

/** Nonces as the gateway makes them: 24 random bytes, base64url (32 characters). */
export const NONCE_PATTERN = '^[A-Za-z0-9_-]{32}$';

function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** Whose a challenge is, as the store keeps it: a verifier and an issuer may share an id, never a key. */
function ownerOf(p: Principal): string {
  return `${p.type}:${p.id}`;
}

/**
 * The `aud` a key-binding JWT answering this principal's challenges must carry: stable for
 * the verifier, under the gateway's public URL.
 *
 * @example
 * verifierAudience('https://anxin.example.cn', { type: 'verifier', id: 'hotpot-chunxi' });
 * // 'https://anxin.example.cn/verifiers/hotpot-chunxi'
 */
export function verifierAudience(publicUrl: string, p: Principal): string {
  return `${publicUrl}/verifiers/${encodeURIComponent(p.id)}`;
}

export interface Challenge {
  nonce: string;
  aud: string;
  expiresAt: string;
}

/**
 * A fresh challenge for a verifier: the worker's device signs its key-binding JWT over the
 * nonce and the aud, and the verifier names the nonce when it asks for the verification.
 *
 * @example
 * const { nonce, aud, expiresAt } = await newChallenge(s, req.principal!);
 */
export async function newChallenge(s: Services, p: Principal): Promise<Challenge> {
  const now = s.now();
  const c: Challenge = {
    nonce: newNonce(),
    aud: verifierAudience(s.publicUrl, p),
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_S * 1000).toISOString(),
  };
  await s.store.putNonce({
    nonce: c.nonce,
    purpose: 'challenge',
    principal: ownerOf(p),
    aud: c.aud,
    createdAt: now.toISOString(),
    expiresAt: c.expiresAt,
  });
  return c;
}

/** Use a verifier's challenge, once: what the verification then judges the key-binding JWT against. */
export async function useChallenge(s: Services, nonce: string, p: Principal): Promise<ChallengeOutcome> {
  const used = await s.store.useNonce({ nonce, purpose: 'challenge', principal: ownerOf(p) }, s.now().toISOString());
  if (!used.ok) return { usable: false, why: used.why };
  return { usable: true, nonce: used.record.nonce, aud: used.record.aud! };
}

/**
 * A fresh c_nonce for a proof of possession of a holder key.
 *
 * @example
 * const { c_nonce } = await newCNonce(s); // the wallet signs it into openid4vci-proof+jwt
 */
export async function newCNonce(s: Services): Promise<{ c_nonce: string; expiresAt: string }> {
  const now = s.now();
  const nonce = newNonce();
  const expiresAt = new Date(now.getTime() + C_NONCE_TTL_S * 1000).toISOString();
  await s.store.putNonce({ nonce, purpose: 'c_nonce', createdAt: now.toISOString(), expiresAt });
  return { c_nonce: nonce, expiresAt };
}

/** Use a c_nonce, once. */
export function useCNonce(s: Services, nonce: string): Promise<NonceUse> {
  return s.store.useNonce({ nonce, purpose: 'c_nonce' }, s.now().toISOString());
}
