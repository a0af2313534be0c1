/**
 * The COMMIT_HASH chain, followed block by block: each block's recorded hash against
 * SHA-256(its filter and update batch || the previous block's hash), as a Fabric peer
 * computes it (network/blocks/commit-hash). The chain starts at block 1, or never (a
 * ledger, or a peer, from before commit hashes): a block without one after a block with
 * one, or the other way round, is a finding too.
 *
 * One damaged block gives one finding: the next block is checked against both the hash the
 * damaged block records and the hash it should have recorded, so the chain resumes at once
 * whichever of the two was altered.
 */
import { chainCommitHash } from '@anxin/network';
import type { CommitHashFacts } from './check';
import type { Finding } from './findings';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/** What the previous block left: the hash it records and the one it should record (empty: no chain). */
interface Link {
  recorded: Uint8Array;
  computed: Uint8Array;
}

const NONE: Link = { recorded: new Uint8Array(0), computed: new Uint8Array(0) };

export class CommitHashChecker {
  /** undefined: the previous block is unknown (a gap, a partial range, a block that did not decode). */
  private previous: Link | undefined = undefined;
  /** Commit hashes recomputed and found equal. */
  verified = 0;

  /** The chain cannot be followed across what comes next (a gap, an undecodable block). */
  lose(): void {
    this.previous = undefined;
  }

  /** Block `n`: its facts, and whether it is in the range checked (`false`: only remember it). */
  follow(n: number, facts: CommitHashFacts, check: boolean, report: (f: Finding) => void): void {
    const recorded = facts.recorded;
    if (n === 0) {
      if (recorded && check)
        report({ kind: 'commitHash', block: 0, detail: 'block 0 carries a commit hash; the chain starts at block 1' });
      this.previous = NONE;
      return;
    }
    const previous = this.previous;
    if (!check || !facts.input || !previous) {
      // Nothing to check it against: take the block as it is and go on from there.
      this.previous = recorded ? { recorded, computed: recorded } : NONE;
      return;
    }
    const running = n === 1 || previous.computed.length > 0 || previous.recorded.length > 0;
    if (!running) {
      if (recorded)
        report({
          kind: 'commitHash',
          block: n,
          detail: `the block carries a commit hash, but block ${n - 1} has none: the chain starts at block 1 or never`,
        });
      this.previous = recorded ? { recorded, computed: recorded } : NONE;
      return;
    }
    const computed = chainCommitHash(facts.input, previous.computed);
    if (!recorded) {
      if (n > 1)
        report({
          kind: 'commitHash',
          block: n,
          detail: `COMMIT_HASH is missing, though block ${n - 1} has one`,
          expected: hex(computed),
          actual: '(none)',
        });
      this.previous = n === 1 ? NONE : { recorded: new Uint8Array(0), computed };
      return;
    }
    const fromRecorded = eq(previous.recorded, previous.computed)
      ? computed
      : chainCommitHash(facts.input, previous.recorded);
    if (eq(recorded, computed) || eq(recorded, fromRecorded)) this.verified++;
    else
      report({
        kind: 'commitHash',
        block: n,
        detail:
          "COMMIT_HASH is not the hash of this block's validation codes and state updates chained on the previous block's",
        expected: hex(computed),
        actual: hex(recorded),
      });
    this.previous = { recorded, computed };
  }
}
