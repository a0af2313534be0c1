/**
 * The backup file (ANXIN-BACKUP/1). A magic line, one line of JSON (the header: the
 * manifest's length and SHA-256, and how the body is encrypted, if it is), then the body:
 * the manifest (JSON), each file the manifest lists in its order and size, and an end line.
 *
 * An encrypted body (the KEK is in it) is cut into chunks sealed with AES-256-GCM under a
 * key scrypt derives from a passphrase: each chunk's nonce is its number, and its number,
 * whether it is the last, and the whole header line are its additional data, so chunks
 * cannot be reordered, dropped, cut off at the end or moved to another file unnoticed
 * (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt as scryptCb } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { BackupError } from './errors';

export const BACKUP_MAGIC = 'ANXIN-BACKUP/1\n';
export const BACKUP_END = 'ANXIN-BACKUP-END\n';
export const FORMAT_VERSION = 1;
/** Plaintext bytes per encrypted chunk. */
export const CHUNK_BYTES = 1024 * 1024;
/** scrypt cost: 2^17 × 8 × 128 B = 128 MiB and about half a second, per OWASP's guidance for scrypt. */
export const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** The most a header may ask of scrypt on restore (a hostile file must not exhaust memory). */
const SCRYPT_MAX_N = 2 ** 20;
const MAX_HEADER_BYTES = 64 * 1024;

export interface Encryption {
  cipher: 'aes-256-gcm';
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  chunkBytes: number;
  /** HMAC-SHA-256 of a fixed label under the derived key: tells a wrong passphrase from damage. */
  keyCheck: string;
}

export interface BackupHeader {
  format: 'anxin-backup';
  version: number;
  manifest: { length: number; sha256: string };
  encryption?: Encryption;
}

/** One file in the backup, at its path relative to the data directory. */
export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  mode: number;
  /** A secret (the KEK, the admin API key): present only in an encrypted backup. */
  secret?: boolean;
}

export interface Manifest {
  format: 'anxin-backup';
  version: number;
  createdAt: string;
  /** Versions of what wrote the backup. */
  versions: { anxin: string; node: string; storeSchema?: number };
  source: { dataDir: string };
  ledger: {
    kind: 'embedded';
    channel: string;
    chaincode: string;
    /** Blocks 0 … height − 1 are in the backup: the backup point. */
    height: number;
    genesisHash: string;
    lastBlockHash: string;
    /** SHA-256 of each block's bytes, by block number. */
    blocks: string[];
  };
  store?: {
    kind: 'sqlite';
    path: string;
    schemaVersion: number;
    /** Where the store's projection of the ledger stood (the next block and transaction to apply). */
    projection?: { block: number; txIndex: number };
    /** Fingerprints of the KEKs the store's sealed records were sealed under. */
    kekFingerprints: string[];
  };
  kek: { fingerprint?: string; included: boolean };
  files: ManifestFile[];
}

