/**
 * The embedded ledger: one process doing what a Fabric peer and orderer do, with
 * Fabric's semantics and formats.
 *
 *   submit → simulate (the real contract, through fabric-shim's dispatch, on a stub
 *   that reads committed state only and records a read-write set) → endorse (peer
 *   signature) → envelope (client signature) → order (cut by count, bytes or time) →
 *   validate (duplicate tx id, MVCC and phantom reads, in block order) → write the
 *   block (fdatasync) → apply valid writes to state → answer.
 *
 * A block is on disk before any of its writes is visible; on open, state is recovered
 * from the blocks past the savepoint, and a torn block at the end is cut off.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { assembleBlock } from '../blocks/block';
import { validationCodeName, TxValidationCode } from '../blocks/codes';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '../blocks/der';
import { decodeBlock, type DecodedBlock } from '../blocks/decode';
import { cmp, type NsRwSetSpec } from '../blocks/tx';
import type { SigningIdentity } from '../msp/identity';
import { CommitError, LedgerError, RejectedError } from '../ports/ledger';
import type { ChaincodeEventRecord, Ledger, LedgerInfo, RawBlock, StreamOptions, SubmitResult } from '../ports/ledger';
import {
  BlockFileWriter,
  blockFileName,
  listBlockFiles,
  readBlockAt,
  scanBlockFiles,
  truncateBlockFiles,
} from './blockfile';
import { ContractRunner } from './chaincode';
import { Checkpointer } from './checkpointer';
import { Endorser, Limiter, committedStateReader, type EndorseOutcome, type EndorseRequest } from './endorser';
import { EndorserPool } from './endorser-pool';
import { loadFabricQuietly } from './fabric-quiet';
import {
  CHAIN_DIR,
  createNetwork,
  isCreated,
  networkIdentity,
  readDescriptor,
  type BatchConfig,
  type GenesisOptions,
  type NetworkDescriptor,
} from './genesis';
import { StateDb, type TxRecord } from './statedb';
import { TOTAL_QUERY_LIMIT } from './stub';

export interface EmbeddedLedgerOptions {
  /** The contract classes to run (the Anxin contract by default). */
  contracts?: unknown[];
  /** Override the batch settings recorded at genesis (e.g. for benchmarks). */
  batch?: Partial<BatchConfig>;
  /** Create the network when `dir` holds none (default true). */
  create?: boolean;
  genesis?: GenesisOptions;
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
function defaultEndorsers(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, Math.max(2, cores - 1));
}

/** Start the endorsement workers once this many transactions are being endorsed at once. */
const ENDORSERS_START_AT = 4;
const DEFAULT_CONTRACTS_MODULE = '@anxin/chaincode';
/** WAL size (pages) at which a COMMIT checkpoints anyway, while the Checkpointer runs (~400 MB). */
const SAFETY_CHECKPOINT_PAGES = 100_000;
/** Endorsements run at once in the main thread (enough to keep the crypto thread pool busy). */
const ENDORSE_CONCURRENCY = 32;

interface PendingTx {
  txId: string;
  envelope: Uint8Array;
  rwsets: NsRwSetSpec[];
  timestamp: Date;
  resolve: (s: { block: number; index: number; code: number }) => void;
  reject: (e: Error) => void;
}

/** Parse a chaincode error message: our contract sends {"code","detail"} JSON. */
function rejectionOf(message: string): { reason: string; detail: string } {
  const start = message.indexOf('{"code":');
  if (start >= 0) {
    try {
      const p = JSON.parse(message.slice(start, message.lastIndexOf('}') + 1)) as { code: string; detail?: string };
      if (typeof p.code === 'string') return { reason: p.code, detail: p.detail ?? '' };
    } catch {
      // fall through
    }
  }
  return { reason: 'CHAINCODE_ERROR', detail: message };
}

