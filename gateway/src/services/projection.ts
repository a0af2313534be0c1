/**
 * The projection: the store's copy of every anchor's and issuer's current state, kept
 * up to date from the ledger's blocks with a checkpoint, caught up after a restart, so
 * that a change made by another gateway on a shared ledger shows here too.
 *
 * It reads the write sets of valid transactions — the exact records the contract wrote
 * — rather than re-querying, and every store write is an idempotent upsert guarded by
 * (block, tx): replaying a block twice, or a block after a newer change, changes nothing.
 */
import { EventEmitter } from 'node:events';
import canonicalize from 'canonicalize';
import { common } from '@hyperledger/fabric-protos';
import { MetadataIndex, TxValidationCode, decodeEnvelope, txIdOfEnvelope, type Ledger } from '@anxin/network';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import type { Store } from '../ports/store';
import { anchorProjection } from './anchor-projection';

const CHECKPOINT = 'projection';
const NAMESPACE = 'anxin';
const ANCHOR_PREFIX = '\u0000anchor\u0000';
const ISSUER_PREFIX = '\u0000issuer\u0000';

/** Where an anchor change was made. */
export interface ChangeAt {
  block: number;
  txIndex: number;
  txId: string;
}
export type AnchorHook = (a: AnchorRecord, at: ChangeAt) => Promise<void>;

export class Projection extends EventEmitter {
  /** Issuers by id, as the ledger has them: the registry verification reads. */
  readonly issuers = new Map<string, IssuerRecord>();
  private abort?: AbortController;
  private running?: Promise<void>;
  private applied = { block: 0, txIndex: 0 };
  /** Transactions this gateway already projected when it submitted them: the follower skips them. */
  private readonly appliedDirectly = new Set<string>();
  /** Awaited for every anchor change before the checkpoint can pass it (see onAnchor). */
  private readonly anchorHooks: AnchorHook[] = [];

  constructor(
    private readonly store: Store,
    private readonly ledger: Ledger,
  ) {
    super();
  }

  /** Load the registry from the store, catch up to the ledger's height, then follow it. */
  async start(): Promise<void> {
    for (const p of await this.store.listIssuers()) this.issuers.set(p.issuer.id, p.issuer);
    const cp = (await this.store.getCheckpoint(CHECKPOINT)) ?? { block: 0, txIndex: 0 };
    this.applied = cp;
    const height = (await this.ledger.info()).height;
    this.abort = new AbortController();
    let caughtUp!: () => void;
    const ready = new Promise<void>((r) => (caughtUp = r));
    if (cp.block >= height) caughtUp();
    this.running = (async () => {
      for await (const b of this.ledger.blocks(cp.block, { signal: this.abort!.signal })) {
        await this.applyBlock(b.number, b.bytes, b.number === cp.block ? cp.txIndex : 0);
        if (b.number + 1 >= height) caughtUp();
      }
    })().catch((e) => {
      this.emit('error', e);
      caughtUp();
    });
    await ready;
  }

  private rememberDirect(txId: string): void {
    // Bounded: a transaction the follower passed while it was being applied directly is never removed.
    if (this.appliedDirectly.size > 100_000) this.appliedDirectly.clear();
    this.appliedDirectly.add(txId);
  }

  /** Next block to apply. */
  get position(): { block: number; txIndex: number } {
    return this.applied;
  }

  private async applyBlock(number: number, bytes: Uint8Array, fromTx: number): Promise<void> {
    const block = common.Block.deserializeBinary(bytes);
    const data = block.getData()?.getDataList_asU8() ?? [];
    const filter = block.getMetadata()?.getMetadataList_asU8()[MetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
    for (let index = fromTx; index < data.length; index++) {
      // Transactions this gateway projected when it submitted them are only recognised, not decoded.
      if (this.appliedDirectly.size && this.appliedDirectly.delete(txIdOfEnvelope(data[index]!))) continue;
      if (filter[index] !== TxValidationCode.VALID) continue;
      const tx = decodeEnvelope(data[index]!, index, TxValidationCode.VALID);
      for (const a of tx.actions) {
        for (const s of a.rwsets) {
          if (s.namespace !== NAMESPACE) continue;
          for (const w of s.writes) {
            if (w.isDelete) continue;
            if (w.key.startsWith(ANCHOR_PREFIX)) {
              const anchor = JSON.parse(Buffer.from(w.value).toString('utf8')) as AnchorRecord;
              await this.applyAnchor(anchor, number, tx.index, tx.txId);
            } else if (w.key.startsWith(ISSUER_PREFIX)) {
              await this.applyIssuer(
                JSON.parse(Buffer.from(w.value).toString('utf8')) as IssuerRecord,
                number,
                tx.index,
              );
            }
          }
        }
      }
    }
    this.applied = { block: number + 1, txIndex: 0 };
    await this.store.putCheckpoint(CHECKPOINT, this.applied);
    this.emit('block', number);
  }

  /**
   * Record an anchor as changed by transaction `txId` at (block, tx). Also called right
   * after our own submissions, so that a credential verifies the moment its issuance returns.
   */
  async applyAnchor(a: AnchorRecord, block: number, txIndex: number, txId: string, direct = false): Promise<void> {
    // Applied ahead of the follower, which may not have reached this block yet.
    if (direct && this.applied.block <= block) this.rememberDirect(txId);
    // The anchor's own txId is the anchoring transaction; for later changes keep the anchoring block.
    const anchoringBlock = a.txId === txId ? block : ((await this.store.getAnchor(a.id))?.block ?? -1);
    await this.store.putAnchor(anchorProjection(a, anchoringBlock, { block, tx: txIndex }));
    for (const hook of this.anchorHooks) await hook(a, { block, txIndex, txId });
    this.emit('anchor', a, { block, txIndex, txId });
  }

  /**
   * Run `hook` on every anchor change, awaited before the projection moves on: a block's
   * checkpoint is written only after its hooks ran, so a crash in between runs them again
   * at the next start (hooks must be idempotent). A hook that throws stops the projection,
   * as a failing store would: hooks handle their own errors.
   */
  onAnchor(hook: AnchorHook): () => void {
    this.anchorHooks.push(hook);
    return () => {
      const i = this.anchorHooks.indexOf(hook);
      if (i >= 0) this.anchorHooks.splice(i, 1);
    };
  }

  async applyIssuer(i: IssuerRecord, block: number, txIndex: number, txId?: string): Promise<void> {
    if (txId && this.applied.block <= block) this.rememberDirect(txId);
    // Stored in the ledger's own canonical form (RFC 8785 key order), whichever way it arrived.
    const issuer = JSON.parse(canonicalize(i) ?? 'null') as IssuerRecord;
    await this.store.putIssuer({ issuer, updatedBlock: block, updatedTx: txIndex });
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
