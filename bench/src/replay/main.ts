/**
 * bench/replay: how fast `anxin replay` re-checks a large ledger, against what its
 * signature count allows.
 *
 *   node bench/dist/replay/main.js [--tx N] [--workers 1,2] [--repeat N] [--json] [--ledger DIR] [--keep] [--quick]
 *
 *   1. a ledger of N transactions (default 100,000) is generated once into a temp folder
 *      (./generate: the embedded ledger's format, the contract's own rules; timed apart);
 *   2. raw ECDSA P-256 verifications per second on one core (node:crypto, one-shot, DER,
 *      over a real envelope payload of that ledger) — the yardstick — and on all cores at once;
 *   3. signature checks alone (the worker pool's stage: decode, orderer/creator/endorser
 *      signatures, certificate chains) with 1 and 2 workers: do they spread over the cores?
 *   4. the whole replay, every check on (`node cli/dist/bin.js replay --data DIR --json
 *      --workers W`), for each W;
 *   5. the ratios the issue asks for: 2 workers ÷ 1 worker on signature checks (goal ≥ 1.7),
 *      and replay tx/s ÷ the tx/s the signature count allows (raw verifications per second of
 *      one core ÷ signatures per transaction; goal ≥ 0.7).
 *
 * Progress goes to stderr; the report (or --json) to stdout. Runs on its own; a suite
 * runner can call `runReplayBench` and `formatReplayReport`.
 */
import { execFile, spawn } from 'node:child_process';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, arch, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/rules';
import { decodeBlock, mspsFromConfig } from '@anxin/network';
import { CheckPool, dataDirSource } from '@anxin/cli';

export interface ReplayBenchOptions {
  transactions: number;
  workers: number[];
  /** Runs of each replay (the best counts: the machine may be shared). Default 1. */
  repeat?: number;
  /** Reuse this ledger instead of generating one. */
  ledger?: string;
  keep: boolean;
  log: (line: string) => void;
}

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

const REPO = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO, 'cli', 'dist', 'bin.js');

/** Generate in a child process: it loads the embedded ledger's modules, this process stays clean for measuring. */
function generateInChild(
  dir: string,
  transactions: number,
  log: (l: string) => void,
): Promise<{ seconds: number; blocks: number; transactions: number; mvccConflicts: number; bytes: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [__filename, '--generate-only', dir, '--tx', String(transactions)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach(log));
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`the ledger generator exited with ${code}`));
      try {
        done(JSON.parse(out) as never);
      } catch (e) {
        fail(e as Error);
      }
    });
  });
}

/** A real signature of the ledger to verify over and over: block 1's first envelope, by its creator. */
async function sampleSignature(
  dir: string,
): Promise<{ key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array }> {
  for await (const raw of dataDirSource(dir).blocks(1)) {
    const t = decodeBlock(raw.bytes).transactions[0]!;
    return {
      key: createPublicKey(t.creator.certPem),
      message: Buffer.from(t.payload),
      signature: Buffer.from(t.signature),
    };
  }
  throw new Error(`${dir} has no block 1`);
}

function rawVerifyRate(
  sample: { key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array },
  ms: number,
): number {
  for (let i = 0; i < 200; i++) cryptoVerify('sha256', sample.message, sample.key, sample.signature);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) cryptoVerify('sha256', sample.message, sample.key, sample.signature);
    n += 50;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

