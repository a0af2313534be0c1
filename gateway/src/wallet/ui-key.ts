/**
 * The device key: an ECDSA P-256 key pair made by WebCrypto in this browser, its private
 * half non-extractable (no script, not even the wallet's, can read it out), kept in
 * IndexedDB. Credentials are bound to its public key; it signs proofs of possession,
 * key-binding JWTs and the receipts challenge. WebCrypto's ECDSA signature is r||s, 64
 * bytes, which is what an ES256 JWS carries.
 */
import { get, put } from './ui-store';

/** The device key as the protocol modules take it: a public JWK, and a signer of JWS signing input. */
export interface WalletKey {
  publicJwk: JsonWebKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

let mine: Promise<WalletKey> | undefined;

async function load(): Promise<WalletKey> {
  let pair = await get<CryptoKeyPair>('keys', 'device');
  if (!pair) {
    pair = (await crypto.subtle.generateKey(ALG, false, ['sign', 'verify'])) as CryptoKeyPair;
    await put('keys', 'device', pair);
  }
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const privateKey = pair.privateKey;
  return {
    publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! },
    sign: async (data) =>
      new Uint8Array(
        await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, data as Uint8Array<ArrayBuffer>),
      ),
  };
}

/**
 * This phone's device key, made on first use.
 *
 * @example const key = await deviceKey(); const sig = await key.sign(bytes);
 */
export function deviceKey(): Promise<WalletKey> {
  mine ??= load().catch((e: unknown) => {
    mine = undefined;
    throw e;
  });
  return mine;
}
