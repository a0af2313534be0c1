/** What the store keeps of a secret: ciphertext only, sealed by the gateway before it is written. */

/** AES-256-GCM ciphertext under the key-encryption key. */
export interface Sealed {
  /** base64url */
  iv: string;
  ct: string;
  tag: string;
  /** Which KEK sealed it (its fingerprint), so a rotated KEK is detected instead of silently failing. */
  kek: string;
}
