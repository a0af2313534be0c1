/**
 * The replay's pipeline: every block from the source, in order, through the state-free
 * checks on the worker pool (./pool, ./check: decoding, encoding, data_hash, signatures,
 * several blocks ahead) and back on the main thread for what must be sequential:
 *
 *   1. the sequence: no block missing, none twice;
 *   2. the links: previous_hash, LAST_CONFIG, the COMMIT_HASH chain (./commit-hashes);
 *   3. each transaction's validation code, re-derived by MVCC validation over the rebuilt
 *      world state (./world: the replay's own validator, not the ledger's);
 *   4. each valid statement handed the values it read, for its recheck on the worker that
 *      holds its block (./statements).
 *
 * A config block that changes the MSPs sends the blocks already out back to be judged by it.
 */
import { TxValidationCode, validationCodeName, type MspInfo } from '@anxin/network';
import type { CheckResult, RecheckResult, RecheckTx, TxFacts } from './check';
import { CommitHashChecker } from './commit-hashes';
import type { Finding } from './findings';
import { CheckPool, type Dispatched } from './pool';
import { SourceError, type BlockSource, type RawBlock } from './source';
import { anxinReads } from './statements';
import { World } from './world';

/** Which blocks: the source's first, the first to check, the last to read. */
export interface BlockRange {
  start: number;
  from: number;
  last: number;
}

export interface PipelineOptions {
  /** Worker threads for the state-free checks; 0 = all in the main thread. */
  workers: number;
  /** Blocks in flight on the workers ahead of the main thread. */
  window: number;
  /** The name the Anxin chaincode has on this ledger. */
  chaincode: string;
  /** Called after each block. */
  onBlock?(p: { block: number; first: number; last: number; transactions: number }): void;
}

/** What the pipeline read and rebuilt. */
export interface PipelineOutcome {
  world: World;
  /** Blocks checked (from `from` on). */
  checked: number;
  transactions: { total: number; valid: number; invalid: Record<string, number> };
  /** Statements rechecked, by function. */
  statements: Record<string, number>;
  signatures: { fabric: number; statements: number };
  /** Commit hashes recomputed and found equal to the blocks'. */
  commitHashes: number;
  /** Whether the rebuilt state follows every block read, with no gap and no block that did not decode. */
  stateKnown: boolean;
  genesisHash: string | null;
  /** The MSPs of the first config block: the roots every signature was judged by. */
  trustMsps: MspInfo[];
}

/** Codes the replay re-derives itself. */
const REDERIVABLE: number[] = [
  TxValidationCode.VALID,
  TxValidationCode.MVCC_READ_CONFLICT,
  TxValidationCode.PHANTOM_READ_CONFLICT,
  TxValidationCode.DUPLICATE_TXID,
];

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

