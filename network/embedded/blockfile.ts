/**
 * Append-only block files, framed as Fabric's block store frames them: each block is a
 * protobuf varint length followed by the block bytes. Files roll over at a size limit
 * (blockfile_000000, blockfile_000001, …). A block is on disk (fdatasync) before append
 * resolves. A torn tail — a crash mid-write — is found by `scan` and cut by `truncate`.
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

export class BlockFileWriter {
  private handle?: FileHandle;
  private file = 0;
  private size = 0;

  constructor(private readonly dir: string) {}

  /** Open for appending at the end of the newest file (after any truncation of a torn tail). */
  async open(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const files = listBlockFiles(this.dir);
    this.file = files.length ? files[files.length - 1]! : 0;
    this.handle = await open(join(this.dir, blockFileName(this.file)), 'a');
    this.size = (await this.handle.stat()).size;
  }

  async append(bytes: Uint8Array): Promise<BlockLocation> {
    if (!this.handle) throw new Error('block file is not open');
    const prefix = encodeVarint(bytes.length);
    if (this.size > 0 && this.size + prefix.length + bytes.length > BLOCKFILE_MAX_BYTES) {
      await this.handle.datasync();
      await this.handle.close();
      this.file += 1;
      this.handle = await open(join(this.dir, blockFileName(this.file)), 'a');
      this.size = 0;
    }
    const offset = this.size + prefix.length;
    await this.handle.write(Buffer.concat([prefix, bytes]));
    await this.handle.datasync();
    this.size = offset + bytes.length;
    return { file: this.file, offset, length: bytes.length };
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
