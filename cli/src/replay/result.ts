/**
 * What a replay answers: whether everything holds, the findings, and a summary of what
 * was read and checked (the `--json` output of `anxin replay`).
 */
import type { Finding } from './findings';
import type { World } from './world';

export interface ReplaySummary {
  source: string;
  blocks: { from: number; to: number; checked: number };
  transactions: { total: number; valid: number; invalid: Record<string, number> };
  statements: Record<string, number>;
  /** Signatures verified: Fabric's (orderer, creators, endorsers) plus the statements' JWS. */
  signaturesVerified: number;
  signatures: { fabric: number; statements: number };
  /** COMMIT_HASH metadata recomputed and found equal (the peer's chain over each block's state updates). */
  commitHashesVerified: number;
  credentials: { total: number; byType: Record<string, number>; byStatus: Record<string, number> };
  issuers: {
    total: number;
    byStatus: Record<string, number>;
    keys: { total: number; retired: number; compromised: number };
  };
  /** What the replay's trust rests on: block 0's hash and the MSP roots it names. Compare them with a trusted copy. */
  trustAnchors: { genesisBlockHash: string | null; msps: Array<{ mspId: string; rootCertSha256: string[] }> };
  /** Whether the rebuilt state is the whole state at the end of the range (every block from 0 read, no gap). */
  stateComplete: boolean;
  stateCompared: boolean;
  storeCompared: boolean;
  /** Why some checks could not run (e.g. a partial range), if any. */
  notes: string[];
  workers: number;
  elapsedMs: number;
  /** CPU time of the whole process (every thread) during the replay, ms. */
  cpuMs: number;
  txPerSecond: number;
}

export interface ReplayResult {
  ok: boolean;
  findings: Finding[];
  findingsTotal: number;
  summary: ReplaySummary;
  /** The rebuilt world state, with `keepWorld`. */
  world?: World;
}
