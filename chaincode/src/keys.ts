/**
 * Issuer and registrar keys: import (cached, since a key never changes once on the
 * ledger), thumbprints, and the validity window of a key at an instant.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningAlg } from '@anxin/schemas';
import { Rejection } from './errors';

const imported = new Map<string, KeyObject>();

/** The verification key for a public JWK, imported once (a key never changes once on the ledger). */
export function verifyKey(alg: SigningAlg, jwk: object): KeyObject {
  const id = `${alg}|${JSON.stringify(jwk)}`;
  let k = imported.get(id);
  if (!k) {
    k = createPublicKey({ key: jwk as JWK & { kty: string }, format: 'jwk' });
    imported.set(id, k);
    if (imported.size > 10_000) imported.delete(imported.keys().next().value!);
  }
  return k;
}

/** The algorithm a public JWK is used with: EC P-256 → ES256, OKP Ed25519 → EdDSA. */
export function algForJwk(jwk: { kty: string; crv?: string }): SigningAlg | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** Check that `keyId` is the RFC 7638 thumbprint of `jwk` and that `alg` fits the key. */
export async function checkNewKey(key: { keyId: string; alg: SigningAlg; publicJwk: object }): Promise<void> {
  const jwk = key.publicJwk as { kty: string; crv?: string };
  if (algForJwk(jwk) !== key.alg) {
    throw new Rejection('ALG_NOT_ALLOWED', `alg ${key.alg} does not fit a ${jwk.kty}/${jwk.crv ?? ''} key`);
  }
  const thumbprint = await calculateJwkThumbprint(key.publicJwk as JWK, 'sha256');
  if (thumbprint !== key.keyId) {
    throw new Rejection('KEY_ID_MISMATCH', `keyId must be the JWK thumbprint ${thumbprint}`);
  }
}

/** A key's validity window: an issuer key's, or a registrar key's (no notBefore when it was fixed at initialisation). */
export interface KeyWindow {
  kid: string;
  notBefore?: string | undefined;
  retiredAt?: string | undefined;
  revokedAt?: string | undefined;
}

/** Refuse when the key may not sign at instant `at` (ISO 8601). */
export function checkKeyWindow(key: KeyWindow, at: string): void {
  const t = Date.parse(at);
  if (key.notBefore && t < Date.parse(key.notBefore)) {
    throw new Rejection('KEY_NOT_YET_VALID', `key ${key.kid} may sign from ${key.notBefore}`);
  }
  if (key.revokedAt && t >= Date.parse(key.revokedAt)) {
    throw new Rejection('KEY_COMPROMISED', `key ${key.kid} is compromised since ${key.revokedAt}`);
  }
  if (key.retiredAt && t >= Date.parse(key.retiredAt)) {
    throw new Rejection('KEY_RETIRED', `key ${key.kid} was retired at ${key.retiredAt}`);
  }
}
