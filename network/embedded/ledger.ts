/**
 * The embedded ledger: one process doing what a Fabric peer and orderer do, with
 * Fabric's semantics and formats.
 *
 *   submit → simulate (the real contract, through fabric-shim's dispatch, on a stub
 *   that reads committed state only and records a read-write set) → endorse (peer
 *   signature) → envelope (client signature) → order (cut by count, bytes or time) →
 *   validate (duplicate tx id, MVCC and phantom reads, in block order: ./validate) →
 *   write the block (fdatasync) → apply valid writes to state → answer.
 *
 * A block is on disk before any of its writes is visible; on open, state is recovered
 * from the blocks past the savepoint, and a torn block at the end is cut off (./recover).
 * One process writes a ledger directory at a time (./lock).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assembleBlock } from '../blocks/block';
import { validationCodeName, TxValidationCode } from '../blocks/codes';
import { decodeBlock } from '../blocks/decode';
import { eventsOf } from '../blocks/transactions';
import type { NsRwSetSpec } from '../blocks/tx';
import type { SigningIdentity } from '../msp/identity';
import { CommitError, LedgerError, rejectedFrom } from '../ports/ledger';
import type { ChaincodeEventRecord, Ledger, LedgerInfo, RawBlock, StreamOptions, SubmitResult } from '../ports/ledger';
import { BlockFileWriter, readBlockAt, type BlockLocation } from './blockfile';
import { ContractRunner } from './chaincode';
import { Checkpointer } from './checkpointer';
import { CommitHashChain } from './commit-hashes';
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
  type NetworkDescriptor,
} from './genesis';
import { committedDefinition, definitionTransaction, peerAdmin } from './lifecycle';
import { releaseLock, takeLock } from './lock';
import {
  DEFAULT_CONTRACTS_MODULE,
  ENDORSE_CONCURRENCY,
  ENDORSERS_START_AT,
  SAFETY_CHECKPOINT_PAGES,
  defaultEndorsers,
  type EmbeddedLedgerOptions,
} from './options';
import { blockIntegrity, recover } from './recover';
import { StateDb, type TxRecord } from './statedb';
import { validateBlock } from './validate';

interface PendingTx {
  txId: string;
  envelope: Uint8Array;
  rwsets: NsRwSetSpec[];
  timestamp: Date;
  resolve: (s: { block: number; index: number; code: number }) => void;
  reject: (e: Error) => void;
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
  private commitHashes!: CommitHashChain;
  /** Why the block files and the index disagree after a failed write; commits are refused while set. */
  private damage: string | undefined;
  private repairError: string | undefined;

  private constructor(
    readonly dir: string,
    readonly descriptor: NetworkDescriptor,
    private readonly db: StateDb,
    private readonly writer: BlockFileWriter,
    runner: ContractRunner,
    private readonly client: SigningIdentity,
    private readonly peer: SigningIdentity,
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
      ledger.commitHashes = CommitHashChain.open(dir, db, recovered.height);
      try {
        await ledger.defineChaincode(opts.chaincodeVersion);
      } catch (e) {
        await ledger.close();
        throw new LedgerError('UNAVAILABLE', `the chaincode could not be defined: ${(e as Error).message}`);
      }
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
      throw rejectedFrom(response.message ?? '');
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
    if (this.damage) await this.repairFirst();
    const timestamp = new Date();
    let out: EndorseOutcome;
    this.endorsing++;
    try {
      out = await this.endorse({ fn, args, timestamp: timestamp.getTime() });
    } finally {
      if (--this.endorsing === 0) this.events$.emit('endorsed');
    }
    if (!out.ok) {
      throw rejectedFrom(out.message, out.txId);
    }
    const status = await this.order({ txId: out.txId, envelope: out.envelope, rwsets: out.rwsets, timestamp });
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

  /** While inconsistent: try to repair (in turn with commits) before endorsing anything; refuse if it fails. */
  private async repairFirst(): Promise<void> {
    let repaired = false;
    const attempt = this.chain.then(async () => {
      repaired = !this.damage || (await this.tryRepair());
    });
    this.chain = attempt.catch(() => undefined);
    await attempt;
    if (!repaired) throw this.inconsistent();
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

  /**
   * Validate, write and apply one block. A block is answered VALID only once it is in the
   * block files (fdatasync) and its state is committed. Should either fail (a full disk),
   * the block is cut off the files again and its transactions fail, not committed: the
   * ledger stays as it was. Should the cut fail too, the ledger is inconsistent and
   * refuses commits until `repair` succeeds.
   */
  private async commitBatch(batch: PendingTx[]): Promise<void> {
    const fail = (err: LedgerError) => {
      for (const t of batch) t.reject(err);
    };
    if (this.damage && !(await this.tryRepair())) {
      fail(this.inconsistent());
      return;
    }
    const number = this.heightValue;
    let block: { bytes: Uint8Array; hash: Buffer };
    let codes: number[];
    let commitHash: Buffer | undefined;
    try {
      codes = validateBlock(this.db, batch);
      commitHash = this.commitHashes.next(number, codes, batch);
      block = await assembleBlock({
        number,
        previousHash: this.lastHash,
        envelopes: batch.map((t) => t.envelope),
        txFilter: Uint8Array.from(codes),
        lastConfig: 0,
        orderer: this.orderer,
        ...(commitHash ? { commitHash } : {}),
      });
    } catch (e) {
      fail(new LedgerError('UNAVAILABLE', `block ${number} could not be made: ${(e as Error).message}`));
      return;
    }
    let location: BlockLocation;
    try {
      location = await this.writer.append(block.bytes);
    } catch (e) {
      if (this.writer.dirty) this.damage = `block ${number} could not be written (${(e as Error).message}) nor cut off`;
      fail(
        this.damage
          ? this.inconsistent()
          : new LedgerError(
              'UNAVAILABLE',
              `block ${number} could not be written, and was cut off: ${(e as Error).message}`,
            ),
      );
      return;
    }
    const txs: TxRecord[] = batch.map((t, index) => ({
      txId: t.txId,
      index,
      code: codes[index]!,
      timestamp: t.timestamp,
      writes: t.rwsets.flatMap((s) => s.writes.map((w) => ({ ns: s.namespace, ...w }))),
    }));
    try {
      this.db.commit({ number, hash: block.hash, location, txs });
    } catch (e) {
      // A commit that reported failure after all went through is a commit.
      if (!this.db.block(number)?.hash.equals(block.hash)) {
        try {
          await this.writer.dropLast();
        } catch {
          this.damage = `the state of block ${number} could not be committed (${(e as Error).message}), nor the block cut off`;
        }
        fail(
          this.damage
            ? this.inconsistent()
            : new LedgerError(
                'UNAVAILABLE',
                `the state of block ${number} could not be committed, and the block was cut off: ${(e as Error).message}`,
              ),
        );
        return;
      }
    }
    this.commitHashes.advance(commitHash);
    this.previousHash = this.lastHash;
    this.lastHash = block.hash;
    this.heightValue = number + 1;
    batch.forEach((t, index) => t.resolve({ block: number, index, code: codes[index]! }));
    this.events$.emit('block', number);
  }

  private inconsistent(): LedgerError {
    return new LedgerError(
      'INCONSISTENT',
      `the ledger refuses commits until its block files and index agree again: ${this.damage}` +
        (this.repairError ? `; the last repair failed: ${this.repairError}` : ''),
    );
  }

  /**
   * Bring the index and the block files back together after a failed write: what reopening
   * does (./recover: apply complete blocks the index lacks, cut a torn tail), then append
   * from the files' new end. Resolves to whether the ledger is consistent again.
   */
  private async tryRepair(): Promise<boolean> {
    const before = this.heightValue;
    try {
      await this.writer.close();
      const recovered = recover(join(this.dir, CHAIN_DIR), this.db);
      await this.writer.open();
      this.heightValue = recovered.height;
      this.lastHash = recovered.lastHash;
      this.previousHash = recovered.previousHash;
      this.commitHashes = CommitHashChain.open(this.dir, this.db, recovered.height);
      this.damage = this.repairError = undefined;
    } catch (e) {
      this.repairError = (e as Error).message;
      await this.writer.open().catch(() => undefined);
      return false;
    }
    for (let n = before; n < this.heightValue; n++) this.events$.emit('block', n);
    return true;
  }

  /**
   * Commit the chaincode's definition, as Fabric's lifecycle does, when the ledger has none
   * (a new ledger, or one written before definitions were kept) or `version` is given and
   * differs from the committed one.
   */
  private async defineChaincode(version?: string): Promise<void> {
    const current = committedDefinition(this.db, this.descriptor.chaincode.name);
    if (current && (version === undefined || version === current.version)) return;
    await this.upgradeChaincode(version ?? this.descriptor.chaincode.version);
  }

  /**
   * Commit `version` of the chaincode as its next definition (sequence + 1), as
   * `peer lifecycle chaincode commit` does. Transactions endorsed under the previous
   * definition and ordered after this one fail with MVCC_READ_CONFLICT, as on Fabric.
   *
   * @example
   * const { sequence, block } = await ledger.upgradeChaincode('2');
   */
  async upgradeChaincode(version: string): Promise<{ sequence: number; block: number; txId: string }> {
    this.ensureOpen();
    const tx = await definitionTransaction({
      channel: this.descriptor.channel,
      name: this.descriptor.chaincode.name,
      version,
      state: this.db,
      admin: networkIdentity(this.dir, this.descriptor, peerAdmin(this.descriptor)),
      peer: this.peer,
      timestamp: new Date(),
    });
    const status = await this.order({ txId: tx.txId, envelope: tx.envelope, rwsets: tx.rwsets, timestamp: new Date() });
    if (status.code !== TxValidationCode.VALID) {
      throw new CommitError('INVALID', validationCodeName(status.code), status.block, tx.txId);
    }
    return { sequence: tx.sequence, block: status.block, txId: tx.txId };
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
