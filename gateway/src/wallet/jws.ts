/**
 * The wallet's signing primitives: the device key as an interface, base64url, and compact JWS
 * signed with it. Only what the browser and Node share (TextEncoder, WebCrypto, no `node:`
 * import, no Buffer), so the wallet's bundle and Node's tests run the same code.
 */

/** The members of a JWK the wallet reads (the DOM's JsonWebKey is one). */
export interface JsonWebKey {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** A WebCrypto key, as the runtime's own `crypto.subtle` takes it (browser or Node). */
type WebCryptoKey = Parameters<typeof crypto.subtle.sign>[1];

/**
 * The device key: WebCrypto P-256 (ES256). `sign` gets the JWS signing input bytes and returns
 * the raw 64-byte r||s signature (what WebCrypto's ECDSA gives, and what JWS wants).
 */
export interface DeviceKey {
  /** kty EC, crv P-256, x, y only. */
  publicJwk: JsonWebKey;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url without padding (RFC 4648 §5), of bytes or of a string's UTF-8.
 *
 * @example
 * b64url('{"alg":"ES256"}'); // 'eyJhbGciOiJFUzI1NiJ9'
 */
export function b64url(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * The bytes of a base64url string (padding tolerated); throws on any other character.
 *
 * @example
 * new TextDecoder().decode(fromB64url('eyJhbGciOiJFUzI1NiJ9')); // '{"alg":"ES256"}'
 */
export function fromB64url(text: string): Uint8Array {
  const s = text.replace(/=+$/, '');
  if (s.length % 4 === 1) throw new Error('not base64url: impossible length');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of s) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error('not base64url');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The public members of a P-256 JWK, nothing else: what a header or a `cnf` carries. */
export function publicJwkOf(jwk: JsonWebKey): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('the device key must be EC P-256');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/**
 * A compact JWS (ES256) over `payload`, signed by the device key; `alg` is set here.
 *
 * @example
 * const proof = await signJws(key, { typ: 'openid4vci-proof+jwt', jwk: publicJwkOf(key.publicJwk) },
 *   { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce });
 */
export async function signJws(
  key: DeviceKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${b64url(JSON.stringify({ ...header, alg: 'ES256' }))}.${b64url(JSON.stringify(payload))}`;
  const signature = await key.sign(new TextEncoder().encode(input));
  if (signature.length !== 64) throw new Error('an ES256 signature is 64 bytes (r||s)');
  return `${input}.${b64url(signature)}`;
}

/**
 * A DeviceKey over a WebCrypto ECDSA P-256 key pair (its private key may be, and on a phone
 * is, non-extractable).
 *
 * @example
 * const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
 * const key = await deviceKeyFromCryptoKeyPair(pair);
 */
export async function deviceKeyFromCryptoKeyPair(pair: {
  publicKey: WebCryptoKey;
  privateKey: WebCryptoKey;
}): Promise<DeviceKey> {
  const publicJwk = publicJwkOf(await crypto.subtle.exportKey('jwk', pair.publicKey));
  return {
    publicJwk,
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, data)),
  };
}
