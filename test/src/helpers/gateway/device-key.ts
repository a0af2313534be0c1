/**
 * A worker's device key, as the tests make one.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';

/** A worker's device key pair, as JWKs. */
export interface DeviceKey {
  publicJwk: Record<string, string>;
  privateJwk: JsonWebKey;
}

/** A fresh device key: EC P-256 (ES256) by default, or Ed25519 (EdDSA). */
export function deviceKey(alg: 'ES256' | 'EdDSA' = 'ES256'): DeviceKey {
  const { publicKey, privateKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return {
    publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, string>,
    privateJwk: privateKey.export({ format: 'jwk' }),
  };
}