export class EmbeddedLedger implements Ledger {
  readonly kind = 'embedded' as const;
  private readonly events$ = new EventEmitter();
  private pending: PendingTx[] = [];
  private pendingBytes = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private heightValue = 0;
  private lastHash: Buffer = Buffer.alloc(0);
  private previousHash: Buffer = Buffer.alloc(0);
  private closed = false;
  private closing = false;
  private closeDone?: Promise<void>;
  /** Submissions between their start and the end of their endorsement. */
  private endorsing = 0;
  private readonly endorser: Endorser;
  private readonly limiter = new Limiter(ENDORSE_CONCURRENCY);
  private readonly pool: EndorserPool | undefined;
  private checkpointer?: Checkpointer;

  private constructor(
    readonly dir: string,
    readonly descriptor: NetworkDescriptor,
    private readonly db: StateDb,
    private readonly writer: BlockFileWriter,
    runner: ContractRunner,
    private readonly client: SigningIdentity,
    peer: SigningIdentity,
    private readonly orderer: SigningIdentity,
    readonly batch: BatchConfig,
    private readonly lockFile: string,
    workers: number,
    contractsModule: string,
  ) {
    this.events$.setMaxListeners(0);
    this.endorser = new Endorser({
      channel: descriptor.channel,
      chaincode: descriptor.chaincode,
      runner,
      reader: committedStateReader(db, join(dir, CHAIN_DIR)),
      client,
      peer,
    });
    this.pool =
      workers > 0
        ? new EndorserPool(workers, { dir, contractsModule }, (req) => this.endorser.endorse(req))
        : undefined;
  }

  /**
   * Open the ledger in `dir`, creating a new network there first if it holds none.
   *
   * @example
   * const ledger = await EmbeddedLedger.open('./data/ledger');
   * const { txId, block } = await ledger.submit('anchor', [statementJws]);
   */
  static async open(dir: string, opts: EmbeddedLedgerOptions = {}): Promise<EmbeddedLedger> {
    if (!isCreated(dir)) {
      if (opts.create === false) throw new LedgerError('UNAVAILABLE', `no ledger in ${dir}`);
      await createNetwork(dir, opts.genesis);
    }
    const descriptor = readDescriptor(dir);
    const lockFile = join(dir, 'LOCK');
    takeLock(lockFile);
    try {
      mkdirSync(join(dir, 'index'), { recursive: true });
      const db = new StateDb(join(dir, 'index', 'state.sqlite'));
      const chainDir = join(dir, CHAIN_DIR);
      const recovered = recover(chainDir, db);
      const writer = new BlockFileWriter(chainDir);
      await writer.open();
      loadFabricQuietly();
      const contracts =
        opts.contracts ??
        ((await import(opts.contractsModule ?? DEFAULT_CONTRACTS_MODULE)) as { contracts: unknown[] }).contracts;
      const workers = opts.contracts && !opts.contractsModule ? 0 : (opts.endorsers ?? defaultEndorsers());
      if (!Number.isInteger(workers) || workers < 0)
        throw new LedgerError('UNAVAILABLE', `endorsers must be a whole number, not ${workers}`);
      const runner = new ContractRunner(contracts, {
        title: descriptor.chaincode.name,
        version: descriptor.chaincode.version,
      });
      const ledger = new EmbeddedLedger(
        dir,
        descriptor,
        db,
        writer,
        runner,
        networkIdentity(dir, descriptor, descriptor.client),
        networkIdentity(dir, descriptor, descriptor.peer),
        networkIdentity(dir, descriptor, descriptor.orderer),
        { ...descriptor.batch, ...opts.batch },
        lockFile,
        workers,
        opts.contractsModule ?? DEFAULT_CONTRACTS_MODULE,
      );
      ledger.heightValue = recovered.height;
      ledger.lastHash = recovered.lastHash;
      ledger.previousHash = recovered.previousHash;
      if (opts.endorsersStart === 'at-open' && ledger.pool) {
        try {
          ledger.startWorkers();
          await ledger.pool.startAndWait();
        } catch (e) {
          await ledger.close();
          throw new LedgerError('UNAVAILABLE', `endorsement workers did not start: ${(e as Error).message}`);
        }
      }
      return ledger;
    } catch (e) {
      releaseLock(lockFile);
      throw e;
    }
  }

  /** The chaincode name block 0's network descriptor gives (network.json). */
  get chaincode(): string {
    return this.descriptor.chaincode.name;
  }

