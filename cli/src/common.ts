/**
 * What every command shares: exit codes, errors that carry them, where blocks come from
 * (--data, --file, --fabric), and small output helpers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/rules';
import { LedgerError } from '@anxin/network';
import { readBlockAt, scanBlockFiles } from '@anxin/network/embedded/blockfile';
import { CHAIN_DIR } from '@anxin/network/embedded/genesis';
import { openFabricProfile } from './fabric';
import {
  dataDirSource,
  fileSource,
  ledgerDirOf,
  ledgerSource,
  openIndex,
  readExport,
  SourceError,
  SourceOpenError,
  type BlockSource,
} from './replay/source';

/** Exit codes: everything holds; a mismatch (or: not verified, not found); usage, connection or source errors. */
export const EXIT = { OK: 0, MISMATCH: 1, USAGE: 2 } as const;

/** Why a command ended with an error. Stable: scripts and tests branch on it, never on the message. */
export type CliErrorCode =
  /** Options or arguments that do not parse, or do not fit together. */
  | 'USAGE'
  /** The blocks named cannot be opened or read: no such directory or file, not a ledger, not an export, damaged. */
  | 'SOURCE'
  /** What was asked for is not in the source (a block number). */
  | 'NOT_FOUND'
  /** A file or setting given (a --fabric profile, --store, --trust-list, a key, a credential) is missing or not what it must be. */
  | 'INVALID_INPUT'
  /** A peer, a ledger or a gateway cannot be reached, or fails. */
  | 'UNREACHABLE'
  /** A trust list not signed by the pinned key, or whose signature does not verify. */
  | 'UNTRUSTED'
  /** A trust list or status list past its `exp`: not to be leaned on; fetch a fresh one. */
  | 'EXPIRED'
  /** A block that does not decode. */
  | 'DAMAGED'
  /** The command will not do it (a device key is never overwritten). */
  | 'REFUSED'
  /** Anything else that ended the command. */
  | 'FAILED';

/**
 * An error that ends the command with a message on stderr and an exit code (default 2);
 * with --json, also `{ "error": { code, reason?, message } }` on stdout (`errorDocument`).
 */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;
  /** The finer code of what failed, when it has one (a WorkCardError's or a SourceOpenError's code, …). */
  readonly reason: string | undefined;

  constructor(message: string, opts: { code?: CliErrorCode; exitCode?: number; reason?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = opts.code ?? 'USAGE';
    this.exitCode = opts.exitCode ?? EXIT.USAGE;
    this.reason = opts.reason;
  }
}

/**
 * What a command asked for --json prints on stdout when it fails: the stable codes a script
 * branches on, and the message for people (also on stderr).
 *
 * @example
 * // anxin replay --file missing.anxin --json → exit 2, stdout:
 * // { "error": { "code": "SOURCE", "reason": "NOT_FOUND", "message": "…" } }
 */
export function errorDocument(e: CliError): { error: { code: CliErrorCode; reason?: string; message: string } } {
  return { error: { code: e.code, ...(e.reason ? { reason: e.reason } : {}), message: e.message } };
}

/** Map anything thrown while opening or reading a source to a CliError (exit 2). */
export function asCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof SourceOpenError || e instanceof SourceError)
    return new CliError(e.message, { code: 'SOURCE', reason: e.code });
  if (e instanceof LedgerError) return new CliError(`ledger: ${e.message}`, { code: 'UNREACHABLE' });
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES') return new CliError(err.message, { code: 'INVALID_INPUT' });
  return new CliError(err?.message ?? String(e), { code: 'FAILED' });
}

export function blockNumber(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('must be a block number (0, 1, 2, …)');
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('is too large');
  return n;
}

export function wholeNumber(max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) > max) throw new InvalidArgumentError(`must be a whole number from 0 to ${max}`);
    return Number(v);
  };
}

export interface SourceOptions {
  data?: string;
  file?: string;
  fabric?: string;
  /** --chaincode: the name of the Anxin chaincode on the ledger, when its own configuration does not say. */
  chaincode?: string;
}

/** The three ways to name where blocks come from; at most one. */
export function sourceOptions(which: Array<'data' | 'file' | 'fabric'> = ['data', 'file', 'fabric']): Option[] {
  const all = {
    data: new Option(
      '--data <dir>',
      "an embedded ledger's data directory (a gateway's data directory, or its ledger/ folder); default $ANXIN_DATA_DIR",
    ),
    file: new Option('--file <file>', 'an export made by `anxin export`'),
    fabric: new Option(
      '--fabric <profile>',
      "a Fabric peer: a network.json written by network/fabric, an env file of ANXIN_FABRIC_* lines, or 'env' for the ANXIN_FABRIC_* environment",
    ),
  };
  return which.map((w) => all[w].conflicts(which.filter((x) => x !== w)));
}

