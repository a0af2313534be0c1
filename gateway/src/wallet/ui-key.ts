/**
 * The device key: an ECDSA P-256 key pair made by WebCrypto in this browser, its private
 * half non-extractable (no script, not even the wallet's, can read it out), kept in
 * IndexedDB (structured clone keeps a non-extractable CryptoKey). Credentials are bound to
 * its public key; it signs proofs of possession, key-binding JWTs and the receipts
 * challenge (./jws.ts: WebCrypto's r||s is what an ES256 JWS carries).
 */
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from './jws';
import { get, put } from './ui-store';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

let mine: Promise<DeviceKey> | undefined;

async function load(): Promise<DeviceKey> {
  let pair = await get<CryptoKeyPair>('keys', 'device');
  if (!pair) {
    pair = (await crypto.subtle.generateKey(ALG, false, ['sign', 'verify'])) as CryptoKeyPair;
    await put('keys', 'device', pair);
  }
  return deviceKeyFromCryptoKeyPair(pair);
}

/**
 * This phone's device key, made on first use.
 *
 * @example const key = await deviceKey(); const sig = await key.sign(bytes);
 */
export function deviceKey(): Promise<DeviceKey> {
  mine ??= load().catch((e: unknown) => {
    mine = undefined;
    throw e;
  });
  return mine;
}
