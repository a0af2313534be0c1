/**
 * The Fabric adapter's streams, over the peer's deliver service: blocks (the peer's block
 * events, from block N, as serialized common.Block) and chaincode events (the gateway's
 * chaincode events, each given its transaction's index from the filtered block events of
 * the same blocks).
 * A broken stream is opened again where it left off, a bounded number of times in a row;
 * an abort or the ledger's close ends it quietly. With a checkpointer, a stream starts
 * where the checkpoint says and records each block (or event) once it was handled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { ChaincodeEvent, CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import type { peer } from '@hyperledger/fabric-protos';
import { TxValidationCode } from '../../blocks/codes';
import { LedgerError } from '../../ports/ledger';
import type { ChaincodeEventRecord, LedgerInfo, RawBlock } from '../../ports/ledger';
import type { FabricLedgerStats, FabricStreamOptions } from './config';
import { isTransient } from './errors';
import { PrefetchedStream } from './stream';

/** Number of chaincode events of `chaincode` a filtered transaction carries. */
function eventCount(t: peer.FilteredTransaction, chaincode: string): number {
  const actions = t.getTransactionActions()?.getChaincodeActionsList() ?? [];
  return actions.filter((a) => a.getChaincodeEvent()?.getChaincodeId() === chaincode).length;
}

/** A stream that ended without being asked to: as a connection failure, to be retried. */
function ended(what: string): Error {
  return Object.assign(new Error(`the ${what} stream ended`), { code: grpc.status.UNAVAILABLE });
}

/** Block to (re)start from; in that block, events up to and including afterTx are done. */
interface Position {
  block: number;
  afterTx?: string;
}

/** Where a chaincode event stream starts: at its checkpoint if it has one, else at `from`. */
function startPosition(from: number, checkpointer: FabricStreamOptions['checkpointer']): Position {
  const cp = checkpointer?.getBlockNumber();
  if (cp === undefined) return { block: Math.max(0, from) };
  const afterTx = checkpointer?.getTransactionId();
  return { block: Number(cp), ...(afterTx ? { afterTx } : {}) };
}

/** What the streams work with: the ledger's channel, chaincode, counters and state. */
export interface StreamDeps {
  network: Network;
  chaincode: string;
  /** Reconnections after a connection failure, in a row. */
  retries: number;
  stats: FabricLedgerStats;
  /** Whether the ledger is closing (streams end quietly then). */
  closing(): boolean;
  info(): Promise<LedgerInfo>;
  /** A failure of `op` as the port's error. */
  map(e: unknown, op: string): LedgerError;
}

/** The open streams of one ledger, closed together when it closes. */
export class Streams {
  private readonly open = new Set<PrefetchedStream<unknown>>();

  constructor(private readonly d: StreamDeps) {}

  closeAll(): void {
    for (const h of [...this.open]) h.close();
  }

  private async openStream<T>(
    open: () => Promise<CloseableAsyncIterable<T>>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<PrefetchedStream<T> | undefined> {
    let raw: CloseableAsyncIterable<T>;
    try {
      raw = await open();
    } catch (e) {
      throw this.d.map(e, what);
    }
    const onAbort = () => stream.close();
    const stream: PrefetchedStream<T> = new PrefetchedStream(raw, () => {
      signal?.removeEventListener('abort', onAbort);
      this.open.delete(stream as PrefetchedStream<unknown>);
    });
    this.open.add(stream as PrefetchedStream<unknown>);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted || this.d.closing()) {
      stream.close();
      return undefined;
    }
    return stream;
  }

  /** Whether a stream failure should end the stream quietly, be retried, or thrown. */
  private async failed(
    e: unknown,
    cancelled: boolean,
    signal: AbortSignal | undefined,
    failures: number,
    what: string,
  ): Promise<'end' | 'retry'> {
    if (cancelled || signal?.aborted || this.d.closing()) return 'end';
    if (isTransient(e) && failures <= this.d.retries) {
      this.d.stats.streamReconnects++;
      await sleep(Math.min(5_000, 250 * 2 ** (failures - 1)));
      return 'retry';
    }
    throw this.d.map(e, what);
  }

