/**
 * API keys: `anx_<id>_<secret>`. The id is public (logs, listings); the secret is 256
 * random bits. Only SHA-256 of the whole key is stored — with this much entropy a slow
 * hash adds nothing — and comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const FORMAT = /^anx_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  id: string;
  /** The key to hand out, once. */
  key: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): NewApiKey {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(16);
  const id = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  const key = `anx_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

/** The id part of a well-formed key, or undefined. */
export function apiKeyId(key: string): string | undefined {
  return FORMAT.exec(key)?.[1];
}

/** Constant-time check of a presented key against a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
