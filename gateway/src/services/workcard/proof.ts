/**
 * The holder's side of binding: a proof that the worker's device holds its key, for the
 * issuer to send with `holderPublicJwk` (OpenID4VCI 1.0's `jwt` proof type: typ
 * openid4vci-proof+jwt, the public key in the header, aud = the gateway's public URL, iat,
 * nonce = a c_nonce from POST /v1/nonce). Signed with jose.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningAlg } from '@anxin/schemas';
import { PROOF_TYP } from '../credentials/holder-proof';
import { WorkCardError } from './present';

export interface HolderProofInput {
  /** The worker's private key (JWK), EC P-256 or OKP Ed25519. */
  holderKey: JsonWebKey;
  /** The credential issuer: the gateway's public URL. */
  aud: string;
  /** A c_nonce from the gateway's POST /v1/nonce. */
  nonce: string;
  now?: Date;
}

/**
 * A key proof for `holderKey`, and the public JWK it proves: the two members an issuance
 * request binding a credential to that key carries (`holderProof`, `holderPublicJwk`).
 *
 * @example
 * const { c_nonce } = await (await fetch(`${gateway}/v1/nonce`, { method: 'POST' })).json();
 * const { holderProof, holderPublicJwk } = await holderProofJwt({ holderKey, aud: gateway, nonce: c_nonce });
 */
export async function holderProofJwt(
  i: HolderProofInput,
): Promise<{ holderProof: string; holderPublicJwk: Record<string, string> }> {
  const alg: SigningAlg | undefined =
    i.holderKey.kty === 'EC' && i.holderKey.crv === 'P-256'
      ? 'ES256'
      : i.holderKey.kty === 'OKP' && i.holderKey.crv === 'Ed25519'
        ? 'EdDSA'
        : undefined;
  if (!alg) throw new WorkCardError('holder_key_unsupported', 'the holder key must be EC P-256 or OKP Ed25519');
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: i.holderKey, format: 'jwk' });
  } catch {
    throw new WorkCardError('holder_key_not_private', 'the holder key is not a private JWK');
  }
  const exported = createPublicKey(privateKey).export({ format: 'jwk' });
  const holderPublicJwk = Object.fromEntries(
    ['kty', 'crv', 'x', 'y']
      .filter((k) => typeof exported[k as keyof JsonWebKey] === 'string')
      .map((k) => [k, exported[k as keyof JsonWebKey] as string]),
  );
  const holderProof = await new SignJWT({ nonce: i.nonce })
    .setProtectedHeader({ alg, typ: PROOF_TYP, jwk: holderPublicJwk })
    .setAudience(i.aud)
    .setIssuedAt(Math.floor((i.now ?? new Date()).getTime() / 1000))
    .sign(privateKey);
  return { holderProof, holderPublicJwk };
}