  async *blocks(from: number, opts: FabricStreamOptions = {}): AsyncIterable<RawBlock> {
    const { signal, checkpointer } = opts;
    const end = opts.follow === false ? (await this.d.info()).height : undefined;
    const cp = checkpointer?.getBlockNumber();
    let next = cp !== undefined ? Number(cp) : Math.max(0, from);
    let failures = 0;
    while (end === undefined || next < end) {
      const h = await this.openStream(
        () => this.d.network.getBlockEvents({ startBlock: BigInt(next) }),
        signal,
        'block events',
      );
      if (!h) return;
      try {
        for await (const block of h) {
          failures = 0;
          const n = block.getHeader()?.getNumber() ?? -1;
          if (n < next) continue;
          yield { number: n, bytes: block.serializeBinary() };
          next = n + 1;
          if (checkpointer) await checkpointer.checkpointBlock(BigInt(n));
          if ((end !== undefined && next >= end) || signal?.aborted || this.d.closing()) return;
        }
        if (h.cancelled || signal?.aborted || this.d.closing()) return;
        throw ended('block event');
      } catch (e) {
        if ((await this.failed(e, h.cancelled, signal, ++failures, 'block events')) === 'end') return;
      } finally {
        h.close();
      }
    }
  }

  async *events(from: number, opts: FabricStreamOptions = {}): AsyncIterable<ChaincodeEventRecord> {
    const { signal } = opts;
    const end = opts.follow === false ? (await this.d.info()).height : undefined;
    const at = { pos: startPosition(from, opts.checkpointer) };
    let failures = 0;
    const { chaincode, network } = this.d;
    while (end === undefined || at.pos.block < end) {
      const start = BigInt(at.pos.block);
      const fb = await this.openStream(
        () => network.getFilteredBlockEvents({ startBlock: start }),
        signal,
        'filtered block events',
      );
      if (!fb) return;
      let ev: PrefetchedStream<ChaincodeEvent> | undefined;
      try {
        ev = await this.openStream(
          () => network.getChaincodeEvents(chaincode, { startBlock: start }),
          signal,
          'chaincode events',
        );
        if (!ev) return;
        for await (const block of fb) {
          failures = 0;
          if (block.getNumber() < at.pos.block) continue;
          if (yield* this.eventsOfBlock(block, ev, at, opts)) return;
          if ((end !== undefined && at.pos.block >= end) || signal?.aborted || this.d.closing()) return;
        }
        if (fb.cancelled || signal?.aborted || this.d.closing()) return;
        throw ended('filtered block event');
      } catch (e) {
        const cancelled = fb.cancelled || (ev?.cancelled ?? false);
        if ((await this.failed(e, cancelled, signal, ++failures, 'chaincode events')) === 'end') return;
      } finally {
        ev?.close();
        fb.close();
      }
    }
  }

  /**
   * The chaincode events of one filtered block, read from the event stream in step with it
   * (they must agree, transaction by transaction); in the block `at.pos` names, those up to
   * its `afterTx` were delivered before. Moves `at.pos` past what it yields; true to stop.
   */
  private async *eventsOfBlock(
    block: peer.FilteredBlock,
    events: AsyncIterator<ChaincodeEvent>,
    at: { pos: Position },
    { signal, checkpointer }: FabricStreamOptions,
  ): AsyncGenerator<ChaincodeEventRecord, boolean> {
    const { chaincode } = this.d;
    const n = block.getNumber();
    const skipThrough = n === at.pos.block ? at.pos.afterTx : undefined;
    let skipping = skipThrough !== undefined;
    const txs = block.getFilteredTransactionsList();
    for (let i = 0; i < txs.length; i++) {
      const t = txs[i]!;
      if (t.getTxValidationCode() !== TxValidationCode.VALID) continue;
      for (let k = eventCount(t, chaincode); k > 0; k--) {
        const r = await events.next();
        if (r.done) throw ended('chaincode event');
        const e = r.value;
        if (e.transactionId !== t.getTxid() || Number(e.blockNumber) !== n) {
          throw new LedgerError(
            'UNAVAILABLE',
            `chaincode events and blocks disagree: block ${n} tx ${i} (${t.getTxid()}) has an event, the event stream gave ${e.transactionId} of block ${e.blockNumber}`,
          );
        }
        if (skipping) {
          if (e.transactionId === skipThrough) skipping = false;
          continue;
        }
        yield { block: n, txId: e.transactionId, txIndex: i, name: e.eventName, payload: e.payload };
        at.pos = { block: n, afterTx: e.transactionId };
        if (checkpointer) await checkpointer.checkpointChaincodeEvent(e);
        if (signal?.aborted || this.d.closing()) return true;
      }
    }
    at.pos = { block: n + 1 };
    if (checkpointer) await checkpointer.checkpointBlock(BigInt(n));
    return false;
  }
}