export function scrypt(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(passphrase, salt, 32, { ...p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('anxin-backup key check').digest('hex');
}

/** A new encryption section and its key, from a passphrase. */
export async function newEncryption(passphrase: string): Promise<{ encryption: Encryption; key: Buffer }> {
  const salt = randomBytes(16);
  const key = await scrypt(passphrase, salt, SCRYPT);
  return {
    key,
    encryption: {
      cipher: 'aes-256-gcm',
      kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64url') },
      chunkBytes: CHUNK_BYTES,
      keyCheck: keyCheck(key),
    },
  };
}

/** The key of an encrypted backup, from its passphrase; BACKUP_PASSPHRASE when it is the wrong one. */
export async function openEncryption(e: Encryption, passphrase: string): Promise<Buffer> {
  const { N, r, p, salt } = e.kdf;
  if (
    e.cipher !== 'aes-256-gcm' ||
    e.kdf.name !== 'scrypt' ||
    ![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0) ||
    N > SCRYPT_MAX_N ||
    r * p > 64 ||
    !(e.chunkBytes > 0 && e.chunkBytes <= 64 * CHUNK_BYTES)
  )
    throw new BackupError('BACKUP_FORMAT', 'the header names an encryption this CLI does not use');
  const key = await scrypt(passphrase, Buffer.from(salt, 'base64url'), { N, r, p });
  if (keyCheck(key) !== e.keyCheck)
    throw new BackupError('BACKUP_PASSPHRASE', 'the passphrase does not open this backup');
  return key;
}

function nonce(i: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(i, 6, 6);
  return n;
}

function chunkAad(headerLine: Buffer, i: number, last: boolean): Buffer {
  const tail = Buffer.alloc(9);
  tail.writeUIntBE(i, 2, 6);
  tail[8] = last ? 1 : 0;
  return Buffer.concat([headerLine, tail]);
}

/**
 * Writes the body of a backup to a file handle: plain, or in sealed chunks. Chunks are cut
 * at `chunkBytes` of plaintext; `end()` seals the last one.
 */
export class BodyWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private chunk = 0;
  bytes = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly headerLine: Buffer,
    private readonly key?: Buffer,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async write(b: Buffer): Promise<void> {
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.bytes += b.length;
    while (this.pendingBytes >= this.chunkBytes) await this.flush(this.chunkBytes, false);
  }

  async end(): Promise<void> {
    await this.flush(this.pendingBytes, true);
  }

  private async flush(n: number, last: boolean): Promise<void> {
    const all = Buffer.concat(this.pending, this.pendingBytes);
    const plain = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    if (!this.key) {
      if (plain.length) await this.fh.write(plain);
      return;
    }
    const c = createCipheriv('aes-256-gcm', this.key, nonce(this.chunk));
    c.setAAD(chunkAad(this.headerLine, this.chunk, last));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const frame = Buffer.alloc(5);
    frame[0] = last ? 1 : 0;
    frame.writeUInt32BE(ct.length, 1);
    await this.fh.write(Buffer.concat([frame, ct, c.getAuthTag()]));
    this.chunk++;
  }
}

/** Reads exact byte counts from a stream of chunks; running out is BACKUP_TRUNCATED. */
class Bytes {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    return this.buf.length >= n;
  }

  /** Exactly `n` bytes, or undefined when the stream ends first. */
  async take(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Up to `max` bytes (at least 1), or undefined at the end. */
  async some(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill(1))) return undefined;
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }
}

