/**
 * Append-only block files, framed as Fabric's block store frames them: each block is a
 * protobuf varint length followed by the block bytes. Files roll over at a size limit
 * (blockfile_000000, blockfile_000001, …). A block is on disk (fdatasync) before append
 * resolves; an append that fails is cut back at once. A torn tail — a crash mid-write — is
 * found by `scan` and cut by `truncate`.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  ftruncateSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const BLOCKFILE_MAX_BYTES = 64 * 1024 * 1024;

export interface BlockLocation {
  file: number;
  /** Offset of the block bytes (after the length prefix). */
  offset: number;
  length: number;
}

export function blockFileName(n: number): string {
  return `blockfile_${String(n).padStart(6, '0')}`;
}

export function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function decodeVarint(buf: Buffer, at: number): { value: number; size: number } | undefined {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 10; i++) {
    if (at + i >= buf.length) return undefined;
    const b = buf[at + i]!;
    value += (b & 0x7f) * mult;
    if (!(b & 0x80)) return { value, size: i + 1 };
    mult *= 128;
  }
  return undefined;
}

/** The block file numbers present in `dir`, ascending. */
export function listBlockFiles(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^blockfile_(\d{6})$/.exec(f))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export interface ScannedBlock extends BlockLocation {
  bytes: Buffer;
}

export interface ScanResult {
  blocks: ScannedBlock[];
  /** Where a torn or unreadable frame starts, if the data ends in one. */
  tail?: { file: number; offset: number; reason: string };
}

/**
 * Read every complete frame from (file, offset) on. Stops at the first frame that runs
 * past the end of its file (a torn write) and reports where.
 */
export function* scanBlockFiles(
  dir: string,
  from: { file: number; offset: number } = { file: 0, offset: 0 },
): Generator<ScannedBlock, ScanResult['tail'] | undefined> {
  for (const file of listBlockFiles(dir).filter((f) => f >= from.file)) {
    const buf = readFileSync(join(dir, blockFileName(file)));
    let at = file === from.file ? from.offset : 0;
    while (at < buf.length) {
      const len = decodeVarint(buf, at);
      if (!len) return { file, offset: at, reason: 'length prefix cut short' };
      const start = at + len.size;
      if (start + len.value > buf.length) return { file, offset: at, reason: 'block cut short' };
      yield { file, offset: start, length: len.value, bytes: buf.subarray(start, start + len.value) };
      at = start + len.value;
    }
  }
  return undefined;
}

/**
 * Appends blocks to the newest block file. An append that fails — a full disk, an I/O
 * error, a write cut short — is cut back to where the file ended before it, so that no
 * partial frame stays behind for the next block to land after. Should the cut fail too,
 * the writer is `dirty` (the file holds bytes past `size`) and must be repaired before it
 * appends again.
 */
export class BlockFileWriter {
  private handle?: FileHandle;
  private file = 0;
  private size = 0;
  /** Where the last successful append started (file, size before it): what `dropLast` cuts back to. */
  private last?: { file: number; start: number };
  /** The file holds bytes past `size` that a failed append left and could not cut back. */
  dirty = false;

  constructor(private readonly dir: string) {}

  /** Open for appending at the end of the newest file (after any truncation of a torn tail). */
  async open(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const files = listBlockFiles(this.dir);
    this.file = files.length ? files[files.length - 1]! : 0;
    this.handle = await open(join(this.dir, blockFileName(this.file)), 'a');
    this.size = (await this.handle.stat()).size;
    this.last = undefined;
    this.dirty = false;
  }

  /** Close and open again at the end of the newest file, as it now is (after a repair). */
  async reopen(): Promise<void> {
    await this.close();
    await this.open();
  }

  /** Where the next block will go: the newest file and its length. */
  get end(): { file: number; size: number } {
    return { file: this.file, size: this.size };
  }

  /**
   * Append one framed block and make it durable (fdatasync) before resolving. On failure
   * the file is cut back to its length before the append; the error is rethrown.
   */
  async append(bytes: Uint8Array): Promise<BlockLocation> {
    if (!this.handle) throw new Error('block file is not open');
    if (this.dirty) throw new Error('block file holds the remains of a failed write');
    const prefix = encodeVarint(bytes.length);
    if (this.size > 0 && this.size + prefix.length + bytes.length > BLOCKFILE_MAX_BYTES) {
      await this.handle.datasync();
      const next = await open(join(this.dir, blockFileName(this.file + 1)), 'a');
      await this.handle.close();
      this.handle = next;
      this.file += 1;
      this.size = 0;
    }
    const start = this.size;
    const frame = Buffer.concat([prefix, bytes]);
    try {
      // A write may be cut short (a disk filling up) without an error: write until all is written.
      for (let at = 0; at < frame.length;) {
        const { bytesWritten } = await this.handle.write(frame, at, frame.length - at);
        if (bytesWritten <= 0) throw new Error('the block file accepts no more bytes');
        at += bytesWritten;
      }
      await this.handle.datasync();
    } catch (e) {
      // Cut back what was written; should that fail too, the writer is dirty (the ledger sees it).
      await this.cutBack(start).catch(() => undefined);
      throw e;
    }
    this.size = start + frame.length;
    this.last = { file: this.file, start };
    return { file: this.file, offset: start + prefix.length, length: bytes.length };
  }

  /**
   * Cut the block appended last (durable, but whose state could not be committed) off the
   * file again. Throws when it cannot: the writer is then `dirty`.
   */
  async dropLast(): Promise<void> {
    if (!this.last || this.last.file !== this.file) throw new Error('no block to drop in the current block file');
    const start = this.last.start;
    this.last = undefined;
    this.size = start;
    await this.cutBack(start);
  }

  /** Truncate the current file to `size` and sync it; on failure mark the writer dirty and throw. */
  private async cutBack(size: number): Promise<void> {
    try {
      await this.handle!.truncate(size);
      await this.handle!.datasync();
      this.size = size;
    } catch (e) {
      this.dirty = true;
      throw new Error(`the block file could not be cut back to ${size} bytes: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** Cut a block file at `offset` (drop a torn tail) and remove any later files. */
export function truncateBlockFiles(dir: string, file: number, offset: number): void {
  const fd = openSync(join(dir, blockFileName(file)), 'r+');
  try {
    ftruncateSync(fd, offset);
  } finally {
    closeSync(fd);
  }
  for (const later of listBlockFiles(dir).filter((f) => f > file)) {
    const p = join(dir, blockFileName(later));
    const fd2 = openSync(p, 'r+');
    try {
      ftruncateSync(fd2, 0);
    } finally {
      closeSync(fd2);
    }
  }
}

/** Read one block at a known location. */
export function readBlockAt(dir: string, loc: BlockLocation): Buffer {
  const fd = openSync(join(dir, blockFileName(loc.file)), 'r');
  try {
    if (fstatSync(fd).size < loc.offset + loc.length)
      throw new Error(`block file ${loc.file} is shorter than its index says`);
    const buf = Buffer.alloc(loc.length);
    readSync(fd, buf, 0, loc.length, loc.offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}
