/**
 * The verification core's cryptography on Node's hot path, injected in place of its
 * portable defaults: node:crypto's SHA-256 (native, not @noble/hashes' JavaScript), and the
 * signature math of a compact JWS (not WebCrypto's). On Node's main thread node:crypto's
 * callback form runs the signature on libuv's thread pool, so the main thread goes on
 * serving HTTP.
 * In a verification thread (./pool) the math runs right there, synchronously: that
 * thread has nothing else to do, and a hop to the pool would only cost. Only the signature math moves here: the algorithm
 * allow-list, the header and the key come from the caller, and an ES256 signature is
 * checked in JOSE's r||s form (IEEE P1363), exactly as RFC 7518 defines it.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import type { JWK } from 'jose';
import type { RuntimeCrypto, SignatureCheck } from '../../verify';

const keys = new Map<string, KeyObject>();

/** The public key for a JWK, parsed once. */
export function publicKeyOf(kid: string, jwk: JWK | object): KeyObject {
  const id = `${kid}|${JSON.stringify(jwk)}`;
  let k = keys.get(id);
  if (!k) {
    k = createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' });
    keys.set(id, k);
    if (keys.size > 10_000) keys.delete(keys.keys().next().value!);
  }
  return k;
}

/**
 * Verify `header.payload.signature` with `key` under `alg` (ES256 or EdDSA only).
 *
 * @example
 * if (await verifyCompactJws(jws, 'ES256', publicKeyOf(kid, jwk))) { … }
 */
export function verifyCompactJws(jws: string, alg: 'ES256' | 'EdDSA', key: KeyObject): Promise<boolean> {
  const dot = jws.lastIndexOf('.');
  const signingInput = Buffer.from(jws.slice(0, dot), 'ascii');
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url');
  if (alg === 'ES256') {
    if (key.asymmetricKeyType !== 'ec' || signature.length !== 64) return Promise.resolve(false);
  } else if (key.asymmetricKeyType !== 'ed25519' || signature.length !== 64) {
    return Promise.resolve(false);
  }
  const digest = alg === 'ES256' ? 'sha256' : null;
  const keyInput = { key, dsaEncoding: 'ieee-p1363' as const };
  if (!isMainThread) {
    try {
      return Promise.resolve(verify(digest, signingInput, keyInput, signature));
    } catch {
      return Promise.resolve(false);
    }
  }
  return new Promise((resolve) => {
    verify(digest, signingInput, keyInput, signature, (err, ok) => resolve(!err && ok));
  });
}

/** The core's `SignatureCheck` by node:crypto. */
export const nodeSignature: SignatureCheck = (jws, alg, key) =>
  verifyCompactJws(jws, alg, publicKeyOf(key.kid, key.publicJwk));

/**
 * The core's cryptography by node:crypto: what the gateway injects (`VerifyDeps.crypto`).
 *
 * @example
 * const report = await verifyCredential(text, { ...deps, crypto: NODE_CRYPTO });
 */
export const NODE_CRYPTO: RuntimeCrypto = {
  signature: nodeSignature,
  sha256: (data) => createHash('sha256').update(data).digest(),
};
