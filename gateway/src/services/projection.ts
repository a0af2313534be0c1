/**
 * The projection: the store's copy of every anchor's and issuer's current state, kept
 * up to date from the ledger's blocks with a checkpoint, caught up after a restart, so
 * that a change made by another gateway on a shared ledger shows here too.
 *
 * It reads the write sets of valid transactions — the exact records the contract wrote
 * — rather than re-querying, and every store write is an idempotent upsert guarded by
 * (block, tx): replaying a block twice, or a block after a newer change, changes nothing.
 * Only the writes of the ledger's own chaincode (its namespace, named by the ledger's
 * configuration) are read.
 *
 * Hooks (queueing webhook notices) run for each anchor change before the checkpoint passes
 * it. A hook that fails holds the projection at that transaction — the checkpoint is
 * written just before it — and the transaction is applied again, hooks and all, with
 * backoff, until they succeed: nothing a hook should have done is lost.
 *
 * Anything else that fails (the store refuses the checkpoint, the ledger goes away) stops
 * the follower: `failed` says so until it has started over from the checkpoint, which it
 * does by itself after a pause.
 */
import { EventEmitter } from 'node:events';
import canonicalize from 'canonicalize';
import { recordKindOf } from '@anxin/chaincode/wire';
import { TxValidationCode, type Ledger } from '@anxin/network';
import { blockTransactions, writesIn, type DecodedTx } from '@anxin/network/blocks';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import { AnxinError } from '../errors';
import type { Checkpoint, ProjectionStore, StatusEntryStore } from '../ports/store';
import { anchorProjection } from './anchor-projection';

const CHECKPOINT = 'projection';

/** Where an anchor change was made. */
export interface ChangeAt {
  block: number;
  txIndex: number;
  txId: string;
}
export type AnchorHook = (a: AnchorRecord, at: ChangeAt) => Promise<void>;

/** A hook failed on a change (emitted as 'hook-failed'). */
export interface HookFailure {
  error: unknown;
  at: ChangeAt;
  /**
   * The follower's attempt at this change (1, 2, …): it is held there and retried. 0 when
   * the change was applied directly after a submission: the follower applies it again.
   */
  attempt: number;
}

/** The change the projection is held at, while its hooks fail. */
export interface Stall {
  at: ChangeAt;
  since: string;
  attempts: number;
  error: string;
}

/** Why the follower stopped (emitted as 'error'; cleared, with a 'restarted' event, once it moves again). */
export interface Failure {
  error: string;
  /** When it first stopped. */
  since: string;
  /** Times it has been started over since then. */
  restarts: number;
}

export interface ProjectionOptions {
  /** First retry of a change whose hooks failed after this many ms, doubling up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A stopped follower starts over after this many ms, doubling up to restartMaxMs. */
  restartBaseMs?: number;
  restartMaxMs?: number;
}

/** A hook's failure, as it travels from applyAnchor to the follower. */
class HookError extends AnxinError<'hook_failed'> {
  constructor(
    readonly error: unknown,
    readonly at: ChangeAt,
  ) {
    super(
      'hook_failed',
      `an anchor hook failed at block ${at.block} tx ${at.txIndex}: ${(error as Error)?.message ?? String(error)}`,
    );
  }
}

export class Projection extends EventEmitter {
  /** Issuers by id, as the ledger has them: the registry verification reads. */
  readonly issuers = new Map<string, IssuerRecord>();
  private abort?: AbortController;
  private running?: Promise<void>;
  private applied = { block: 0, txIndex: 0 };
  /**
   * Transactions this gateway is projecting, or projected, when it submitted them, each with
   * whether that went through (hooks included): the follower skips those that did.
   */
  private readonly appliedDirectly = new Map<string, Promise<boolean>>();
  /** Awaited for every anchor change before the checkpoint can pass it (see onAnchor). */
  private readonly anchorHooks: AnchorHook[] = [];
  private stallInfo?: Stall;
  private failure?: Failure;
  /** The chaincode whose writes are projected: the ledger's own. */
  readonly namespace: string;

  constructor(
    private readonly store: ProjectionStore & StatusEntryStore,
    private readonly ledger: Ledger,
    private readonly options: ProjectionOptions = {},
  ) {
    super();
    this.namespace = ledger.chaincode;
  }

  /** The change the projection is held at while its hooks fail; undefined when it is not held. */
  get stalled(): Stall | undefined {
    return this.stallInfo;
  }

  /** Why the follower stopped, while it is stopped (it starts again by itself, after a pause). */
  get failed(): Failure | undefined {
    return this.failure;
  }

  /** Load the registry from the store, catch up to the ledger's height, then follow it. */
  async start(): Promise<void> {
    for (const p of await this.store.listIssuers()) this.issuers.set(p.issuer.id, p.issuer);
    const cp = (await this.store.getCheckpoint(CHECKPOINT)) ?? { block: 0, txIndex: 0 };
    const height = (await this.ledger.info()).height;
    this.abort = new AbortController();
    let caughtUp!: () => void;
    const ready = new Promise<void>((r) => (caughtUp = r));
    this.running = this.follow({ cp, height }, caughtUp);
    await ready;
  }