/** The same loop on `threads` worker threads at once: what all cores give together. */
async function rawVerifyRateThreads(
  threads: number,
  sample: { key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array },
  ms: number,
): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const key = createPublicKey(workerData.pem);
    for (let i = 0; i < 200; i++) verify('sha256', workerData.message, key, workerData.signature);
    let n = 0; const start = performance.now(); let now = start;
    while (now - start < workerData.ms) { for (let i = 0; i < 50; i++) verify('sha256', workerData.message, key, workerData.signature); n += 50; now = performance.now(); }
    parentPort.postMessage(n / (now - start) * 1000);`;
  const pem = sample.key.export({ format: 'pem', type: 'spki' }) as string;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((done, fail) => {
          const w = new Worker(code, {
            eval: true,
            workerData: { pem, message: sample.message, signature: sample.signature, ms },
          });
          w.once('message', (r: number) => {
            done(r);
            void w.terminate();
          });
          w.once('error', fail);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** The blocks the pool stage is measured on, read into memory once (so the main thread only hands them out). */
interface CheckBlocks {
  all: Uint8Array[];
  /** Block numbers [from, to) of the warm-up pass and of the measured pass. */
  warm: [number, number];
  measured: [number, number];
  warmTx: number;
  measuredTx: number;
}

/**
 * Up to `warmBlocks` blocks after the genesis block to warm up on, then up to `measuredBlocks` more to measure;
 * a small ledger is split a third / two thirds.
 */
async function loadCheckBlocks(dir: string, warmBlocks: number, measuredBlocks: number): Promise<CheckBlocks> {
  const all: Uint8Array[] = [];
  for await (const raw of dataDirSource(dir).blocks(0)) {
    if (raw.number > warmBlocks + measuredBlocks) break;
    all.push(Uint8Array.from(raw.bytes));
  }
  if (all.length < 4) throw new Error(`${dir} has too few blocks to measure signature checks on`);
  const split = Math.min(1 + warmBlocks, 1 + Math.floor((all.length - 1) / 3));
  const txIn = (from: number, to: number) =>
    all.slice(from, to).reduce((n, b) => n + decodeBlock(b).transactions.length, 0);
  return {
    all,
    warm: [1, split],
    measured: [split, all.length],
    warmTx: txIn(1, split),
    measuredTx: txIn(split, all.length),
  };
}

/**
 * The worker pool's stage alone: decode, encoding, every Fabric signature and certificate chain.
 * A fresh pool first checks the warm-up blocks (timed, not counted: V8 is still compiling the
 * decode and check code, and with every core busy its compiler threads wait for a core), then
 * the measured blocks: the pool's steady rate, which is what a long replay runs at.
 */
async function signatureChecks(
  blocks: CheckBlocks,
  workers: number,
): Promise<{ signatures: number; seconds: number; cpuSeconds: number; warmPerSecond: number }> {
  const pool = new CheckPool(workers);
  const window = workers * 6;
  const pass = async ([from, to]: [number, number]) => {
    const inFlight: Array<ReturnType<CheckPool['check']>> = [];
    let signatures = 0;
    const settle = async () => {
      const r = await inFlight.shift()!.result;
      if (!r.ok) throw new Error(`block does not decode: ${r.error}`);
      if (r.findings.length) throw new Error(`block ${r.number}: ${r.findings[0]!.detail}`);
      signatures += r.signatures;
    };
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let n = from; n < to; n++) {
      // Signature checks only: the workers send back findings and counts, not the transactions' facts.
      inFlight.push(
        pool.check({
          number: n,
          bytes: blocks.all[n]!,
          check: true,
          genesis: false,
          fabric: false,
          facts: false,
          chaincode: DEFAULT_CHAINCODE_NAME,
        }),
      );
      while (inFlight.length >= window) await settle();
    }
    while (inFlight.length) await settle();
    const used = process.cpuUsage(cpu);
    return { signatures, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  try {
    pool.setMsps(1, { msps: mspsFromConfig(decodeBlock(blocks.all[0]!).transactions[0]!.config!) });
    const warm = await pass(blocks.warm);
    return { ...(await pass(blocks.measured)), warmPerSecond: Math.round(warm.signatures / warm.seconds) };
  } finally {
    await pool.close();
  }
}

function replayOnce(dir: string, workers: number): Promise<ReplayBenchResult['replays'][number]> {
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CLI, 'replay', '--data', dir, '--json', '--no-progress', '--workers', String(workers), '--max-findings', '20'],
      { maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const wall = (performance.now() - started) / 1000;
        let r: {
          ok: boolean;
          findingsTotal: number;
          findings: unknown[];
          summary: {
            blocks: { checked: number };
            transactions: { total: number };
            signaturesVerified: number;
            elapsedMs: number;
            cpuMs: number;
            txPerSecond: number;
          };
        };
        try {
          r = JSON.parse(stdout) as typeof r;
        } catch {
          return fail(new Error(`anxin replay failed (${err?.message ?? 'no JSON'}): ${stderr.slice(0, 2000)}`));
        }
        if (!r.ok)
          process.stderr.write(
            `replay found ${r.findingsTotal} mismatches on the generated ledger: ${JSON.stringify(r.findings.slice(0, 5))}\n`,
          );
        done({
          workers,
          ok: r.ok,
          findings: r.findingsTotal,
          blocks: r.summary.blocks.checked,
          transactions: r.summary.transactions.total,
          signatures: r.summary.signaturesVerified,
          engineSeconds: r.summary.elapsedMs / 1000,
          cpuSeconds: round2(r.summary.cpuMs / 1000),
          coresUsed: round2(r.summary.cpuMs / r.summary.elapsedMs),
          wallSeconds: wall,
          txPerSecond: r.summary.txPerSecond,
          txPerCpuSecond: Math.round((r.summary.transactions.total / r.summary.cpuMs) * 1000),
        });
      },
    );
  });
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const round2 = (x: number) => round(x, 2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runReplayBench(o: ReplayBenchOptions): Promise<ReplayBenchResult> {
  const started = Date.now();
  const loadBefore = loadavg().map((x) => round(x));
  let dir = o.ledger ? resolve(o.ledger) : '';
  let root: string | undefined;
  let gen: Awaited<ReturnType<typeof generateInChild>> | undefined;
  if (!dir) {
    root = mkdtempSync(join(tmpdir(), 'anxin-bench-replay-'));
    dir = join(root, 'ledger');
    o.log(`generating a ledger of ${o.transactions} transactions in ${dir}…`);
    gen = await generateInChild(dir, o.transactions, o.log);
    o.log(
      `generated: ${gen.transactions} transactions in ${gen.blocks} blocks, ${round(gen.bytes / 1e6, 1)} MB, in ${round(gen.seconds, 1)} s`,
    );
  }
  try {
    const sample = await sampleSignature(dir);
    o.log('raw ECDSA P-256 verifications (node:crypto) on one core, then on every core at once (best of 3)…');
    let oneCore = 0;
    let allCores = 0;
    const threads = availableParallelism();
    for (let i = 0; i < 3; i++) {
      oneCore = Math.max(oneCore, rawVerifyRate(sample, 1000));
      allCores = Math.max(allCores, await rawVerifyRateThreads(threads, sample, 1000));
    }
    o.log(`  ${Math.round(oneCore)}/s on one core, ${Math.round(allCores)}/s on ${threads} threads`);

    // The pool stage alone, 1 and 2 workers alternately, three runs each (a shared machine's other work comes
    // and goes: the best run is the closest to the machine's own figure; every run is reported).
    const blocks = await loadCheckBlocks(dir, 40, 80);
    o.log(
      `signature checks: warm-up on blocks ${blocks.warm[0]}–${blocks.warm[1] - 1} (${blocks.warmTx} tx), measured on blocks ${blocks.measured[0]}–${blocks.measured[1] - 1} (${blocks.measuredTx} tx)`,
    );
    const checks: ReplayBenchResult['signatureChecks'] = [];
    const poolWorkers = [...new Set(o.workers.filter((x) => x > 0))];
    for (let round = 0; round < 3; round++) {
      for (const w of poolWorkers) {
        o.log(`signature checks alone (decode, signatures, certificate chains) on ${w} worker(s), run ${round + 1}…`);
        const r = await signatureChecks(blocks, w);
        const perSecond = Math.round(r.signatures / r.seconds);
        o.log(
          `  ${perSecond} signatures/s (${round2(r.cpuSeconds / r.seconds)} cores busy; warm-up pass ${r.warmPerSecond}/s)`,
        );
        const row = {
          workers: w,
          signatures: r.signatures,
          seconds: round2(r.seconds),
          perSecond,
          cpuSeconds: round2(r.cpuSeconds),
          coresUsed: round2(r.cpuSeconds / r.seconds),
          perCpuSecond: Math.round(r.signatures / r.cpuSeconds),
          warmUpPerSecond: r.warmPerSecond,
          runs: [perSecond],
        };
        const prev = checks.find((c) => c.workers === w);
        if (!prev) checks.push(row);
        else if (perSecond > prev.perSecond) Object.assign(prev, row, { runs: [...prev.runs, perSecond] });
        else prev.runs.push(perSecond);
      }
    }
    const replays: ReplayBenchResult['replays'] = [];
    for (let round = 0; round < (o.repeat ?? 1); round++) {
      for (const w of o.workers) {
        o.log(`anxin replay --workers ${w}, every check on${(o.repeat ?? 1) > 1 ? `, run ${round + 1}` : ''}…`);
        const r = await replayOnce(dir, w);
        o.log(
          `  ${r.txPerSecond} tx/s (${round2(r.engineSeconds)} s; ${round2(r.wallSeconds)} s with start-up and the index)`,
        );
        const prev = replays.findIndex((x) => x.workers === w);
        if (prev < 0) replays.push(r);
        else if (r.txPerSecond > replays[prev]!.txPerSecond) replays[prev] = r;
      }
    }
    const first = replays[0]!;
    const sigsPerTx = first.signatures / first.transactions;
    const allowed = oneCore / sigsPerTx;
    const byW = (xs: Array<{ workers: number; perSecond?: number; txPerSecond?: number }>, w: number) =>
      xs.find((x) => x.workers === w);
    const c1 = byW(checks, 1)?.perSecond;
    const c2 = byW(checks, 2)?.perSecond;
    const r1 = byW(replays, 1)?.txPerSecond;
    const r2 = byW(replays, 2)?.txPerSecond;
    const spread = c1 && c2 ? round(c2 / c1) : null;
    const byRuns = (w: number) => checks.find((c) => c.workers === w)?.runs ?? [];
    const best = Math.max(...replays.map((r) => r.txPerSecond));
    const blocksInfo = gen
      ? { blocks: gen.blocks, transactions: gen.transactions, mvcc: gen.mvccConflicts, bytes: gen.bytes }
      : undefined;
    return {
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        memoryGb: round(totalmem() / 2 ** 30, 1),
        node: process.version,
        platform: `${platform()} ${arch()}`,
        loadBefore,
        loadAfter: loadavg().map((x) => round(x)),
      },
      ledger: {
        dir,
        generated: !!gen,
        generationSeconds: gen ? round(gen.seconds, 1) : null,
        blocks: blocksInfo?.blocks ?? first.blocks,
        transactions: first.transactions,
        mvccConflicts: blocksInfo?.mvcc ?? null,
        megabytes: blocksInfo ? round(blocksInfo.bytes / 1e6, 1) : 0,
      },
      raw: {
        verifyPerSecondOneCore: Math.round(oneCore),
        verifyPerSecondAllCores: Math.round(allCores),
        threads,
        messageBytes: sample.message.length,
      },
      signatureChecks: checks,
      signatureCheckTransactions: { warmUp: blocks.warmTx, measured: blocks.measuredTx },
      replays,
      ratios: {
        signaturesPerTransaction: round(sigsPerTx, 3),
        txPerSecondAllowedOneCore: Math.round(allowed),
        signatureChecks2over1: spread,
        signatureChecks2over1Median: c1 && c2 ? round(median(byRuns(2)) / median(byRuns(1))) : null,
        replay2over1: r1 && r2 ? round(r2 / r1) : null,
        replayOverAllowed: replays.map((r) => ({
          workers: r.workers,
          ofOneCore: round(r.txPerSecond / allowed),
          ofWorkersCores: round(r.txPerSecond / (allowed * Math.max(1, r.workers))),
        })),
      },
      goals: {
        spread: { target: 1.7, value: spread, met: spread === null ? null : spread >= 1.7 },
        replay: { target: 0.7, value: round(best / allowed), met: best / allowed >= 0.7 },
      },
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    if (root && !o.keep) rmSync(root, { recursive: true, force: true });
    else if (root) o.log(`ledger kept in ${dir}`);
  }
}

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

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write(
    'usage: node bench/dist/replay/main.js [--tx N] [--workers 1,2] [--repeat N] [--json] [--ledger DIR] [--keep] [--quick]\n',
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) usage(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (['json', 'keep', 'quick', 'help'].includes(name)) flags.set(name, true);
    else if (['tx', 'workers', 'ledger', 'generate-only', 'repeat'].includes(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) usage(`--${name} needs a value`);
      flags.set(name, v);
    } else usage(`unknown option --${name}`);
  }
  if (flags.has('help')) usage();
  const tx = flags.has('tx') ? Number(flags.get('tx')) : flags.has('quick') ? 20_000 : 100_000;
  if (!Number.isInteger(tx) || tx < 100) usage('--tx takes a whole number ≥ 100');
  if (flags.has('generate-only')) {
    // The child's job: generate, print the summary as JSON.
    const { generateLedger } = await import('./generate.js');
    const r = await generateLedger({
      dir: resolve(flags.get('generate-only') as string),
      transactions: tx,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(
      JSON.stringify({
        seconds: r.seconds,
        blocks: r.blocks,
        transactions: r.transactions,
        mvccConflicts: r.mvccConflicts,
        bytes: r.bytes,
      }),
    );
    return;
  }
  const workers = ((flags.get('workers') as string | undefined) ?? '1,2').split(',').map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 0 || w > 64))
    usage('--workers takes whole numbers separated by commas');
  const json = flags.has('json');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const repeat = flags.has('repeat') ? Number(flags.get('repeat')) : 1;
  if (!Number.isInteger(repeat) || repeat < 1) usage('--repeat takes a whole number ≥ 1');
  const result = await runReplayBench({
    transactions: tx,
    workers,
    repeat,
    keep: flags.has('keep'),
    log,
    ...(flags.has('ledger') ? { ledger: flags.get('ledger') as string } : {}),
  });
  if (json) process.stdout.write(`${JSON.stringify({ suite: 'replay', ...result }, null, 2)}\n`);
  else process.stdout.write(`\n${formatReplayReport(result)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
