/**
 * What bench/replay measured, and the report it prints: the machine, the ledger, the
 * yardstick (raw verifications), the signature-check stage, the whole replay, and the
 * ratios against the goals.
 */

export interface ReplayBenchResult {
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    platform: string;
    loadBefore: number[];
    loadAfter: number[];
  };
  ledger: {
    dir: string;
    generated: boolean;
    generationSeconds: number | null;
    blocks: number;
    transactions: number;
    mvccConflicts: number | null;
    megabytes: number;
  };
  raw: { verifyPerSecondOneCore: number; verifyPerSecondAllCores: number; threads: number; messageBytes: number };
  /** cpuSeconds: CPU time of the whole process (all threads); coresUsed = cpuSeconds ÷ seconds. On a shared machine, perCpuSecond shows the work's own cost. */
  signatureChecks: Array<{
    workers: number;
    signatures: number;
    seconds: number;
    perSecond: number;
    cpuSeconds: number;
    coresUsed: number;
    perCpuSecond: number;
    /** The warm-up pass of the best run (V8 still compiling), signatures per second. */
    warmUpPerSecond: number;
    /** Every measured run, signatures per second. */
    runs: number[];
  }>;
  /** Transactions in the warm-up and in the measured pass of the signature checks. */
  signatureCheckTransactions: { warmUp: number; measured: number };
  replays: Array<{
    workers: number;
    ok: boolean;
    findings: number;
    blocks: number;
    transactions: number;
    signatures: number;
    engineSeconds: number;
    cpuSeconds: number;
    coresUsed: number;
    wallSeconds: number;
    txPerSecond: number;
    txPerCpuSecond: number;
  }>;
  ratios: {
    signaturesPerTransaction: number;
    /** Raw one-core verifications per second ÷ signatures per transaction. */
    txPerSecondAllowedOneCore: number;
    signatureChecks2over1: number | null;
    /** The same ratio from each worker count's median run. */
    signatureChecks2over1Median: number | null;
    replay2over1: number | null;
    replayOverAllowed: Array<{ workers: number; ofOneCore: number; ofWorkersCores: number }>;
  };
  goals: {
    spread: { target: number; value: number | null; met: boolean | null };
    replay: { target: number; value: number; met: boolean };
  };
  totalSeconds: number;
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const round2 = (x: number) => round(x, 2);
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function formatReplayReport(r: ReplayBenchResult): string {
  const L: string[] = [];
  L.push('anxin replay benchmark');
  L.push(
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.loadBefore.join(' ')} before, ${r.machine.loadAfter.join(' ')} after`,
  );
  L.push(
    `ledger: ${r.ledger.transactions} transactions in ${r.ledger.blocks || '?'} blocks${r.ledger.megabytes ? `, ${r.ledger.megabytes} MB` : ''}${r.ledger.mvccConflicts !== null ? `, ${r.ledger.mvccConflicts} MVCC conflicts` : ''}${r.ledger.generationSeconds !== null ? `; generated in ${r.ledger.generationSeconds} s` : ' (given)'}`,
  );
  L.push('');
  L.push(
    `raw ECDSA P-256 verify (node:crypto, ${r.raw.messageBytes}-byte message): ${r.raw.verifyPerSecondOneCore}/s on one core, ${r.raw.verifyPerSecondAllCores}/s on ${r.raw.threads} threads`,
  );
  L.push(
    `signatures per transaction: ${r.ratios.signaturesPerTransaction} (creator, endorser, statement JWS; orderer per block)  →  the signature count allows ${r.ratios.txPerSecondAllowedOneCore} tx/s per core`,
  );
  L.push('');
  L.push(
    `signature checks alone (decode + every Fabric signature + certificate chains, on the worker pool), after a warm-up pass over ${r.signatureCheckTransactions.warmUp} transactions, measured over the next ${r.signatureCheckTransactions.measured}; best of 3:`,
  );
  for (const c of r.signatureChecks) {
    L.push(
      `  ${c.workers} worker${c.workers === 1 ? ' ' : 's'}  ${String(c.perSecond).padStart(8)} signatures/s   (${c.signatures} in ${c.seconds} s; ${c.coresUsed} cores busy; ${c.perCpuSecond} per CPU-second; runs ${c.runs.join(', ')}; warm-up pass ${c.warmUpPerSecond}/s)`,
    );
  }
  L.push('whole replay, every check on (anxin replay --data DIR --workers W):');
  for (const x of r.replays) {
    const ratio = r.ratios.replayOverAllowed.find((y) => y.workers === x.workers)!;
    L.push(
      `  ${x.workers} worker${x.workers === 1 ? ' ' : 's'}  ${String(x.txPerSecond).padStart(8)} tx/s   ${round(x.engineSeconds, 1)} s (${round(x.wallSeconds, 1)} s wall; ${x.coresUsed} cores busy; ${x.txPerCpuSecond} tx per CPU-second)   ${ratio.ofOneCore}× what one core's signatures allow, ${ratio.ofWorkersCores}× what ${Math.max(1, x.workers)} cores' allow   ${x.ok ? 'no findings' : `${x.findings} FINDINGS`}`,
    );
  }
  L.push('');
  const parallel = r.raw.verifyPerSecondAllCores / r.raw.verifyPerSecondOneCore;
  if (parallel < 0.9 * Math.min(2, r.raw.threads)) {
    L.push(
      `note: the machine is shared: all ${r.raw.threads} threads together verified only ${round(parallel)}× what one did, so parallel figures are bounded by that (see "cores busy")`,
    );
  }
  const g = r.goals;
  L.push(
    `goal: signature checks on 2 workers ≥ ${g.spread.target}× 1 worker: ${g.spread.value ?? 'n/a'}× ${g.spread.met === null ? '' : g.spread.met ? '(met)' : '(NOT met)'}${r.ratios.signatureChecks2over1Median !== null ? ` (median runs: ${r.ratios.signatureChecks2over1Median}×)` : ''}`,
  );
  L.push(
    `goal: replay ≥ ${g.replay.target}× the rate the signature count allows (one core): ${g.replay.value}× ${g.replay.met ? '(met)' : '(NOT met)'}`,
  );
  if (r.ratios.replay2over1 !== null) L.push(`whole replay, 2 workers ÷ 1: ${r.ratios.replay2over1}×`);
  L.push(`total: ${r.totalSeconds} s`);
  return L.join('\n');
}