  /**
   * Apply the ledger's blocks from the checkpoint on, then new ones as they commit. Should
   * that fail (the store refuses a write, the ledger goes away), the follower is stopped:
   * `failed` says why, and it starts over from the checkpoint after a pause, doubling up to
   * restartMaxMs — every write is idempotent, so applying a block again changes nothing.
   */
  private async follow(first: { cp: Checkpoint; height: number }, caughtUp: () => void): Promise<void> {
    const signal = this.abort!.signal;
    for (let round = 0; !signal.aborted; round++) {
      try {
        const { cp, height } = round === 0 ? first : await this.resume();
        this.applied = cp;
        if (cp.block >= height) this.moving(caughtUp);
        for await (const b of this.ledger.blocks(cp.block, { signal })) {
          // While a change is held, the gateway starts anyway: with the projection behind (see `stalled`).
          await this.applyBlock(b.number, b.bytes, b.number === cp.block ? cp.txIndex : 0, caughtUp);
          if (signal.aborted) return;
          if (b.number + 1 >= height) this.moving(caughtUp);
        }
        return;
      } catch (e) {
        if (signal.aborted) return;
        const error = (e as Error)?.message ?? String(e);
        this.failure = { error, since: this.failure?.since ?? new Date().toISOString(), restarts: round + 1 };
        this.emit('error', e);
        caughtUp();
        const base = this.options.restartBaseMs ?? 1_000;
        if (!(await this.pause(Math.min(this.options.restartMaxMs ?? 30_000, base * 2 ** round)))) return;
      }
    }
  }

  /** Where to start over from: the checkpoint, and the ledger's height now. */
  private async resume(): Promise<{ cp: Checkpoint; height: number }> {
    const cp = (await this.store.getCheckpoint(CHECKPOINT)) ?? { block: 0, txIndex: 0 };
    return { cp, height: (await this.ledger.info()).height };
  }

  /** Caught up: the gateway may serve; a follower that had stopped is moving again. */
  private moving(caughtUp: () => void): void {
    caughtUp();
    if (!this.failure) return;
    const was = this.failure;
    this.failure = undefined;
    this.emit('restarted', was);
  }

  /** Note that `txId` is being applied directly; resolve the returned function with whether it went through. */
  private rememberDirect(txId: string): (ok: boolean) => void {
    // Bounded: a transaction the follower passed while it was being applied directly is never removed.
    if (this.appliedDirectly.size > 100_000) this.appliedDirectly.clear();
    let settle!: (ok: boolean) => void;
    this.appliedDirectly.set(txId, new Promise<boolean>((r) => (settle = r)));
    return settle;
  }

  /** Whether `txId` was applied directly, in full (waiting for that to finish); forgets it. */
  private async appliedAlready(txId: string): Promise<boolean> {
    const direct = this.appliedDirectly.get(txId);
    if (!direct) return false;
    this.appliedDirectly.delete(txId);
    return direct;
  }

  /** Wait `ms`, or less when stopped; resolves to whether the projection is still running. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.abort?.signal;
    if (!signal || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(!signal.aborted);
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }

  /** Next block to apply. */
  get position(): { block: number; txIndex: number } {
    return this.applied;
  }

