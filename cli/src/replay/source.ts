/**
 * Where blocks come from: an embedded ledger's data directory (read-only, alongside a
 * running gateway), an export file, or a ledger through the Ledger port (a Fabric peer).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Ledger } from '@anxin/network';
import { scanBlockFiles } from '@anxin/network/embedded/blockfile';
import { CHAIN_DIR, isCreated, readDescriptor } from '@anxin/network/embedded/genesis';
import type { Versioned } from './world';

export interface RawBlock {
  number: number;
  bytes: Uint8Array;
}

export interface BlockSource {
  describe: string;
  /** Blocks to replay: start … height-1, fixed when the source was opened. */
  height: number;
  /**
   * First block of the range the source holds (default 0). A source starting later (a
   * partial export) yields its context blocks first: the config blocks in force, for
   * their MSP roots only.
   */
  start?: number;
  /** Whether blocks come from Fabric (metadata fields an embedded ledger leaves empty may be set). */
  fabric: boolean;
  /** The name of the Anxin chaincode on this ledger, when the source's own configuration says. */
  chaincode?: string;
  /** Blocks from `from` (context blocks first, when the source has them). */
  blocks(from: number): AsyncIterable<RawBlock>;
  /** The ledger's own current state at `height`, to compare the rebuilt state with, if the source has it. */
  state?: Map<string, Versioned>;
  close(): Promise<void>;
}

/** How the blocks of a source are damaged. Stable: callers branch on it. */
export type SourceErrorCode =
  /** The block files end (torn, cut short, not framed) before the height the ledger's index gives. */
  | 'BLOCK_FILES_END_EARLY'
  /** An export holds more blocks than its header lists. */
  | 'EXPORT_HEADER_MISMATCH'
  /** An export's frames are damaged (cut short, not framed). */
  | 'EXPORT_DAMAGED';

/** The blocks themselves are damaged (torn, cut short, not framed): a finding, not a usage error. */
export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** Why a source cannot be opened. Stable: callers branch on it. */
export type SourceOpenErrorCode =
  /** No such directory or file. */
  | 'NOT_FOUND'
  /** A directory that holds no embedded ledger. */
  | 'NOT_A_LEDGER'
  /** The ledger's index (index/state.sqlite) exists but cannot be read. */
  | 'INDEX_UNREADABLE'
  /** A file that is not an Anxin block export. */
  | 'NOT_AN_EXPORT'
  /** An export whose header is cut short, not JSON, or does not say which blocks it holds. */
  | 'EXPORT_HEADER_INVALID';

/** The source cannot be opened at all (no such directory, not a ledger, not an export): exit 2. */
export class SourceOpenError extends Error {
  constructor(
    readonly code: SourceOpenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SourceOpenError';
  }
}

/** The ledger folder of a data directory: DIR itself, or DIR/ledger for a gateway's data directory. */
export function ledgerDirOf(dir: string): string {
  if (existsSync(join(dir, CHAIN_DIR))) return dir;
  if (existsSync(join(dir, 'ledger', CHAIN_DIR))) return join(dir, 'ledger');
  if (!existsSync(dir)) throw new SourceOpenError('NOT_FOUND', `${dir} does not exist`);
  throw new SourceOpenError(
    'NOT_A_LEDGER',
    `${dir} holds no embedded ledger (no ${CHAIN_DIR}, nor ledger/${CHAIN_DIR})`,
  );
}

/** The ledger's index, opened read-only; undefined when it has none. */
export function openIndex(ledgerDir: string): Database.Database | undefined {
  const indexPath = join(ledgerDir, 'index', 'state.sqlite');
  if (!existsSync(indexPath)) return undefined;
  const db = new Database(indexPath, { readonly: true, fileMustExist: true });
  // A running ledger holds write locks only for a moment; wait for them rather than fail.
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * An embedded ledger's data directory (the ledger folder, or a gateway's data directory
 * holding one in ledger/). The height and the state are read in one SQLite read
 * transaction — a snapshot: a running gateway keeps writing undisturbed — then the
 * block files are read up to that height. Blocks committed after the snapshot are not
 * replayed (their bytes are on disk before the index names them, so every block up to
 * the height is there to read).
 */
