/**
 * How far the projection is behind the ledger: in blocks (the ledger's height minus the
 * next block the projection applies) and in seconds (the age of the oldest change it has
 * not applied: the time of the first transaction of that block). /readyz and /metrics read it.
 */
import type { Ledger } from '@anxin/network';
import { blockTransactions } from '@anxin/network/blocks';

export interface Lag {
  /** The ledger's height. */
  height: number;
  /** The next block the projection applies (= height when it is caught up). */
  projectedTo: number;
  blocks: number;
  seconds: number;
}

/** What the measure needs of the projection: where it is. */
export interface Positioned {
  readonly position: { block: number };
}

export class ProjectionLag {
  /** The time of the last block asked about: a lagging projection is measured again and again at the same block. */
  private stamp?: { block: number; at: number };

  constructor(
    private readonly ledger: Pick<Ledger, 'info' | 'blocks'>,
    private readonly projection: Positioned,
    private readonly now: () => Date,
  ) {}

  /**
   * The lag now; rejects when the ledger does not answer.
   *
   * @example
   * const { blocks, seconds } = await lag.measure(); // 0, 0 when caught up
   */
  async measure(): Promise<Lag> {
    const { height } = await this.ledger.info();
    const projectedTo = Math.min(this.projection.position.block, height);
    const blocks = height - projectedTo;
    if (blocks === 0) return { height, projectedTo, blocks, seconds: 0 };
    const at = await this.timeOf(projectedTo);
    return { height, projectedTo, blocks, seconds: Math.max(0, (this.now().getTime() - at) / 1000) };
  }

  /** When block `n` was made: its first transaction's timestamp (now, should it carry none). */
  private async timeOf(n: number): Promise<number> {
    if (this.stamp?.block === n) return this.stamp.at;
    let at = this.now().getTime();
    for await (const b of this.ledger.blocks(n, { follow: false })) {
      try {
        const txs = blockTransactions(b.bytes);
        if (txs.count) at = txs.decode(0).timestamp.getTime();
      } catch {
        // A block whose first envelope does not decode is dated by its arrival here.
      }
      break;
    }
    this.stamp = { block: n, at };
    return at;
  }
}
