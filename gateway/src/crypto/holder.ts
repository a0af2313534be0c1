/**
 * The holder commitment: base64url(SHA-256(salt || holder id)), with a fresh 128-bit
 * salt kept in the credential. The ledger sees only the commitment; whoever holds the
 * credential (and so the salt) can show that it names a given person.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function holderRef(salt: string, holderId: string): string {
  return createHash('sha256').update(Buffer.from(salt, 'base64url')).update(holderId, 'utf8').digest('base64url');
}

/** sha-256, lowercase hex, of a string: the anchor digest of a compact JWS. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
