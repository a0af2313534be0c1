/**
 * How an embedded ledger is opened: its options, and the defaults of its endorsement
 * workers and of the main thread's own endorsements.
 */
import { availableParallelism } from 'node:os';
import type { BatchConfig, GenesisOptions } from './genesis';

export interface EmbeddedLedgerOptions {
  /** The contract classes to run (the Anxin contract by default). */
  contracts?: unknown[];
  /** Override the batch settings recorded at genesis (e.g. for benchmarks). */
  batch?: Partial<BatchConfig>;
  /** Create the network when `dir` holds none (default true). */
  create?: boolean;
  genesis?: GenesisOptions;
  /**
   * The chaincode version the ledger's chaincode definition should carry. A ledger with no
   * definition gets one at open (this version, else the network descriptor's); a different
   * version from the committed one commits it as the next sequence, as a Fabric upgrade does.
   */
  chaincodeVersion?: string;
  /**
   * Endorsement worker threads: simulation and endorsement (the contract, the
   * read-write set, the peer's and the client's signatures) run there, in parallel, while
   * the main thread orders, validates and commits — Fabric's own split between endorsers
   * and the committer. Workers read committed state only, like the main thread, and
   * start on demand, once several transactions are being endorsed at once. 0: endorse in
   * the main thread. Default: cores − 1, between 2 and 4; 0 on a single core. Workers need
   * the contracts as a module (`contractsModule`); with `contracts` alone, endorsement
   * stays in the main thread.
   */
  endorsers?: number;
  /** Module (resolvable from this package, or an absolute path) exporting `contracts`, for the endorsement workers. */
  contractsModule?: string;
  /**
   * When the endorsement workers start: 'on-demand' (default), once several
   * transactions are being endorsed at once; 'at-open', during `open`, which then
   * waits until they are ready, so that every endorsement runs on them.
   */
  endorsersStart?: 'on-demand' | 'at-open';
}

/**
 * Endorsement workers by default: none on one core (they would only add thread hops);
 * otherwise one fewer than the cores (the main thread orders and commits), at least 2
 * (on 2 cores the committer needs well under half a core) and at most 4 (beyond that the
 * single committer is the limit).
 */
export function defaultEndorsers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, Math.max(2, cores - 1));
}

/** Start the endorsement workers once this many transactions are being endorsed at once. */
export const ENDORSERS_START_AT = 4;
export const DEFAULT_CONTRACTS_MODULE = '@anxin/chaincode';
/** WAL size (pages) at which a COMMIT checkpoints anyway, while the Checkpointer runs (~400 MB). */
export const SAFETY_CHECKPOINT_PAGES = 100_000;
/** Endorsements run at once in the main thread (enough to keep the crypto thread pool busy). */
export const ENDORSE_CONCURRENCY = 32;