  private async applyBlock(number: number, bytes: Uint8Array, fromTx: number, onStall: () => void): Promise<void> {
    const txs = blockTransactions(bytes);
    for (let index = fromTx; index < txs.count; index++) {
      // Transactions this gateway projected when it submitted them are only recognised, not decoded.
      if (this.appliedDirectly.size && (await this.appliedAlready(txs.txId(index)))) continue;
      if (txs.validationCode(index) !== TxValidationCode.VALID) continue;
      const tx = txs.decode(index);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.applyTx(tx, number);
          break;
        } catch (err) {
          // A store that cannot write (a full disk) holds the projection here like a failing
          // hook: the change is applied again once the store takes writes, not dropped.
          const e =
            err instanceof HookError ? err : new HookError(err, { block: number, txIndex: index, txId: tx.txId });
          // Held here: the checkpoint says this transaction is still to be applied.
          if (attempt === 1)
            await this.store.putCheckpoint(CHECKPOINT, { block: number, txIndex: index }).catch(() => undefined);
          this.stallInfo = {
            at: e.at,
            since: this.stallInfo?.since ?? new Date().toISOString(),
            attempts: attempt,
            error: (e.error as Error)?.message ?? String(e.error),
          };
          this.emit('hook-failed', { error: e.error, at: e.at, attempt } satisfies HookFailure);
          onStall();
          const base = this.options.retryBaseMs ?? 250;
          if (!(await this.pause(Math.min(this.options.retryMaxMs ?? 30_000, base * 2 ** (attempt - 1))))) return;
        }
      }
      if (this.stallInfo) {
        const at = this.stallInfo.at;
        this.stallInfo = undefined;
        this.emit('hook-recovered', at);
      }
    }
    this.applied = { block: number + 1, txIndex: 0 };
    // A checkpoint that cannot be written now is written with the next block's (or at worst,
    // the block is applied again from the previous one: every write is an idempotent upsert).
    await this.store.putCheckpoint(CHECKPOINT, this.applied).catch(() => undefined);
    this.emit('block', number);
  }

  /** Apply one valid transaction's writes to the store: its anchors (hooks included) and issuers. */
  private async applyTx(tx: DecodedTx, number: number): Promise<void> {
    const anchors: AnchorRecord[] = [];
    for (const w of writesIn(tx, this.namespace)) {
      if (w.isDelete) continue;
      const kind = recordKindOf(w.key);
      if (kind === 'anchor') {
        anchors.push(JSON.parse(Buffer.from(w.value).toString('utf8')) as AnchorRecord);
      } else if (kind === 'issuer') {
        await this.applyIssuer(JSON.parse(Buffer.from(w.value).toString('utf8')) as IssuerRecord, number, tx.index);
      }
    }
    if (anchors.length) await this.applyAnchors(anchors, number, tx.index, tx.txId);
  }

  /**
   * Record an anchor as changed by transaction `txId` at (block, tx). Also called right
   * after our own submissions (`direct`), so that a credential verifies the moment its
   * issuance returns. A hook failing on a direct change does not fail the caller (the
   * change is committed): it is reported, and the follower applies the change again.
   */
  async applyAnchor(a: AnchorRecord, block: number, txIndex: number, txId: string, direct = false): Promise<void> {
    return this.applyAnchors([a], block, txIndex, txId, direct);
  }

  /**
   * Record every anchor one transaction wrote (a renewal writes the new anchor and the one it
   * replaces). Applied directly, the transaction counts as projected only once all of them are:
   * the follower skips it then, so none may be left out.
   */
  async applyAnchors(
    anchors: readonly AnchorRecord[],
    block: number,
    txIndex: number,
    txId: string,
    direct = false,
  ): Promise<void> {
    // Applied ahead of the follower, which may not have reached this block yet.
    const settle = direct && this.applied.block <= block ? this.rememberDirect(txId) : undefined;
    const at = { block, txIndex, txId };
    try {
      for (const a of anchors) await this.putAnchorProjection(a, at);
    } catch (e) {
      settle?.(false);
      throw e;
    }
    try {
      for (const a of anchors) for (const hook of this.anchorHooks) await hook(a, at);
    } catch (e) {
      if (!direct) throw new HookError(e, at);
      settle?.(false);
      this.emit('hook-failed', { error: e, at, attempt: 0 } satisfies HookFailure);
      return;
    }
    settle?.(true);
    for (const a of anchors) this.emit('anchor', a, at);
  }

  private async putAnchorProjection(a: AnchorRecord, at: ChangeAt): Promise<void> {
    const { block, txIndex, txId } = at;
    // The anchor's own txId is the anchoring transaction; for later changes keep the anchoring block.
    const anchoringBlock = a.txId === txId ? block : ((await this.store.getAnchor(a.id))?.block ?? -1);
    // With its status list entry, which the published lists are built from.
    const entry = a.statusEntry && {
      list: a.statusEntry.list,
      idx: a.statusEntry.idx,
      issuer: a.issuer,
      credentialId: a.id,
      status: a.status,
      updatedBlock: block,
      updatedTx: txIndex,
    };
    await this.store.putAnchor(anchorProjection(a, anchoringBlock, { block, tx: txIndex }), entry);
  }

  /**
   * Run `hook` on every anchor change, awaited before the projection moves on: a block's
   * checkpoint is written only after its hooks ran, so a crash in between runs them again
   * at the next start, and a hook that throws holds the projection at that change and runs
   * it again (with backoff) until it succeeds. Hooks must be idempotent.
   */
  onAnchor(hook: AnchorHook): () => void {
    this.anchorHooks.push(hook);
    return () => {
      const i = this.anchorHooks.indexOf(hook);
      if (i >= 0) this.anchorHooks.splice(i, 1);
    };
  }

  async applyIssuer(i: IssuerRecord, block: number, txIndex: number, txId?: string): Promise<void> {
    const settle = txId && this.applied.block <= block ? this.rememberDirect(txId) : undefined;
    // Stored in the ledger's own canonical form (RFC 8785 key order), whichever way it arrived.
    const issuer = JSON.parse(canonicalize(i) ?? 'null') as IssuerRecord;
    try {
      await this.store.putIssuer({ issuer, updatedBlock: block, updatedTx: txIndex });
    } catch (e) {
      settle?.(false);
      throw e;
    }
    settle?.(true);
    const current = await this.store.getIssuer(i.id);
    if (current) {
      this.issuers.set(i.id, current.issuer);
      this.emit('issuer', current.issuer);
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }
}
