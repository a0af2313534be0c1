/**
 * The holder's key, before a credential is bound to it:
 *  - it must be a public key on its curve (an EC point on P-256, an Ed25519 key of 32
 *    bytes), written canonically, with no private member;
 *  - whoever asks for the binding must prove they hold its private key: a JWT signed by it,
 *    as OpenID4VCI 1.0's `jwt` proof type (Appendix F.1) — header `typ`
 *    openid4vci-proof+jwt, `alg` ES256 or EdDSA, `jwk` the key itself (no `kid`, `x5c` or
 *    `trust_chain` beside it); payload `aud` the Credential Issuer Identifier (the gateway's
 *    public URL), `iat` fresh, `nonce` a c_nonce from the Nonce Endpoint.
 * Nothing here does I/O: the c_nonce is the caller's to use (once), after the proof holds, so
 * that a proof that fails costs no one their nonce.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import { SIGNING_ALGS, type SigningAlg } from '@anxin/schemas';

/** The `typ` of a key proof (OpenID4VCI 1.0, Appendix F.1). */
export const PROOF_TYP = 'openid4vci-proof+jwt';
/** How far ahead of the gateway's clock a proof's iat may be (the holder's phone runs its own). */
export const PROOF_SKEW_S = 60;

/** Why a key proof does not hold: a stable code per rule. */
export type HolderProofProblem =
  'malformed' | 'typ' | 'alg' | 'key' | 'key_mismatch' | 'signature' | 'aud' | 'iat' | 'nonce';

export interface HolderProof {
  /** The public key it proves possession of, as its header carries it. */
  jwk: Record<string, string>;
  alg: SigningAlg;
  /** The c_nonce it carries, still to be used. */
  nonce: string;
  iat: number;
}

export type HolderProofResult =
  { ok: true; proof: HolderProof } | { ok: false; code: HolderProofProblem; detail: string };

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/**
 * Why a JWK is not a usable public holder key, or undefined when it is. Node's import checks
 * that an EC point lies on P-256 and that an Ed25519 key is 32 bytes; the key read back must
 * be written as given (one key, one spelling).
 *
 * @example
 * publicKeyProblem({ kty: 'EC', crv: 'P-256', x, y: flipped }); // { code: 'not_on_curve', … }
 */
export function publicKeyProblem(
  jwk: Record<string, unknown>,
): { code: 'private_key' | 'unsupported_key' | 'not_on_curve' | 'not_canonical'; message: string } | undefined {
  if (PRIVATE_MEMBERS.some((m) => m in jwk))
    return { code: 'private_key', message: 'holds a private key member: send the public key only' };
  const ec = jwk.kty === 'EC' && jwk.crv === 'P-256';
  const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  if (!ec && !okp) return { code: 'unsupported_key', message: 'must be an EC P-256 or an OKP Ed25519 key' };
  let back: JsonWebKey;
  try {
    back = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ format: 'jwk' });
  } catch {
    return { code: 'not_on_curve', message: `is not a point on ${String(jwk.crv)}` };
  }
  if (back.x !== jwk.x || (ec && back.y !== jwk.y))
    return { code: 'not_canonical', message: 'is not written canonically (base64url of the key’s own bytes)' };
  return undefined;
}

function algOf(jwk: Record<string, unknown>): SigningAlg | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

const sameKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  ['kty', 'crv', 'x', 'y'].every((k) => a[k] === b[k]);

function json(part: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `typ` compared as RFC 7515 §4.1.9 says: case-insensitive, "application/" optional. */
const typIs = (typ: unknown, want: string) =>
  typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === want;

/**
 * Check a key proof (OpenID4VCI 1.0, Appendix F.1 and "Verifying Proof"): every rule but
 * the c_nonce's freshness, which is the store's to decide. `key`, when given, is the key the
 * proof must be about.
 *
 * @example
 * const r = await verifyHolderProof(body.holderProof, {
 *   audience: s.publicUrl, now: s.now(), maxAgeS: C_NONCE_TTL_S, key: body.holderPublicJwk,
 * });
 * if (r.ok) await useCNonce(s, r.proof.nonce);
 */
export async function verifyHolderProof(
  proof: string,
  expect: { audience: string; now: Date; maxAgeS: number; key?: Record<string, unknown>; typ?: string },
): Promise<HolderProofResult> {
  const typ = expect.typ ?? PROOF_TYP;
  const parts = proof.split('.');
  const header = parts.length === 3 ? json(parts[0]!) : undefined;
  if (!header) return { ok: false, code: 'malformed', detail: 'not a compact JWS with a JSON header' };
  if (!typIs(header.typ, typ)) return { ok: false, code: 'typ', detail: `the header's typ must be ${typ}` };
  const alg = header.alg;
  if (typeof alg !== 'string' || !(SIGNING_ALGS as readonly string[]).includes(alg))
    return { ok: false, code: 'alg', detail: `alg must be one of ${SIGNING_ALGS.join(', ')}` };
  if (header.crit !== undefined) return { ok: false, code: 'malformed', detail: 'no crit header is understood here' };
  // Exactly one way to name the key, and it is the key itself: a kid or a certificate beside
  // a jwk would let a proof name one key and be signed by another.
  if (['kid', 'x5c', 'x5u', 'jku', 'trust_chain'].some((k) => k in header))
    return {
      ok: false,
      code: 'key',
      detail: 'the key must be given as jwk alone (no kid, x5c, x5u, jku, trust_chain)',
    };
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
    return { ok: false, code: 'key', detail: 'the header carries no jwk' };
  const keyProblem = publicKeyProblem(jwk as Record<string, unknown>);
  if (keyProblem) return { ok: false, code: 'key', detail: `the header's jwk ${keyProblem.message}` };
  if (algOf(jwk as Record<string, unknown>) !== alg)
    return { ok: false, code: 'alg', detail: `alg ${alg} does not fit the header's jwk` };
  if (expect.key && !sameKey(jwk as Record<string, unknown>, expect.key))
    return { ok: false, code: 'key_mismatch', detail: 'the proof is about another key than holderPublicJwk' };

  try {
    await compactVerify(proof, await importJWK(jwk as JWK, alg), { algorithms: [alg] });
  } catch {
    return { ok: false, code: 'signature', detail: "the signature does not verify with the header's jwk" };
  }
  const payload = json(parts[1]!);
  if (!payload) return { ok: false, code: 'malformed', detail: 'the payload is not a JSON object' };
  if (payload.aud !== expect.audience) return { ok: false, code: 'aud', detail: `aud must be ${expect.audience}` };
  const iat = payload.iat;
  const t = expect.now.getTime() / 1000;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    return { ok: false, code: 'iat', detail: 'iat (when the proof was made) is missing' };
  if (iat > t + PROOF_SKEW_S || iat < t - expect.maxAgeS)
    return { ok: false, code: 'iat', detail: `the proof was made at ${iat}; it must be under ${expect.maxAgeS} s old` };
  if (typeof payload.nonce !== 'string' || payload.nonce === '')
    return { ok: false, code: 'nonce', detail: 'nonce (one the gateway handed out) is missing' };
  return {
    ok: true,
    proof: { jwk: jwk as Record<string, string>, alg: alg as SigningAlg, nonce: payload.nonce, iat },
  };
}
