/**
 * Where a committed transaction sits: its block and its index in that block.
 *
 * The gateway's commit status gives the block number but not the index, and the Ledger
 * port promises both. A `TxLocator` follows the peer's filtered block events (block
 * number, then each transaction's id and validation code, in block order: a few bytes a
 * transaction) from the height at which the first submit started, and notes the index of
 * every transaction a submit is waiting for. When the stream is down, started too late,
 * or slow, the index comes from the block itself (qscc GetBlockByTxID).
 */
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { PrefetchedStream } from './stream';

export interface TxLocation {
  block: number;
  index: number;
  code: number;
}

/** The system chaincode qscc, through a Contract on it. */
export class Qscc {
  constructor(
    private readonly contract: Contract,
    private readonly channel: string,
  ) {}

  async chainInfo(): Promise<common.BlockchainInfo> {
    const bytes = await this.contract.evaluate('GetChainInfo', { arguments: [this.channel] });
    return common.BlockchainInfo.deserializeBinary(bytes);
  }

  async blockByTxId(txId: string): Promise<common.Block> {
    return common.Block.deserializeBinary(
      await this.contract.evaluate('GetBlockByTxID', { arguments: [this.channel, txId] }),
    );
  }

  async blockByNumber(n: number): Promise<common.Block> {
    return common.Block.deserializeBinary(
      await this.contract.evaluate('GetBlockByNumber', { arguments: [this.channel, String(n)] }),
    );
  }

  /** The validation code of a transaction, or undefined when the peer has no such transaction. */
  async validationCode(txId: string): Promise<number | undefined> {
    try {
      const bytes = await this.contract.evaluate('GetTransactionByID', { arguments: [this.channel, txId] });
      return peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode();
    } catch (e) {
      if (/not found|no such transaction|Failed to get transaction/i.test(detailsText(e))) return undefined;
      throw e;
    }
  }

  /** Block number and index of a committed transaction, from its block. */
  async locate(txId: string): Promise<TxLocation | undefined> {
    const block = await this.blockByTxId(txId);
    const index = txIndexIn(block, txId);
    if (index < 0) return undefined;
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    return { block: block.getHeader()!.getNumber(), index, code: filter?.[index] ?? 255 };
  }
}

function detailsText(e: unknown): string {
  const g = e as { message?: string; details?: Array<{ message?: string }> };
  return [g.message ?? '', ...(g.details ?? []).map((d) => d.message ?? '')].join(' | ');
}

/** Index of `txId` among a block's envelopes, -1 if absent. */
export function txIndexIn(block: common.Block, txId: string): number {
  const data = block.getData()?.getDataList_asU8() ?? [];
  for (let i = 0; i < data.length; i++) {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(data[i]!).getPayload_asU8());
    const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
    if (ch.getTxId() === txId) return i;
  }
  return -1;
}

interface Waiter {
  block: number;
  resolve: (loc: TxLocation | undefined) => void;
}

/**
 * Follows filtered block events to learn the index of transactions being submitted.
 * `expect` before submitting, `locate` once the commit status is known, `forget` after.
 */
export class TxLocator {
  private readonly expected = new Map<string, TxLocation | null>();
  private readonly waiters = new Map<string, Waiter>();
  private stream?: PrefetchedStream<peer.FilteredBlock>;
  private running?: Promise<void>;
  /** First block the current stream was asked for; last block it delivered. */
  private startedAt = Number.POSITIVE_INFINITY;
  private seen = -1;
  private closed = false;

  constructor(
    private readonly network: Network,
    private readonly height: () => Promise<number>,
    private readonly qscc: Qscc,
    private readonly waitMs = 2_000,
  ) {}

  expect(txId: string): void {
    if (this.closed) return;
    this.expected.set(txId, null);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.stream = undefined;
      this.startedAt = Number.POSITIVE_INFINITY;
      // Whoever still waits gets the fallback.
      for (const [txId, w] of this.waiters) {
        this.waiters.delete(txId);
        w.resolve(undefined);
      }
    });
  }

  forget(txId: string): void {
    this.expected.delete(txId);
    this.waiters.delete(txId);
  }

  /** Index of `txId`, committed in `block`: from the stream when it saw it, else from the block. */
  async locate(txId: string, block: number): Promise<TxLocation> {
    const known = this.expected.get(txId);
    if (known && known.block === block) return known;
    let loc: TxLocation | undefined;
    if (this.running && this.startedAt <= block && this.seen < block) {
      loc = await new Promise<TxLocation | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters.delete(txId);
          resolve(undefined);
        }, this.waitMs);
        this.waiters.set(txId, {
          block,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    }
    if (loc && loc.block === block) return loc;
    loc = await this.qscc.locate(txId);
    if (!loc) throw new Error(`transaction ${txId} is not in block ${block}`);
    return loc;
  }

  private async run(): Promise<void> {
    const start = this.seen >= 0 ? this.seen + 1 : await this.height();
    if (this.closed) return;
    this.startedAt = start;
    try {
      this.stream = new PrefetchedStream(await this.network.getFilteredBlockEvents({ startBlock: BigInt(start) }));
      if (this.closed) this.stream.close();
      for await (const fb of this.stream) {
        const n = fb.getNumber();
        const txs = fb.getFilteredTransactionsList();
        for (let i = 0; i < txs.length; i++) {
          const t = txs[i]!;
          const id = t.getTxid();
          if (!this.expected.has(id)) continue;
          const loc = { block: n, index: i, code: t.getTxValidationCode() };
          this.expected.set(id, loc);
          const w = this.waiters.get(id);
          if (w) {
            this.waiters.delete(id);
            w.resolve(loc);
          }
        }
        this.seen = n;
        // Waiters for this block whose transaction was not in it: fall back.
        for (const [id, w] of this.waiters) {
          if (w.block <= n) {
            this.waiters.delete(id);
            w.resolve(undefined);
          }
        }
        if (this.closed) break;
      }
    } catch {
      // The stream broke (peer restarted, ledger closed): the next expect starts a new one.
    }
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
  }
}