  get height(): number {
    return this.heightValue;
  }

  get channel(): string {
    return this.descriptor.channel;
  }

  /** The identity transactions are submitted as. */
  get clientIdentity(): SigningIdentity {
    return this.client;
  }

  /** Endorsement workers configured (0: endorsement happens in the main thread). */
  get endorsers(): number {
    return this.pool?.size ?? 0;
  }

  /** Endorsement workers started and ready (they start on demand; see `endorsers`). */
  get endorsersReady(): number {
    return this.pool?.ready ?? 0;
  }

  async evaluate(fn: string, args: string[]): Promise<Uint8Array> {
    this.ensureOpen();
    // A query has a real transaction id on Fabric too (never committed).
    const { response } = await this.endorser.simulate(fn, args, new Date(), randomBytes(32).toString('hex'));
    if (response.status >= 400) {
      const r = rejectionOf(response.message ?? '');
      throw new RejectedError(r.reason, r.detail);
    }
    return response.payload ?? new Uint8Array();
  }

  /**
   * Start the endorsement workers, and with them the WAL checkpointer, which takes
   * checkpoints out of block commits (a commit that checkpoints takes ~10× longer).
   */
  private startWorkers(): void {
    if (!this.pool || this.pool.started) return;
    this.pool.start();
    this.checkpointer = new Checkpointer(join(this.dir, 'index', 'state.sqlite'));
    this.db.setAutoCheckpoint(SAFETY_CHECKPOINT_PAGES);
  }

  /** Endorse on a worker when they run, else here; workers start once several endorsements overlap. */
  private endorse(req: EndorseRequest): Promise<EndorseOutcome> {
    if (this.pool) {
      if (this.pool.ready) return this.pool.endorse(req);
      if (this.endorsing >= ENDORSERS_START_AT) this.startWorkers();
    }
    return this.limiter.run(() => this.endorser.endorse(req));
  }

  async submit(fn: string, args: string[]): Promise<SubmitResult> {
    this.ensureOpen();
    if (this.closing) throw new LedgerError('CLOSED', 'the ledger is closing');
    const timestamp = new Date();
    let out: EndorseOutcome;
    this.endorsing++;
    try {
      out = await this.endorse({ fn, args, timestamp: timestamp.getTime() });
    } finally {
      if (--this.endorsing === 0) this.events$.emit('endorsed');
    }
    if (!out.ok) {
      const r = rejectionOf(out.message);
      throw new RejectedError(r.reason, r.detail, out.txId);
    }
    const status = await this.order({ txId: out.txId, envelope: out.envelope, rwsets: [out.rwset], timestamp });
    if (status.code !== TxValidationCode.VALID) {
      const name = validationCodeName(status.code);
      const code = name === 'MVCC_READ_CONFLICT' || name === 'PHANTOM_READ_CONFLICT' ? name : 'INVALID';
      throw new CommitError(code, name, status.block, out.txId);
    }
    return {
      txId: out.txId,
      block: status.block,
      txIndex: status.index,
      code: 'VALID',
      result: out.payload,
      timestamp,
    };
  }