async function* fileChunks(fh: FileHandle, from: number): AsyncGenerator<Buffer> {
  let at = from;
  for (;;) {
    const buf = Buffer.alloc(CHUNK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, at);
    if (!bytesRead) return;
    at += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

async function* decrypted(raw: Bytes, headerLine: Buffer, key: Buffer, chunkBytes: number): AsyncGenerator<Buffer> {
  for (let i = 0; ; i++) {
    const frame = await raw.take(5);
    if (!frame)
      throw new BackupError('BACKUP_TRUNCATED', `the file ends before its last encrypted chunk (at chunk ${i})`, {
        chunk: i,
      });
    const last = frame[0] === 1;
    const len = frame.readUInt32BE(1);
    if (frame[0]! > 1 || len > chunkBytes + 16)
      throw new BackupError('BACKUP_DAMAGED', `encrypted chunk ${i} has a damaged frame`, { chunk: i });
    const body = await raw.take(len + 16);
    if (!body) throw new BackupError('BACKUP_TRUNCATED', `the file ends inside encrypted chunk ${i}`, { chunk: i });
    const d = createDecipheriv('aes-256-gcm', key, nonce(i));
    d.setAAD(chunkAad(headerLine, i, last));
    d.setAuthTag(body.subarray(len));
    let plain: Buffer;
    try {
      plain = Buffer.concat([d.update(body.subarray(0, len)), d.final()]);
    } catch {
      throw new BackupError('BACKUP_DAMAGED', `encrypted chunk ${i} does not authenticate: the file was altered`, {
        chunk: i,
      });
    }
    yield plain;
    if (last) {
      if (!(await raw.atEnd()))
        throw new BackupError('BACKUP_DAMAGED', 'bytes follow the last encrypted chunk', { chunk: i + 1 });
      return;
    }
  }
}

/** An opened backup file: its header, and its body to read in order. */
export interface OpenedBackup {
  header: BackupHeader;
  headerLine: Buffer;
  /** Where the body starts in the file. */
  bodyAt: number;
}

/** Read and check the magic line and the header. */
export async function readHeader(fh: FileHandle): Promise<OpenedBackup> {
  const buf = Buffer.alloc(BACKUP_MAGIC.length + MAX_HEADER_BYTES);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  const head = buf.subarray(0, bytesRead);
  if (head.subarray(0, BACKUP_MAGIC.length).toString('latin1') !== BACKUP_MAGIC) {
    if (head.subarray(0, 13).toString('latin1') === 'ANXIN-BACKUP/')
      throw new BackupError('BACKUP_VERSION', 'the backup was written by a later format version');
    throw new BackupError('BACKUP_FORMAT', 'not an Anxin backup file (no ANXIN-BACKUP/1 line)');
  }
  const nl = head.indexOf(0x0a, BACKUP_MAGIC.length);
  if (nl < 0) {
    if (bytesRead < buf.length) throw new BackupError('BACKUP_TRUNCATED', 'the file ends inside its header');
    throw new BackupError('BACKUP_FORMAT', 'the header line is too long');
  }
  const headerLine = Buffer.from(head.subarray(BACKUP_MAGIC.length, nl + 1));
  let header: BackupHeader;
  try {
    header = JSON.parse(headerLine.toString('utf8')) as BackupHeader;
  } catch {
    throw new BackupError('BACKUP_FORMAT', 'the header line is not JSON');
  }
  if (header?.format !== 'anxin-backup' || typeof header.version !== 'number')
    throw new BackupError('BACKUP_FORMAT', 'the header is not an Anxin backup header');
  if (header.version > FORMAT_VERSION)
    throw new BackupError('BACKUP_VERSION', `the backup is format version ${header.version}; this CLI reads 1`);
  const m = header.manifest;
  if (!m || !Number.isSafeInteger(m.length) || m.length <= 0 || !/^[0-9a-f]{64}$/.test(m.sha256 ?? ''))
    throw new BackupError('BACKUP_FORMAT', 'the header does not describe a manifest');
  return { header, headerLine, bodyAt: nl + 1 };
}

/** The body as a reader of exact byte counts: decrypted when the backup is encrypted. */
export function bodyReader(fh: FileHandle, opened: OpenedBackup, key?: Buffer): BodyReader {
  const raw = new Bytes(fileChunks(fh, opened.bodyAt));
  const enc = opened.header.encryption;
  if (!enc) return new BodyReader(raw);
  if (!key) throw new BackupError('BACKUP_PASSPHRASE', 'the backup is encrypted: a passphrase is needed');
  return new BodyReader(new Bytes(decrypted(raw, opened.headerLine, key, enc.chunkBytes)));
}

export class BodyReader {
  constructor(private readonly bytes: Bytes) {}

  /** Exactly `n` bytes; BACKUP_TRUNCATED naming `what` when the file ends first. */
  async exactly(n: number, what: string): Promise<Buffer> {
    const b = await this.bytes.take(n);
    if (!b) throw new BackupError('BACKUP_TRUNCATED', `the file ends inside ${what}`, { file: what });
    return b;
  }

  /** `n` bytes in pieces, to stream into a file. */
  async *pieces(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const b = await this.bytes.some(Math.min(left, CHUNK_BYTES));
      if (!b) throw new BackupError('BACKUP_TRUNCATED', `the file ends inside ${what}`, { file: what });
      left -= b.length;
      yield b;
    }
  }

  /** The end line, and nothing after it. */
  async end(): Promise<void> {
    const b = await this.bytes.take(BACKUP_END.length);
    if (!b) throw new BackupError('BACKUP_TRUNCATED', 'the file ends before its end line');
    if (b.toString('latin1') !== BACKUP_END) throw new BackupError('BACKUP_FORMAT', 'the end line is not there');
    if (!(await this.bytes.atEnd())) throw new BackupError('BACKUP_FORMAT', 'bytes follow the end line');
  }
}
