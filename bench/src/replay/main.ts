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
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, arch, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCheckBlocks, replayOnce, signatureChecks } from './measure';
import { rawVerifyRate, rawVerifyRateThreads, sampleSignature } from './raw-verify';
import { formatReplayReport, median, round, round2, type ReplayBenchResult } from './report';

export { formatReplayReport, type ReplayBenchResult };

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

/** Raw ECDSA P-256 verifications per second on one core and on every core at once (best of 3). */
async function rawVerifyRates(
  sample: Awaited<ReturnType<typeof sampleSignature>>,
  log: (line: string) => void,
): Promise<{ oneCore: number; allCores: number; threads: number }> {
  log('raw ECDSA P-256 verifications (node:crypto) on one core, then on every core at once (best of 3)…');
  let oneCore = 0;
  let allCores = 0;
  const threads = availableParallelism();
  for (let i = 0; i < 3; i++) {
    oneCore = Math.max(oneCore, rawVerifyRate(sample, 1000));
    allCores = Math.max(allCores, await rawVerifyRateThreads(threads, sample, 1000));
  }
  log(`  ${Math.round(oneCore)}/s on one core, ${Math.round(allCores)}/s on ${threads} threads`);
  return { oneCore, allCores, threads };
}

/**
 * The pool stage alone, on each worker count alternately, three runs each: the best row per
 * count, with every run's figure in `runs`.
 */
async function signatureCheckRuns(
  blocks: Awaited<ReturnType<typeof loadCheckBlocks>>,
  o: ReplayBenchOptions,
): Promise<ReplayBenchResult['signatureChecks']> {
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
  return checks;
}

/** The whole replay on each worker count, `o.repeat` times: the best run per count. */
async function replayRuns(dir: string, o: ReplayBenchOptions): Promise<ReplayBenchResult['replays']> {
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
  return replays;
}

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
    const { oneCore, allCores, threads } = await rawVerifyRates(sample, o.log);

    // The pool stage alone, 1 and 2 workers alternately, three runs each (a shared machine's other work comes
    // and goes: the best run is the closest to the machine's own figure; every run is reported).
    const blocks = await loadCheckBlocks(dir, 40, 80);
    o.log(
      `signature checks: warm-up on blocks ${blocks.warm[0]}–${blocks.warm[1] - 1} (${blocks.warmTx} tx), measured on blocks ${blocks.measured[0]}–${blocks.measured[1] - 1} (${blocks.measuredTx} tx)`,
    );
    const checks = await signatureCheckRuns(blocks, o);
    const replays = await replayRuns(dir, o);
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