  private order(tx: Omit<PendingTx, 'resolve' | 'reject'>): Promise<{ block: number; index: number; code: number }> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new LedgerError('CLOSED', 'the ledger is closed'));
        return;
      }
      this.pending.push({ ...tx, resolve, reject });
      this.pendingBytes += tx.envelope.length;
      if (this.pending.length >= this.batch.maxMessageCount || this.pendingBytes >= this.batch.preferredMaxBytes) {
        this.cut();
      } else if (!this.timer) {
        this.timer = setTimeout(() => this.cut(), this.batch.timeoutMs);
      }
    });
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(() => this.commitBatch(batch)).catch(() => undefined);
  }

  /** Validate, write and apply one block. */
  private async commitBatch(batch: PendingTx[]): Promise<void> {
    try {
      const number = this.heightValue;
      const codes = this.validate(batch);
      const block = await assembleBlock({
        number,
        previousHash: this.lastHash,
        envelopes: batch.map((t) => t.envelope),
        txFilter: Uint8Array.from(codes),
        lastConfig: 0,
        orderer: this.orderer,
      });
      const location = await this.writer.append(block.bytes);
      const txs: TxRecord[] = batch.map((t, index) => ({
        txId: t.txId,
        index,
        code: codes[index]!,
        timestamp: t.timestamp,
        writes: t.rwsets.flatMap((s) => s.writes.map((w) => ({ ns: s.namespace, ...w }))),
      }));
      this.db.commit({ number, hash: block.hash, location, txs });
      this.previousHash = this.lastHash;
      this.lastHash = block.hash;
      this.heightValue = number + 1;
      batch.forEach((t, index) => t.resolve({ block: number, index, code: codes[index]! }));
      this.events$.emit('block', number);
    } catch (e) {
      const err = new LedgerError('UNAVAILABLE', `commit failed: ${(e as Error).message}`);
      for (const t of batch) t.reject(err);
      throw e;
    }
  }

  /** Fabric's validation, in block order: duplicate tx ids, then MVCC and phantom reads. */
  private validate(batch: PendingTx[]): number[] {
    const updated = new Set<string>(); // ns\0key written by an earlier valid tx of this block
    const seen = new Set<string>();
    return batch.map((tx) => {
      if (seen.has(tx.txId) || this.db.tx(tx.txId)) return TxValidationCode.DUPLICATE_TXID;
      seen.add(tx.txId);
      const code = this.checkReads(tx.rwsets, updated);
      if (code === TxValidationCode.VALID) {
        for (const s of tx.rwsets) for (const w of s.writes) updated.add(`${s.namespace}\u0000${w.key}`);
      }
      return code;
    });
  }

  private checkReads(rwsets: NsRwSetSpec[], updated: Set<string>): number {
    for (const s of rwsets) {
      for (const r of s.reads) {
        if (updated.has(`${s.namespace}\u0000${r.key}`)) return TxValidationCode.MVCC_READ_CONFLICT;
        const cur = this.db.get(s.namespace, r.key)?.version;
        if (!sameVersion(cur, r.version)) return TxValidationCode.MVCC_READ_CONFLICT;
      }
      for (const q of s.rangeQueries) {
        const last = q.reads.length ? q.reads[q.reads.length - 1]!.key : undefined;
        // An unexhausted iterator only saw keys up to its last read.
        const inRange = (key: string) =>
          cmp(key, q.startKey) >= 0 &&
          (q.exhausted ? !q.endKey || cmp(key, q.endKey) < 0 : last !== undefined && cmp(key, last) <= 0);
        for (const u of updated) {
          const [ns, key] = [u.slice(0, u.indexOf('\u0000')), u.slice(u.indexOf('\u0000') + 1)];
          if (ns === s.namespace && inRange(key)) return TxValidationCode.PHANTOM_READ_CONFLICT;
        }
        const now = this.db
          .range(s.namespace, q.startKey, q.endKey, q.exhausted ? TOTAL_QUERY_LIMIT : q.reads.length)
          .filter((r) => inRange(r.key));
        if (now.length !== q.reads.length) return TxValidationCode.PHANTOM_READ_CONFLICT;
        for (let i = 0; i < now.length; i++) {
          if (now[i]!.key !== q.reads[i]!.key || !sameVersion(now[i]!.version, q.reads[i]!.version)) {
            return TxValidationCode.PHANTOM_READ_CONFLICT;
          }
        }
      }
    }
    return TxValidationCode.VALID;
  }

  async info(): Promise<LedgerInfo> {
    this.ensureOpen();
    return {
      height: this.heightValue,
      currentBlockHash: this.lastHash.toString('hex'),
      previousBlockHash: this.previousHash.toString('hex'),
    };
  }

  /**
   * One committed block's bytes, checked on the way out: its data hash against its header,
   * its header hash against the index. A damaged block fails loudly instead of being served.
   */
  block(n: number): Uint8Array {
    this.ensureOpen();
    const loc = this.db.block(n);
    if (!loc || n >= this.heightValue)
      throw new LedgerError('UNAVAILABLE', `no block ${n} (height ${this.heightValue})`);
    let bytes: Buffer;
    try {
      bytes = readBlockAt(join(this.dir, CHAIN_DIR), loc);
    } catch (e) {
      throw new LedgerError('UNAVAILABLE', `block ${n} cannot be read: ${(e as Error).message}`);
    }
    const problem = blockIntegrity(bytes, n, loc.hash);
    if (problem) throw new LedgerError('UNAVAILABLE', `block ${n} is damaged on disk: ${problem}`);
    return bytes;
  }

  /** Status of a transaction by id, once committed. */
  transaction(txId: string): { block: number; index: number; code: string } | undefined {
    const t = this.db.tx(txId);
    return t ? { block: t.block, index: t.index, code: validationCodeName(t.code) } : undefined;
  }

  private waitForBlock(after: number, signal?: AbortSignal): Promise<boolean> {
    if (this.heightValue > after) return Promise.resolve(true);
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.events$.off('block', onBlock);
        this.events$.off('close', onClose);
        signal?.removeEventListener('abort', onClose);
        resolve(ok);
      };
      const onBlock = () => {
        if (this.heightValue > after) done(true);
      };
      const onClose = () => done(false);
      this.events$.on('block', onBlock);
      this.events$.on('close', onClose);
      signal?.addEventListener('abort', onClose);
    });
  }

  async *blocks(from: number, opts: StreamOptions = {}): AsyncIterable<RawBlock> {
    this.ensureOpen();
    let n = Math.max(0, from);
    for (;;) {
      while (n < this.heightValue) {
        if (opts.signal?.aborted) return;
        yield { number: n, bytes: this.block(n) };
        n++;
      }
      if (opts.follow === false) return;
      if (!(await this.waitForBlock(n, opts.signal))) return;
    }
  }

  async *events(from: number, opts: StreamOptions = {}): AsyncIterable<ChaincodeEventRecord> {
    for await (const b of this.blocks(from, opts)) {
      yield* eventsOf(decodeBlock(b.bytes));
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new LedgerError('CLOSED', 'the ledger is closed');
  }

  /** Finish what is pending (cut, commit), then close files. */
  close(): Promise<void> {
    this.closeDone ??= this.shutdown();
    return this.closeDone;
  }

  private async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    // Let transactions already being endorsed reach the orderer, so they are committed too.
    if (this.endorsing > 0) await new Promise((resolve) => this.events$.once('endorsed', resolve));
    this.cut();
    await this.chain;
    this.closed = true;
    this.events$.emit('close');
    await this.pool?.close();
    await this.checkpointer?.close();
    await this.writer.close();
    this.db.close();
    releaseLock(this.lockFile);
  }
}

