/**
 * The auditor's replay. For every block from 0, in order:
 *   1. encoding, number, header chain (previous_hash), data_hash;
 *   2. signatures — orderer, creators, endorsers, with certificates chained to the MSP
 *      roots of the config in force;
 *   3. each transaction's validation code, by re-running MVCC validation itself;
 *   4. each valid statement, re-applied with the contract's rules to the state of that
 *      moment: same writes, same event;
 *   5. at the end, the rebuilt world state against the ledger's current state and,
 *      optionally, the store's projection and the published status lists.
 * Trust nothing but mathematics: every finding names block, transaction and key.
 *
 * Stages, each in its own file: ./pipeline (1–4: blocks through the worker pool, then
 * in order on the main thread), ./state-compare and ./store-compare (5), ./summary.
 *
 * Threads. Everything that needs no world state — decoding, encoding, data_hash, every
 * signature and certificate chain, and the statement rechecks (given the values the
 * transaction read) — runs on worker threads (./pool, ./check), several blocks ahead.
 * The main thread only does what must be sequential: the chain link, MVCC validation,
 * the world state, and handing each valid statement the values it read.
 */
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/rules';
import type { Store } from '@anxin/gateway/store';
import { FindingLog } from './findings';
import { runPipeline, type PipelineOptions } from './pipeline';
import { recordsOf } from './records';
import type { ReplayResult } from './result';
import type { BlockSource } from './source';
import { compareState } from './state-compare';
import { compareStore } from './store-compare';
import { compareStatusLists, type ListFetcher } from './status-lists-compare';
import { summarize } from './summary';

export type { ReplayResult, ReplaySummary } from './result';

export interface ReplayOptions {
  from?: number;
  to?: number;
  /** Worker threads for the state-free checks; 0 = all in the main thread. */
  workers?: number;
  store?: Store;
  /** Called after each block. */
  onBlock?: PipelineOptions['onBlock'];
  /** List at most this many findings (the rest are counted, not listed). */
  maxFindings?: number;
  /** Blocks in flight on the workers ahead of the main thread (default 6 per worker). */
  window?: number;
  /** Keep the rebuilt world state in the result (`world`, not enumerable: not in JSON). */
  keepWorld?: boolean;
  /** The name the Anxin chaincode has on this ledger (default: what the source says, else DEFAULT_CHAINCODE_NAME). */
  chaincode?: string;
  /** Where the published status lists are read from (a gateway's public URL): each is compared with the ledger. */
  statusLists?: ListFetcher;
}

/** Why a replay cannot run as asked. Stable: callers branch on it. */
export type ReplayUsageErrorCode =
  /** The range asked for holds no block of the source. */
  'EMPTY_RANGE';

/** The replay cannot run as asked (e.g. a range outside the source). */
export class ReplayUsageError extends Error {
  constructor(
    readonly code: ReplayUsageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReplayUsageError';
  }
}

/**
 * Replay `source` and check everything; findings name block, transaction and key.
 *
 * @example
 * const r = await replay(dataDirSource('./data'), { workers: 2 });
 * if (!r.ok) for (const f of r.findings) console.log(describe(f));
 */
export async function replay(source: BlockSource, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const start = source.start ?? 0;
  const from = Math.max(opts.from ?? start, start);
  const last = Math.min(opts.to ?? source.height - 1, source.height - 1);
  if (from > last)
    throw new ReplayUsageError(
      'EMPTY_RANGE',
      `nothing to replay: blocks ${from}–${last} (the source holds blocks ${start}–${source.height - 1})`,
    );
  const maxFindings = opts.maxFindings ?? 1000;
  const chaincode = opts.chaincode ?? source.chaincode ?? DEFAULT_CHAINCODE_NAME;
  const workers = opts.workers ?? 0;
  const log = new FindingLog(Math.max(maxFindings, 10_000));
  const notes: string[] = [];

  const window = Math.max(1, opts.window ?? Math.max(2, workers * 6));
  const p = await runPipeline(
    source,
    { start, from, last },
    { workers, window, chaincode, onBlock: opts.onBlock },
    log.report,
  );

  // The rebuilt state against the ledger's own, and against the store's projection.
  const complete = from === 0 && last === source.height - 1 && p.stateKnown;
  if (start > 0)
    notes.push(
      `the source starts at block ${start}: validation codes, statements and state need every block from 0, so only encoding, hashes and signatures were checked`,
    );
  else if (from > 0) notes.push(`blocks before ${from} were read to rebuild the state but not checked`);
  if (last < source.height - 1) notes.push(`blocks after ${last} were not read`);
  const stateCompared = complete && !!source.state;
  if (complete && source.state) compareState(p.world.state, source.state, log.report);
  else if (complete)
    notes.push(
      "the source has no copy of the ledger's current state to compare with (only an embedded data directory has one)",
    );

  const records = recordsOf(p.world, chaincode, log.report);
  const storeCompared = !!opts.store && complete;
  if (opts.store && !complete)
    notes.push('the store was not compared: that needs a complete replay from block 0 to the end');
  if (opts.store && complete) {
    const height = last + 1;
    const { newer } = await compareStore(opts.store, records, p.world, height, log.report);
    if (newer)
      notes.push(
        `${newer} records in the store were changed after block ${height - 1} (the replay's end) and were not compared`,
      );
  }

  if (opts.statusLists && !complete)
    notes.push('the status lists were not compared: that needs a complete replay from block 0 to the end');
  if (opts.statusLists && complete) {
    const n = await compareStatusLists(records, opts.statusLists, log.report);
    notes.push(`${n} published status list${n === 1 ? '' : 's'} compared with the ledger's statuses`);
  }

  const findings = log.inLedgerOrder();
  const result: ReplayResult = {
    ok: log.total === 0,
    findings: findings.slice(0, maxFindings),
    findingsTotal: log.total,
    summary: summarize(p, records, {
      source: source.describe,
      from,
      last,
      start,
      stateCompared,
      storeCompared,
      notes,
      workers,
      started,
      cpuStarted,
    }),
  };
  if (opts.keepWorld) Object.defineProperty(result, 'world', { value: p.world, enumerable: false });
  return result;
}
