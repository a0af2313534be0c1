/**
 * Bytes and text, the same in every runtime: UTF-8 through TextEncoder, base64url through
 * jose, SHA-256 through @noble/hashes — synchronous, which @sd-jwt's `*Sync` functions need
 * and WebCrypto's digest is not.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { base64url } from 'jose';
import type { Sha256 } from './deps';

const utf8 = new TextEncoder();

/**
 * The bytes of base64url text (already checked to hold only base64url characters), decoded
 * as Node's Buffer decodes it: a lone last character, which holds no whole byte, is dropped
 * instead of refused.
 *
 * @example fromBase64url('eyJhIjoxfQ'); // the bytes of '{"a":1}'
 */
export function fromBase64url(text: string): Uint8Array {
  return base64url.decode(text.length % 4 === 1 ? text.slice(0, -1) : text);
}

/** base64url, unpadded, of bytes. */
export function toBase64url(bytes: Uint8Array): string {
  return base64url.encode(bytes);
}

/** The UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** SHA-256 by @noble/hashes: the same in every runtime. */
export const portableSha256: Sha256 = (data) => sha256(typeof data === 'string' ? utf8.encode(data) : data);

/** An SD-JWT hasher (see `sdHasher`) over a given SHA-256. */
export function sdHasherOf(digest: Sha256): (data: string | ArrayBuffer, alg: string) => Uint8Array {
  return (data, alg) => {
    if (alg.toLowerCase() !== 'sha-256') throw new Error(`unsupported SD-JWT hash ${alg}`);
    return digest(typeof data === 'string' ? data : new Uint8Array(data));
  };
}

/**
 * The SD-JWT hasher: SHA-256 over a string's UTF-8 bytes, or over bytes. The only hash an
 * Anxin SD-JWT names (`_sd_alg`).
 *
 * @example base64url.encode(sdHasher(disclosure, 'sha-256')); // the digest a payload's `_sd` lists
 */
export const sdHasher = sdHasherOf(portableSha256);

/**
 * SHA-256, lowercase hex, of a string: the anchor digest of a compact JWS (or of an SD-JWT's
 * issuer-signed JWT).
 *
 * @example sha256Hex('eyJ…'); // '3a7bd3e2…' (64 hex digits)
 */
export function sha256Hex(text: string, digest: Sha256 = portableSha256): string {
  return bytesToHex(digest(text));
}

/**
 * The holder commitment the ledger keeps: base64url(SHA-256(salt ‖ holder id)), the salt
 * (base64url, kept in the credential) decoded to its bytes. Whoever holds the credential,
 * and so the salt, can show that it names a given person; the ledger alone cannot.
 *
 * @example holderRef(credential.holder.salt, '110101199003074514') === anchor.holderRef
 */
export function holderRef(salt: string, holderId: string): string {
  const s = fromBase64url(salt);
  const id = utf8.encode(holderId);
  const both = new Uint8Array(s.length + id.length);
  both.set(s);
  both.set(id, s.length);
  return toBase64url(sha256(both));
}