function sameVersion(a?: { block: number; tx: number }, b?: { block: number; tx: number }): boolean {
  if (!a || !b) return !a && !b;
  return a.block === b.block && a.tx === b.tx;
}

/** Chaincode events of a block's valid transactions. */
export function eventsOf(block: DecodedBlock): ChaincodeEventRecord[] {
  const out: ChaincodeEventRecord[] = [];
  for (const tx of block.transactions) {
    if (tx.validationCode !== TxValidationCode.VALID) continue;
    for (const a of tx.actions) {
      if (a.event)
        out.push({
          block: block.number,
          txId: tx.txId,
          txIndex: tx.index,
          name: a.event.name,
          payload: a.event.payload,
        });
    }
  }
  return out;
}

/** Writes of a decoded block's valid transactions, for recovery. */
function txRecordsOf(block: DecodedBlock): TxRecord[] {
  return block.transactions.map((tx) => ({
    txId: tx.txId,
    index: tx.index,
    code: tx.validationCode,
    timestamp: tx.timestamp,
    writes: tx.actions.flatMap((a) => a.rwsets.flatMap((s) => s.writes.map((w) => ({ ns: s.namespace, ...w })))),
  }));
}

/**
 * Bring the state database up to the block files: apply every complete block past the
 * savepoint, check the chain links as it goes, cut a torn tail.
 */