export function dataDirSource(dir: string): BlockSource {
  const ledgerDir = ledgerDirOf(dir);
  const chain = join(ledgerDir, CHAIN_DIR);
  let height: number | undefined;
  let state: Map<string, Versioned> | undefined;
  const db = openIndex(ledgerDir);
  if (db) {
    try {
      const snapshot = db.transaction(() => {
        const last = db.prepare('SELECT max(number) AS n FROM blocks').get() as { n: number | null };
        const s = new Map<string, Versioned>();
        for (const r of db.prepare('SELECT ns, key, value, block, tx FROM state').iterate() as Iterable<{
          ns: string;
          key: Buffer;
          value: Buffer;
          block: number;
          tx: number;
        }>) {
          s.set(`${r.ns}\u0000${r.key.toString('utf8')}`, { value: r.value, version: { block: r.block, tx: r.tx } });
        }
        return { height: last.n === null ? 0 : last.n + 1, state: s };
      });
      ({ height, state } = snapshot.deferred());
    } catch (e) {
      throw new SourceOpenError(
        'INDEX_UNREADABLE',
        `cannot read the ledger's index in ${ledgerDir}: ${(e as Error).message}`,
      );
    } finally {
      db.close();
    }
  }
  if (height === undefined || height === 0) {
    // No index (or an empty one): every complete block in the files.
    height = 0;
    for (const _ of scanBlockFiles(chain)) height++;
  }
  const h = height;
  const chaincode = chaincodeOf(ledgerDir);
  return {
    describe: `data directory ${ledgerDir}`,
    height: h,
    fabric: false,
    ...(chaincode ? { chaincode } : {}),
    ...(state ? { state } : {}),
    async *blocks(from: number) {
      let n = 0;
      const it = scanBlockFiles(chain);
      for (;;) {
        if (n >= h) return;
        const step = it.next();
        if (step.done) {
          const tail = step.value;
          const where = tail ? `: ${tail.reason} in block file ${tail.file} at byte ${tail.offset}` : '';
          throw new SourceError(
            'BLOCK_FILES_END_EARLY',
            `the block files end at block ${n}${where}, but the ledger's index says its height is ${h}`,
          );
        }
        if (n >= from) yield { number: n, bytes: step.value.bytes };
        n++;
      }
    },
    close: async () => undefined,
  };
}

/** The chaincode name an embedded ledger's descriptor (network.json) gives, if it can be read. */
export function chaincodeOf(ledgerDir: string): string | undefined {
  try {
    return isCreated(ledgerDir) ? readDescriptor(ledgerDir).chaincode.name : undefined;
  } catch {
    return undefined;
  }
}

export const EXPORT_MAGIC = 'ANXIN-BLOCKS/1\n';

export interface ExportHeader {
  format: 'anxin-blocks';
  version: 1;
  channel?: string;
  /** The range exported. */
  from: number;
  to: number;
  /**
   * Config blocks before `from` included (first, in this order) for their MSP roots, so
   * that a partial export's signatures can be checked. Empty when from = 0.
   */
  context: number[];
  exportedAt: string;
  /** What it was exported from (a data directory, a Fabric peer). */
  source: string;
  /** Whether the blocks come from Fabric. */
  fabric: boolean;
  /** The name of the Anxin chaincode on the ledger exported, when known. */
  chaincode?: string;
  /** Hex SHA-256 header hash of block `to`, as the exporting ledger computed it. */
  lastBlockHash?: string;
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

/** Parse an export file: magic, one JSON header line, then varint-framed blocks. A damaged frame ends `frames` and is named in `damage`. */
export function readExport(path: string): { header: ExportHeader; frames: Buffer[]; damage?: string } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new SourceOpenError('NOT_FOUND', `${path} does not exist`);
  }
  const buf = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  if (!buf.subarray(0, EXPORT_MAGIC.length).equals(Buffer.from(EXPORT_MAGIC)))
    throw new SourceOpenError('NOT_AN_EXPORT', `${path} is not an Anxin block export`);
  const nl = buf.indexOf(10, EXPORT_MAGIC.length);
  if (nl < 0) throw new SourceOpenError('EXPORT_HEADER_INVALID', `${path}: the export header is cut short`);
  let header: ExportHeader;
  try {
    header = JSON.parse(buf.subarray(EXPORT_MAGIC.length, nl).toString('utf8')) as ExportHeader;
  } catch {
    throw new SourceOpenError('EXPORT_HEADER_INVALID', `${path}: the export header is not JSON`);
  }
  if (
    !Number.isInteger(header.from) ||
    !Number.isInteger(header.to) ||
    header.from < 0 ||
    header.to < header.from ||
    !Array.isArray(header.context)
  ) {
    throw new SourceOpenError('EXPORT_HEADER_INVALID', `${path}: the export header does not say which blocks it holds`);
  }
  const frames: Buffer[] = [];
  let at = nl + 1;
  let damage: string | undefined;
  while (at < buf.length) {
    const len = readVarint(buf, at);
    if (!len || at + len.size + len.value > buf.length) {
      damage = `a block frame at byte ${at} is cut short`;
      break;
    }
    frames.push(buf.subarray(at + len.size, at + len.size + len.value));
    at += len.size + len.value;
  }
  return { header, frames, ...(damage ? { damage } : {}) };
}

/** An export file. Frames are numbered by the header (context blocks, then from…to); the replay checks each block's own number. */
export function fileSource(path: string): BlockSource {
  const { header, frames, damage } = readExport(path);
  const numbers = [
    ...header.context,
    ...Array.from({ length: header.to - header.from + 1 }, (_, i) => header.from + i),
  ];
  return {
    describe: `export ${path} (blocks ${header.from}–${header.to} of ${header.source})`,
    height: header.to + 1,
    start: header.from,
    fabric: !!header.fabric,
    ...(typeof header.chaincode === 'string' && header.chaincode ? { chaincode: header.chaincode } : {}),
    async *blocks(from: number) {
      for (const [i, bytes] of frames.entries()) {
        const number = numbers[i];
        if (number === undefined)
          throw new SourceError(
            'EXPORT_HEADER_MISMATCH',
            `the export holds more blocks than its header lists (${numbers.length})`,
          );
        if (number >= from || i < header.context.length) yield { number, bytes };
      }
      if (damage) throw new SourceError('EXPORT_DAMAGED', `the export is damaged: ${damage}`);
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
    chaincode: ledger.chaincode,
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
