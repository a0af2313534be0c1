/**
 * The signature math of a compact JWS through WebCrypto, in any runtime that has it (a
 * browser, Node, Deno, a worker): jose imports the key, `crypto.subtle` checks the
 * signature. Only the math: the algorithm allow-list, the header and the key were judged
 * before (checks/signature.ts). A runtime with faster math injects its own
 * (`VerifyDeps.crypto.signature`).
 */
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { IssuerKeyRecord } from '@anxin/schemas';
import { fromBase64url, utf8Bytes } from './bytes';
import type { SignatureCheck } from './deps';

const PARAMS = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
} as const;

const FITS = {
  ES256: (jwk: JWK) => jwk.kty === 'EC' && jwk.crv === 'P-256',
  EdDSA: (jwk: JWK) => jwk.kty === 'OKP' && jwk.crv === 'Ed25519',
} as const;

const keys = new Map<string, Promise<CryptoKey>>();

/** The WebCrypto key of a registry key, imported once. */
function cryptoKeyOf(key: IssuerKeyRecord, alg: 'ES256' | 'EdDSA'): Promise<CryptoKey> {
  const id = `${alg}|${key.kid}|${JSON.stringify(key.publicJwk)}`;
  let k = keys.get(id);
  if (!k) {
    k = importJWK(key.publicJwk as JWK, alg) as Promise<CryptoKey>;
    keys.set(id, k);
    // A key that does not import is not kept: the error is the caller's, every time.
    k.catch(() => keys.delete(id));
    if (keys.size > 10_000) keys.delete(keys.keys().next().value!);
  }
  return k;
}

/**
 * Verify `header.payload.signature` with the registry key under `alg`, by WebCrypto.
 *
 * @example
 * if (await webCryptoSignature(jws, 'ES256', issuer.keys[0])) { … }
 */
export const webCryptoSignature: SignatureCheck = async (jws, alg, key) => {
  if (!FITS[alg](key.publicJwk as JWK)) return false;
  const dot = jws.lastIndexOf('.');
  const signature = fromBase64url(jws.slice(dot + 1));
  if (signature.length !== 64) return false;
  const cryptoKey = await cryptoKeyOf(key, alg);
  try {
    return await crypto.subtle.verify(PARAMS[alg], cryptoKey, signature, utf8Bytes(jws.slice(0, dot)));
  } catch {
    return false;
  }
};