function recover(chainDir: string, db: StateDb): { height: number; lastHash: Buffer; previousHash: Buffer } {
  const last = db.lastBlock();
  let from = { file: 0, offset: 0 };
  let height = 0;
  let lastHash: Buffer = Buffer.alloc(0);
  let previousHash: Buffer = Buffer.alloc(0);
  if (last) {
    let bytes: Buffer;
    try {
      bytes = readBlockAt(chainDir, last);
    } catch (e) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${last.number}, acknowledged, cannot be read: ${(e as Error).message}: the data directory is damaged`,
      );
    }
    const problem = blockIntegrity(bytes, last.number, last.hash);
    if (problem)
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${last.number} on disk does not match the index (${problem}): the data directory is damaged`,
      );
    const decoded = decodeBlock(bytes);
    from = { file: last.file, offset: last.offset + last.length };
    height = last.number + 1;
    lastHash = decoded.hash;
    previousHash = decoded.previousHash;
  }
  const it = scanBlockFiles(chainDir, from);
  for (;;) {
    const step = it.next();
    if (step.done) {
      if (step.value) truncateBlockFiles(chainDir, step.value.file, step.value.offset);
      break;
    }
    const s = step.value;
    let decoded: DecodedBlock | undefined;
    try {
      decoded = decodeBlock(s.bytes);
    } catch {
      decoded = undefined;
    }
    if (!decoded) {
      // Only the very last frame of the newest file can be a write cut short by a crash;
      // anything earlier that does not parse is damage, and acknowledged blocks follow it.
      if (!isLastFrame(chainDir, s)) {
        throw new LedgerError(
          'UNAVAILABLE',
          `block ${height} in the block files does not parse, and blocks follow it: the data directory is damaged`,
        );
      }
      truncateBlockFiles(chainDir, s.file, s.offset - lengthPrefixSize(s.length));
      break;
    }
    if (decoded.number !== height || (height > 0 && !decoded.previousHash.equals(lastHash))) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block files do not chain at block ${height}: the data directory is damaged`,
      );
    }
    if (!blockDataHash(decoded.data).equals(decoded.dataHash)) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${height} does not match its data hash: the data directory is damaged`,
      );
    }
    db.commit({ number: decoded.number, hash: decoded.hash, location: s, txs: txRecordsOf(decoded) });
    previousHash = lastHash;
    lastHash = decoded.hash;
    height += 1;
  }
  return { height, lastHash, previousHash };
}

/** Whether a block's bytes hold together: its data hash matches its header, and its header hash the index's. */
function blockIntegrity(bytes: Uint8Array, number: number, indexedHash: Buffer): string | undefined {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(bytes);
  } catch {
    return 'it does not parse';
  }
  const h = block.getHeader();
  if (!h) return 'it has no header';
  if (h.getNumber() !== number) return `it is numbered ${h.getNumber()}`;
  const dataHash = Buffer.from(h.getDataHash_asU8());
  if (!blockDataHash(block.getData()?.getDataList_asU8() ?? []).equals(dataHash))
    return 'its data does not match its data hash';
  if (!blockHeaderHash(number, h.getPreviousHash_asU8(), dataHash).equals(indexedHash))
    return 'its header hash differs from the index';
  return undefined;
}

function isLastFrame(chainDir: string, s: { file: number; offset: number; length: number }): boolean {
  const files = listBlockFiles(chainDir);
  if (files[files.length - 1] !== s.file) return false;
  return statSync(join(chainDir, blockFileName(s.file))).size === s.offset + s.length;
}

function lengthPrefixSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Ledger directories open in this process: a second open would be a second writer. */
const openHere = new Set<string>();

function takeLock(file: string): void {
  const key = resolvePath(file);
  if (openHere.has(key))
    throw new LedgerError('UNAVAILABLE', 'the ledger in this directory is already open in this process');
  takeFileLock(file);
  openHere.add(key);
}

function takeFileLock(file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new LedgerError('UNAVAILABLE', `the ledger in this directory is open in process ${pid}`);
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new LedgerError('UNAVAILABLE', 'could not lock the ledger directory');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(file: string): void {
  openHere.delete(resolvePath(file));
  try {
    if (existsSync(file) && Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // nothing to release
  }
}