/**
 * --chaincode NAME: which chaincode's transactions are Anxin's. By default the name the
 * ledger's own configuration gives (an embedded ledger's network.json, a Fabric profile's
 * chaincode / ANXIN_FABRIC_CHAINCODE, an export's header), else 'anxin'.
 */
export function chaincodeOption(): Option {
  return new Option(
    '--chaincode <name>',
    "the name of the Anxin chaincode on the ledger (default: as the ledger's configuration says, else anxin)",
  ).argParser((v: string) => {
    // Fabric's rule for chaincode names.
    if (!/^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$/.test(v))
      throw new InvalidArgumentError('must be a chaincode name (letters, digits, - and _ between them)');
    return v;
  });
}

/** The chaincode name to read: --chaincode, else the source's own, else 'anxin'. */
export function chaincodeName(o: SourceOptions, source: { chaincode?: string }): string {
  return o.chaincode ?? source.chaincode ?? DEFAULT_CHAINCODE_NAME;
}

/** The data directory to use: --data, else $ANXIN_DATA_DIR. */
function dataDir(o: SourceOptions): string | undefined {
  return o.data ?? (o.file || o.fabric ? undefined : process.env.ANXIN_DATA_DIR || undefined);
}

export function requireSource(
  o: SourceOptions,
  which: Array<'data' | 'file' | 'fabric'> = ['data', 'file', 'fabric'],
): void {
  if (!dataDir(o) && !o.file && !o.fabric) {
    const names = which.map((w) => ({ data: '--data DIR', file: '--file FILE', fabric: '--fabric PROFILE' })[w]);
    throw new CliError(
      `say where the blocks are: ${names.join(', ').replace(/, ([^,]*)$/, ' or $1')} (or set ANXIN_DATA_DIR)`,
    );
  }
}

/** Open the block source the options name. */
export async function openSource(o: SourceOptions): Promise<BlockSource> {
  requireSource(o);
  try {
    if (o.file) return fileSource(o.file);
    if (o.fabric) {
      const { ledger, describe } = await openFabricProfile(o.fabric);
      return await ledgerSource(ledger, describe);
    }
    return dataDirSource(dataDir(o)!);
  } catch (e) {
    throw asCliError(e);
  }
}

/** One block's bytes, by number, without reading the whole ledger when the source has an index. */
export async function readOneBlock(
  o: SourceOptions,
  n: number,
): Promise<{ bytes: Uint8Array; describe: string; height: number }> {
  requireSource(o);
  try {
    if (o.file) {
      const { header, frames } = readExport(o.file);
      const numbers = [
        ...header.context,
        ...Array.from({ length: header.to - header.from + 1 }, (_, i) => header.from + i),
      ];
      const i = numbers.indexOf(n);
      if (i < 0 || !frames[i])
        throw new CliError(
          `the export holds blocks ${header.from}–${header.to}${header.context.length ? ` (and ${header.context.join(', ')})` : ''}, not block ${n}`,
          { code: 'NOT_FOUND' },
        );
      return { bytes: frames[i]!, describe: `export ${o.file}`, height: header.to + 1 };
    }
    if (o.fabric) {
      const { ledger, describe } = await openFabricProfile(o.fabric);
      try {
        const { height } = await ledger.info();
        if (n >= height) throw new CliError(`no block ${n}: the channel's height is ${height}`, { code: 'NOT_FOUND' });
        for await (const b of ledger.blocks(n, { follow: false })) return { bytes: b.bytes, describe, height };
        throw new CliError(`the peer sent no block ${n}`, { code: 'NOT_FOUND' });
      } finally {
        await ledger.close();
      }
    }
    const dir = ledgerDirOf(dataDir(o)!);
    const db = openIndex(dir);
    let height = 0;
    if (db) {
      try {
        const row = db.prepare('SELECT file, offset, length FROM blocks WHERE number = ?').get(n) as
          { file: number; offset: number; length: number } | undefined;
        height = ((db.prepare('SELECT max(number) AS n FROM blocks').get() as { n: number | null }).n ?? -1) + 1;
        if (row) return { bytes: readBlockAt(join(dir, CHAIN_DIR), row), describe: `data directory ${dir}`, height };
      } finally {
        db.close();
      }
    }
    let i = 0;
    for (const b of scanBlockFiles(join(dir, CHAIN_DIR))) {
      if (i === n) return { bytes: b.bytes, describe: `data directory ${dir}`, height: Math.max(height, n + 1) };
      i++;
    }
    throw new CliError(`no block ${n}: the ledger has ${Math.max(height, i)} blocks`, { code: 'NOT_FOUND' });
  } catch (e) {
    throw asCliError(e);
  }
}

export function exists(path: string): boolean {
  return existsSync(path);
}

/** Write a line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** JSON to stdout. */
export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
