/**
 * Where blocks come from: an embedded ledger's data directory (read-only, alongside a
 * running gateway), an export file, or a ledger through the Ledger port (a Fabric peer).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Ledger } from '@anxin/network';
import { scanBlockFiles } from '@anxin/network/embedded/blockfile';
import { CHAIN_DIR } from '@anxin/network/embedded/genesis';
import type { Versioned } from './world';

export interface RawBlock {
  number: number;
  bytes: Uint8Array;
}

export interface BlockSource {
  describe: string;
  /** Blocks to replay: 0 … height-1, fixed when the source was opened. */
  height: number;
  /** Whether blocks come from Fabric (metadata fields an embedded ledger leaves empty may be set). */
  fabric: boolean;
  blocks(from: number): AsyncIterable<RawBlock>;
  /** The ledger's own current state at `height`, to compare the rebuilt state with, if the source has it. */
  state?: Map<string, Versioned>;
  close(): Promise<void>;
}

export class SourceError extends Error {}

/**
 * An embedded ledger's data directory. The height and the state are read in one SQLite
 * read transaction (a snapshot: a running gateway keeps writing undisturbed), then the
 * block files are read up to that height.
 */
export function dataDirSource(dir: string): BlockSource {
  const chain = join(dir, CHAIN_DIR);
  if (!existsSync(chain)) throw new SourceError(`${dir} holds no ledger (no ${CHAIN_DIR})`);
  const indexPath = join(dir, 'index', 'state.sqlite');
  let height: number | undefined;
  let state: Map<string, Versioned> | undefined;
  if (existsSync(indexPath)) {
    const db = new Database(indexPath, { readonly: true, fileMustExist: true });
    try {
      db.exec('BEGIN');
      const last = db.prepare('SELECT max(number) AS n FROM blocks').get() as { n: number | null };
      height = last.n === null ? 0 : last.n + 1;
      state = new Map();
      for (const r of db.prepare('SELECT ns, key, value, block, tx FROM state').iterate() as Iterable<{ ns: string; key: Buffer; value: Buffer; block: number; tx: number }>) {
        state.set(`${r.ns}\u0000${r.key.toString('utf8')}`, { value: r.value, version: { block: r.block, tx: r.tx } });
      }
      db.exec('COMMIT');
    } finally {
      db.close();
    }
  }
  if (height === undefined) {
    // No index: every complete block in the files.
    height = 0;
    for (const _ of scanBlockFiles(chain)) height++;
  }
  const h = height;
  return {
    describe: `data directory ${dir}`,
    height: h,
    fabric: false,
    ...(state ? { state } : {}),
    async *blocks(from: number) {
      let n = 0;
      const it = scanBlockFiles(chain);
      for (;;) {
        if (n >= h) return;
        const step = it.next();
        if (step.done) {
          throw new SourceError(`the block files end at block ${n}, but the ledger's index says its height is ${h}`);
        }
        if (n >= from) yield { number: n, bytes: step.value.bytes };
        n++;
      }
    },
    close: async () => undefined,
  };
}

export const EXPORT_MAGIC = 'ANXIN-BLOCKS/1\n';

export interface ExportHeader {
  channel?: string;
  from: number;
  to: number;
  exportedAt: string;
  source: string;
}

function readVarint(buf: Buffer, at: number): { value: number; size: number } | undefined {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 10 && at + i < buf.length; i++) {
    const b = buf[at + i]!;
    value += (b & 0x7f) * mult;
    if (!(b & 0x80)) return { value, size: i + 1 };
    mult *= 128;
  }
  return undefined;
}

/** Parse an export file: magic, one JSON header line, then varint-framed blocks. */
export function readExport(path: string): { header: ExportHeader; frames: Buffer[] } {
  const size = statSync(path).size;
  const buf = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  if (!buf.subarray(0, EXPORT_MAGIC.length).equals(Buffer.from(EXPORT_MAGIC))) throw new SourceError(`${path} is not an Anxin block export`);
  const nl = buf.indexOf(10, EXPORT_MAGIC.length);
  if (nl < 0) throw new SourceError(`${path}: the export header is cut short`);
  const header = JSON.parse(buf.subarray(EXPORT_MAGIC.length, nl).toString('utf8')) as ExportHeader;
  const frames: Buffer[] = [];
  let at = nl + 1;
  while (at < buf.length) {
    const len = readVarint(buf, at);
    if (!len || at + len.size + len.value > buf.length) throw new SourceError(`${path}: a block frame at byte ${at} is cut short`);
    frames.push(buf.subarray(at + len.size, at + len.size + len.value));
    at += len.size + len.value;
  }
  return { header, frames };
}

/** An export file. Blocks are numbered by their own headers, checked by the replay. */
export function fileSource(path: string): BlockSource {
  const { header, frames } = readExport(path);
  return {
    describe: `export ${path} (blocks ${header.from}–${header.to} of ${header.source})`,
    height: header.from + frames.length,
    fabric: /fabric/i.test(header.source),
    async *blocks(from: number) {
      for (const [i, bytes] of frames.entries()) if (header.from + i >= from) yield { number: header.from + i, bytes };
    },
    close: async () => undefined,
  };
}

/** Any Ledger (e.g. a Fabric peer): blocks from the port, up to the height when opened. */
export async function ledgerSource(ledger: Ledger, describe: string): Promise<BlockSource> {
  const { height } = await ledger.info();
  return {
    describe,
    height,
    fabric: ledger.kind === 'fabric',
    async *blocks(from: number) {
      if (from >= height) return;
      for await (const b of ledger.blocks(from, { follow: true })) {
        yield b;
        if (b.number >= height - 1) return;
      }
    },
    close: () => ledger.close(),
  };
}
