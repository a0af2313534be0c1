/**
 * The key-encryption key: AES-256-GCM over everything the store keeps secret (custodial
 * private keys, issued credentials). Read from a file; generated (0600) when absent.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AnxinError } from '../errors';
import type { Sealed } from '../ports/store';

/**
 * Why the key-encryption key cannot be used: it is not 32 bytes (`kek_invalid`), its file is
 * readable by others (`kek_exposed`), a record was sealed under another key (`kek_mismatch`),
 * or a sealed record does not open under it — altered, or moved to another record
 * (`kek_unsealable`), or there is no key file where one must be (`kek_missing`).
 */
export type KekErrorCode = 'kek_invalid' | 'kek_exposed' | 'kek_mismatch' | 'kek_unsealable' | 'kek_missing';

export class KekError extends AnxinError<KekErrorCode> {}

export class Kek {
  /** First 16 hex digits of SHA-256 of the key: names the key without revealing it. */
  readonly fingerprint: string;

  constructor(
    private readonly key: Buffer,
    /** Keys that open what they sealed but seal nothing: the other side of a KEK rotation. */
    private readonly openers: readonly Kek[] = [],
  ) {
    if (key.length !== 32) throw new KekError('kek_invalid', 'the key-encryption key must be 32 bytes');
    this.fingerprint = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /**
   * This key for sealing, and `others` too for opening: during and after a rotation a
   * record may still be sealed under the key on the other side of it.
   *
   * @example
   * const kek = current.openingAlso([previous]); // seals with current, opens either
   */
  openingAlso(others: readonly Kek[]): Kek {
    const openers = [...this.openers, ...others].filter(
      (o, i, all) => o.fingerprint !== this.fingerprint && all.findIndex((x) => x.fingerprint === o.fingerprint) === i,
    );
    return new Kek(this.key, openers);
  }

  /** The fingerprints of every key this opens with, its own first. */
  get opens(): string[] {
    return [this.fingerprint, ...this.openers.map((o) => o.fingerprint)];
  }

  /** The key's bytes as its file holds them (base64), for writing it beside another. */
  toFileText(): string {
    return this.key.toString('base64') + '\n';
  }

  /** Encrypt `plaintext`; `aad` binds the ciphertext to its record (e.g. the key id), so it cannot be swapped. */
  seal(plaintext: Buffer | string, aad: string): Sealed {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([
      c.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
      c.final(),
    ]);
    return {
      iv: iv.toString('base64url'),
      ct: ct.toString('base64url'),
      tag: c.getAuthTag().toString('base64url'),
      kek: this.fingerprint,
    };
  }

  open(s: Sealed, aad: string): Buffer {
    if (s.kek !== this.fingerprint) {
      const other = this.openers.find((o) => o.fingerprint === s.kek);
      if (other) return other.open(s, aad);
      throw new KekError(
        'kek_mismatch',
        `sealed with key-encryption key ${s.kek}, but ${this.fingerprint} is configured`,
      );
    }
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(s.iv, 'base64url'));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(Buffer.from(s.tag, 'base64url'));
    try {
      return Buffer.concat([d.update(Buffer.from(s.ct, 'base64url')), d.final()]);
    } catch (e) {
      throw new KekError('kek_unsealable', `the record sealed for ${aad} does not open: altered, or not its own`, {
        cause: e,
      });
    }
  }
}

/**
 * Load the KEK from `path` (base64, 32 bytes), creating it with mode 0600 when absent.
 * Refuses a file that others can read.
 */
export function loadOrCreateKek(path: string): { kek: Kek; created: boolean } {
  if (!existsSync(path)) {
    // Created only where a first start would: never while a rotation's files say one existed.
    if (existsSync(`${path}.next`) || existsSync(`${path}.previous`)) {
      throw new KekError(
        'kek_missing',
        `${path} is missing but a KEK rotation left ${path}.next or .previous beside it`,
      );
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { kek: new Kek(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')), created: true };
  }
  return { kek: readKek(path), created: false };
}

/**
 * Read an existing KEK file (base64, 32 bytes). Refuses a missing file and one that
 * others can read.
 */
export function readKek(path: string): Kek {
  if (!existsSync(path)) throw new KekError('kek_missing', `${path} does not exist`);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new KekError(
      'kek_exposed',
      `${path} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
    );
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new KekError('kek_invalid', `${path} must hold 32 bytes, base64-encoded`);
  return new Kek(key);
}

/** Where a KEK rotation keeps the keys on either side of it, beside the KEK file. */
export function kekRotationFiles(path: string): { next: string; previous: string } {
  return { next: `${path}.next`, previous: `${path}.previous` };
}

/**
 * The KEK the gateway seals with (`path`, created when absent at a first start), opening
 * also with the keys a rotation left beside it and with `previousFiles`: whatever point a
 * rotation was stopped at, every record opens.
 */
export function loadKekRing(path: string, previousFiles: readonly string[] = []): { kek: Kek; created: boolean } {
  const { kek, created } = loadOrCreateKek(path);
  const { next, previous } = kekRotationFiles(path);
  const others = [next, previous, ...previousFiles].filter((f) => existsSync(f)).map(readKek);
  return { kek: others.length ? kek.openingAlso(others) : kek, created };
}
