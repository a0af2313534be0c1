/**
 * The salt of a holder commitment: fresh, 128 bits, kept in the credential. The commitment
 * itself, base64url(SHA-256(salt || holder id)), is computed by the verification core
 * (`holderRef`), so that whoever verifies can compute it the same way.
 */
import { randomBytes } from 'node:crypto';

export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}
