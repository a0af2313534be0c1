/**
 * The embedded ledger's COMMIT_HASH chain, kept as a Fabric peer keeps it
 * (kvledger's addBlockCommitHash): block 1 starts it, every later block extends it, and a
 * ledger whose last block carries none (one written before commit hashes were) goes on
 * without them, as a peer upgraded from a version without them does.
 */
import { join } from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { TxValidationCode } from '../blocks/codes';
import { commitHash, commitHashOfBlock, updateBatchBytes } from '../blocks/commit-hash';
import type { NsRwSetSpec } from '../blocks/tx';
import { readBlockAt, type BlockLocation } from './blockfile';
import { CHAIN_DIR } from './genesis';

export class CommitHashChain {
  private constructor(private last: Uint8Array) {}

  /** The chain as the ledger in `dir` left it, `height` blocks high. */
  static open(dir: string, index: { block(n: number): BlockLocation | undefined }, height: number): CommitHashChain {
    if (height <= 1) return new CommitHashChain(new Uint8Array(0));
    const loc = index.block(height - 1);
    if (!loc) throw new Error(`no block ${height - 1} in the block index`);
    const last = commitHashOfBlock(common.Block.deserializeBinary(readBlockAt(join(dir, CHAIN_DIR), loc)));
    return new CommitHashChain(last ?? new Uint8Array(0));
  }

  /**
   * The commit hash of block `number`, given its validation codes and its transactions'
   * read-write sets (only valid ones count), or undefined when the chain does not run.
   * `advance` once the block is committed.
   */
  next(number: number, codes: number[], txs: Array<{ rwsets: NsRwSetSpec[] }>): Buffer | undefined {
    if (number !== 1 && this.last.length === 0) return undefined;
    const valid = txs
      .map((t, index) => ({ index, rwsets: t.rwsets }))
      .filter((t) => codes[t.index] === TxValidationCode.VALID);
    return commitHash(this.last, Uint8Array.from(codes), updateBatchBytes(number, valid));
  }

  advance(hash: Uint8Array | undefined): void {
    if (hash) this.last = hash;
  }
}