function count(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

interface Queued {
  raw: RawBlock;
  check: boolean;
  genesis: boolean;
  d: Dispatched;
}

type CheckedBlock = Extract<CheckResult, { ok: true }>;

/**
 * Read every block of `range` from `source` and check it; findings go to `report`.
 *
 * @example
 * const outcome = await runPipeline(source, { start: 0, from: 0, last: source.height - 1 }, { workers: 2, window: 12, chaincode: 'anxin' }, log.report);
 */
export async function runPipeline(
  source: BlockSource,
  range: BlockRange,
  opts: PipelineOptions,
  report: (f: Finding) => void,
): Promise<PipelineOutcome> {
  const p = new Pipeline(source, range, opts, report);
  await p.run();
  return p.outcome();
}

class Pipeline {
  private readonly world = new World();
  private readonly commitHashes = new CommitHashChecker();
  private readonly pool: CheckPool;
  private readonly queue: Queued[] = [];
  private readonly rechecks: Array<Promise<void>> = [];
  private mspKnown = false;
  private mspVersion = 0;
  private lastConfig = 0;
  private previousHash: Uint8Array | undefined;
  /** The number the next block read should have. */
  private expected = 0;
  private readonly tx = { total: 0, valid: 0, invalid: {} as Record<string, number> };
  private readonly statements: Record<string, number> = {};
  private signatures = 0;
  private statementSignatures = 0;
  private checked = 0;
  private stateKnown = true;
  private genesisHash: string | null = null;
  private trustMsps: MspInfo[] = [];

  constructor(
    private readonly source: BlockSource,
    private readonly range: BlockRange,
    private readonly opts: PipelineOptions,
    private readonly report: (f: Finding) => void,
  ) {
    this.pool = new CheckPool(opts.workers);
  }

  outcome(): PipelineOutcome {
    return {
      world: this.world,
      checked: this.checked,
      transactions: this.tx,
      statements: this.statements,
      signatures: { fabric: this.signatures, statements: this.statementSignatures },
      commitHashes: this.commitHashes.verified,
      stateKnown: this.stateKnown,
      genesisHash: this.genesisHash,
      trustMsps: this.trustMsps,
    };
  }

  async run(): Promise<void> {
    const { last } = this.range;
    try {
      try {
        for await (const raw of this.source.blocks(0)) {
          if (raw.number > last) break;
          // Until the first block's MSPs are known, nothing else can be judged: one block at a time.
          if (!this.mspKnown) while (this.queue.length) await this.processNext();
          this.queue.push(this.dispatch(raw, !this.mspKnown));
          while (this.queue.length >= (this.mspKnown ? this.opts.window : 1)) await this.processNext();
        }
      } catch (e) {
        if (!(e instanceof SourceError)) throw e;
        while (this.queue.length) await this.processNext();
        this.report({ kind: 'source', block: this.expected, detail: e.message });
        this.stateKnown = false;
      }
      while (this.queue.length) await this.processNext();
      if (this.expected <= last) {
        this.report({
          kind: 'source',
          block: this.expected,
          detail: this.expected === last ? `block ${last} is missing` : `blocks ${this.expected}–${last} are missing`,
        });
        this.stateKnown = false;
      }
      await Promise.all(this.rechecks);
    } finally {
      await this.pool.close();
    }
  }

  private dispatch(raw: RawBlock, genesis: boolean): Queued {
    const check = raw.number >= this.range.from;
    const { fabric } = this.source;
    const { chaincode } = this.opts;
    return {
      raw,
      check,
      genesis,
      d: this.pool.check({ number: raw.number, bytes: raw.bytes, check, genesis, fabric, chaincode }),
    };
  }

  /** Everything sequential about one block, once its state-free checks are back. */
  private async processNext(): Promise<void> {
    const q = this.queue.shift()!;
    const n = q.raw.number;
    let r: CheckResult;
    try {
      r = await q.d.result;
    } catch (e) {
      throw new Error(`block ${n} could not be checked: ${(e as Error).message}`);
    }
    this.followSequence(n);
    if (!r.ok) {
      this.report({ kind: 'encoding', block: n, detail: `the block does not decode: ${r.error}` });
      this.previousHash = undefined;
      this.commitHashes.lose();
      this.stateKnown = false;
      if (q.check) this.pool.drop(q.d);
      return;
    }
    if (q.check) this.checkLinks(n, r);
    if (n === 0) this.genesisHash = hex(r.hash);
    this.previousHash = r.hash;
    const { todo, configChanged } = this.revalidate(q, n, r);
    this.commitHashes.follow(n, r.commitHash, q.check, this.report);
    if (q.check) await this.recheck(q, n, todo);
    if (configChanged) this.reconfigure(configChanged);
    this.opts.onBlock?.({ block: n, first: this.range.from, last: this.range.last, transactions: this.tx.total });
  }

  /** Block `n` is the one expected next, or the gap (or repeat) is a finding. */
  private followSequence(n: number): void {
    const { start } = this.range;
    if (n !== this.expected) {
      if (n < start || this.expected < start) {
        // Context blocks (a partial export's config) and the range that follows them: a gap by design.
        this.stateKnown = this.stateKnown && n === this.expected;
      } else {
        const expected = this.expected;
        this.report({
          kind: 'source',
          block: expected,
          detail:
            n > expected
              ? `block ${expected}${n - 1 > expected ? `–${n - 1}` : ''} is missing: the next block read is numbered ${n}`
              : `block ${n} comes again after block ${expected - 1}`,
        });
        this.stateKnown = false;
      }
      this.previousHash = undefined;
      this.commitHashes.lose();
    }
    this.expected = n + 1;
  }

  /** The worker's findings, then what links block `n` to the others: its number, previous_hash, LAST_CONFIG. */
  private checkLinks(n: number, r: CheckedBlock): void {
    this.checked++;
    this.signatures += r.signatures;
    r.findings.forEach(this.report);
    if (r.number !== n)
      this.report({
        kind: 'source',
        block: n,
        detail: 'the block at this position carries another number',
        expected: String(n),
        actual: String(r.number),
      });
    if (n === 0 && r.previousHash.length)
      this.report({
        kind: 'chain',
        block: 0,
        detail: 'block 0 names a previous block',
        expected: '(empty)',
        actual: hex(r.previousHash),
      });
    if (this.previousHash && !eq(r.previousHash, this.previousHash)) {
      this.report({
        kind: 'chain',
        block: n,
        detail: 'previous_hash is not the hash of the previous header',
        expected: hex(this.previousHash),
        actual: hex(r.previousHash),
      });
    }
    // A config block names itself as the last config; any other block the one before it.
    const configHere = r.txs.some((t) => t.msps && t.code === TxValidationCode.VALID);
    const lc = configHere ? n : this.lastConfig;
    if (r.lastConfigSlot !== undefined && r.lastConfigSlot !== lc)
      this.report({
        kind: 'metadata',
        block: n,
        detail: 'LAST_CONFIG names another block',
        expected: String(lc),
        actual: String(r.lastConfigSlot),
      });
    if (r.lastConfigSigned !== undefined && r.lastConfigSigned !== lc)
      this.report({
        kind: 'metadata',
        block: n,
        detail: 'the signed metadata names another config block',
        expected: String(lc),
        actual: String(r.lastConfigSigned),
      });
  }

  /**
   * Validation codes and statements, in block order, on the rebuilt state; the block's
   * valid writes applied. Gives the statements to recheck and the MSPs of a new configuration.
   */
  private revalidate(q: Queued, n: number, r: CheckedBlock): { todo: RecheckTx[]; configChanged?: MspInfo[] } {
    const updated = new Set<string>();
    const todo: RecheckTx[] = [];
    let configChanged: MspInfo[] | undefined;
    for (const t of r.txs) {
      if (q.check) this.countTx(t.code);
      let valid = t.code === TxValidationCode.VALID;
      if (q.check && this.stateKnown) valid = this.judge(n, t, updated, todo);
      if (t.msps && valid) {
        if (!this.mspKnown) {
          this.trustMsps = t.msps;
          this.mspKnown = true;
          this.mspVersion++;
          this.pool.setMsps(this.mspVersion, { msps: t.msps });
        } else if (n > 0) {
          configChanged = t.msps;
        }
        this.lastConfig = n;
      }
      if (valid) for (const k of World.writtenKeys(t)) updated.add(k);
      this.world.apply(t, n, valid);
    }
    if (!this.mspKnown) {
      // The first block declared no MSPs: nothing later can be judged by a root.
      this.mspKnown = true;
      this.mspVersion++;
      this.pool.setMsps(this.mspVersion, { msps: [] });
    }
    return configChanged ? { todo, configChanged } : { todo };
  }

  private countTx(recorded: number): void {
    this.tx.total++;
    if (recorded === TxValidationCode.VALID) this.tx.valid++;
    else count(this.tx.invalid, validationCodeName(recorded));
  }

  /**
   * Whether transaction `t` of block `n` is valid: its recorded code against the one the
   * replay's own MVCC validation derives (findings where they differ). A valid Anxin call
   * is queued for its statement recheck with the values it read; a query must write nothing.
   */
  private judge(n: number, t: TxFacts, updated: Set<string>, todo: RecheckTx[]): boolean {
    const at = { block: n, tx: t.index, txId: t.txId };
    const recorded = t.code;
    let valid = recorded === TxValidationCode.VALID;
    const derived = this.world.validate(t, updated);
    if (derived !== recorded) {
      if (recorded === TxValidationCode.VALID || REDERIVABLE.includes(recorded)) {
        this.report({
          kind: 'validationCode',
          ...at,
          detail: 'TRANSACTIONS_FILTER disagrees with re-validation',
          expected: validationCodeName(derived),
          actual: validationCodeName(recorded),
        });
      } else if (!this.source.fabric) {
        this.report({
          kind: 'validationCode',
          ...at,
          detail: 'this ledger never gives this validation code',
          expected: validationCodeName(derived),
          actual: validationCodeName(recorded),
        });
      }
      // Codes this replay cannot re-derive (e.g. Fabric's endorsement policy) are accepted as invalid, never as valid.
      valid = derived === TxValidationCode.VALID && recorded === TxValidationCode.VALID;
    }
    if (valid && t.fn !== undefined) {
      const { chaincode } = this.opts;
      if (t.stateChanging) {
        const pre = anxinReads(t, chaincode).map((k): [string, Uint8Array | null] => [
          k,
          this.world.get(chaincode, k)?.value ?? null,
        ]);
        todo.push({ index: t.index, pre });
      } else {
        const wrote = t.rwsets.filter((s) => s.namespace === chaincode).reduce((s, x) => s + x.writes.length, 0);
        if (wrote)
          this.report({
            kind: 'writeSet',
            ...at,
            detail: `${t.fn || '(no function)'} is not a state-changing transaction, yet it wrote ${wrote} keys`,
          });
      }
    }
    return valid;
  }

  /** Send the block's valid statements back to their worker for recheck; bound how many are outstanding. */
  private async recheck(q: Queued, n: number, todo: RecheckTx[]): Promise<void> {
    const p = this.pool.recheck(q.d, todo).then(
      (r) => this.onRecheck(r),
      (e: Error) =>
        this.report({ kind: 'statement', block: n, detail: `statements could not be re-checked: ${e.message}` }),
    );
    this.rechecks.push(p);
    const window = this.opts.window;
    if (this.rechecks.length > 4 * window) await Promise.all(this.rechecks.splice(0, 2 * window));
  }

  private onRecheck(r: RecheckResult): void {
    r.findings.forEach(this.report);
    for (const [k, v] of Object.entries(r.kinds)) {
      count(this.statements, k, v);
      if (k !== 'init') this.statementSignatures += v; // init carries keys, not a signed statement
    }
  }

  /** A new configuration: blocks already sent out were judged by the old one. Send them again. */
  private reconfigure(msps: MspInfo[]): void {
    this.mspVersion++;
    this.pool.setMsps(this.mspVersion, { msps });
    for (const other of this.queue) {
      const old = other.d;
      if (other.check)
        old.result.then(
          () => this.pool.drop(old),
          () => undefined,
        );
      Object.assign(other, this.dispatch(other.raw, false));
    }
  }
}
