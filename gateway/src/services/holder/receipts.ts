/**
 * The worker's receipts: who verified which of its credentials, when, with what result. The
 * worker has no account and no password; its device key is who it is. It asks for a challenge
 * (a one-time nonce and the audience to sign for), signs a JWT over it with the device key
 * (`typ: anxin-holder+jwt`, the public key as `jwk` in the header), and gets back every
 * logged verification of the credentials bound to that key (cnf.jwk) — never the verifier's
 * API key, only the name it is registered under: the label the administrator gave its API key
 * (as the wallet shows a verifier that asks for a presentation), else its id.
 */
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { DomainError } from '../../errors';
import type { Services } from '../context';
import { verifyHolderProof } from '../credentials/holder-proof';

/** The `typ` of the JWT with which a device key authenticates its holder. */
export const HOLDER_AUTH_TYP = 'anxin-holder+jwt';
/** How long a holder challenge may be answered. */
export const HOLDER_CHALLENGE_TTL_S = 300;
/** At most this many credentials, and this many receipts, are answered. */
export const MAX_HELD = 200;
export const MAX_RECEIPTS = 500;

/** The `aud` a holder's JWT must carry: the receipts endpoint of this gateway. */
export const holderAudience = (publicUrl: string) => `${publicUrl}/v1/holder/receipts`;

export interface HolderChallenge {
  nonce: string;
  aud: string;
  expiresAt: string;
}

/**
 * A fresh challenge for a device key to sign.
 *
 * @example
 * const { nonce, aud } = await newHolderChallenge(s); // the wallet signs { aud, nonce, iat }
 */
export async function newHolderChallenge(s: Services): Promise<HolderChallenge> {
  const now = s.now();
  const c: HolderChallenge = {
    nonce: randomBytes(24).toString('base64url'),
    aud: holderAudience(s.publicUrl),
    expiresAt: new Date(now.getTime() + HOLDER_CHALLENGE_TTL_S * 1000).toISOString(),
  };
  await s.store.putNonce({
    nonce: c.nonce,
    purpose: 'holder',
    aud: c.aud,
    createdAt: now.toISOString(),
    expiresAt: c.expiresAt,
  });
  return c;
}

export interface Receipt {
  credentialId: string;
  type: string;
  issuer: string;
  verifier: { name: string };
  checkedAt: string;
  verified: boolean;
  /** How the holder's key-binding JWT was judged ('challenge', 'static'); absent when none was asked. */
  binding?: string;
}

const refuse = (code: string, message: string) =>
  new DomainError('holder_auth_failed', `proof: ${message}`, { errors: [{ field: '/proof', code, message }] });

/**
 * The thumbprint of the device key that signed `proof`, once the proof holds: its signature,
 * typ, aud, a fresh iat, and a nonce of ours used now (once).
 */
export async function authenticateHolder(s: Services, proof: string): Promise<string> {
  const r = await verifyHolderProof(proof, {
    audience: holderAudience(s.publicUrl),
    now: s.now(),
    maxAgeS: HOLDER_CHALLENGE_TTL_S,
    typ: HOLDER_AUTH_TYP,
  });
  if (!r.ok) throw refuse(r.code, r.detail);
  const used = await s.store.useNonce({ nonce: r.proof.nonce, purpose: 'holder' }, s.now().toISOString());
  if (!used.ok)
    throw refuse(
      'nonce',
      `its nonce is ${used.why === 'not_yours' ? 'unknown' : used.why}: ask POST /v1/holder/challenge`,
    );
  return calculateJwkThumbprint(r.proof.jwk as JWK, 'sha256');
}

/**
 * The name each verifier is registered under: the label of its newest API key that has one,
 * a key in use before a revoked one; its id when none has a label.
 */
async function verifierNames(s: Services, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const keys = (await s.store.listApiKeys({ type: 'verifier', id })).filter((k) => k.label);
      const newest = (live: boolean) => keys.filter((k) => !k.revokedAt === live).at(-1);
      names.set(id, (newest(true) ?? newest(false))?.label ?? id);
    }),
  );
  return names;
}

/**
 * Every logged verification of the credentials bound to the key that signed `proof`, newest first.
 *
 * @example
 * const { receipts } = await holderReceipts(s, body.proof);
 */
export async function holderReceipts(
  s: Services,
  proof: string,
): Promise<{ credentials: Array<{ id: string; type: string; issuer: string }>; receipts: Receipt[] }> {
  const jkt = await authenticateHolder(s, proof);
  const held = await s.store.credentialsOfHolderKey(jkt, MAX_HELD);
  // Checks made a moment ago are in the log's buffer still: "listed as they happen".
  await s.verificationLog.flush();
  const byId = new Map(held.map((c) => [c.id, c]));
  const log = await s.store.verificationsOf([...byId.keys()], MAX_RECEIPTS);
  const names = await verifierNames(
    s,
    log.map((e) => e.verifier),
  );
  return {
    credentials: held.map((c) => ({ id: c.id, type: c.type, issuer: c.issuer })),
    receipts: log.map((e) => ({
      credentialId: e.credentialId,
      type: byId.get(e.credentialId)!.type,
      issuer: byId.get(e.credentialId)!.issuer,
      verifier: { name: names.get(e.verifier) ?? e.verifier },
      checkedAt: e.at,
      verified: e.verified,
      ...(e.binding ? { binding: e.binding } : {}),
    })),
  };
}
