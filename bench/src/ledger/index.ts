/**
 * bench/ledger: committed anchors per second and commit latency of the embedded ledger,
 * beside raw ES256 sign+verify per second measured in the same run.
 *
 *   (a) saturated: closed loop at several concurrencies (transactions in flight);
 *   (b) latency: open-loop arrivals at several offered rates;
 *   (c) the yardstick: ES256 sign, verify, sign+verify per second on one core.
 *
 * Every phase runs on a fresh copy of a template ledger (registrar keys fixed, one
 * issuer registered), after a short warm-up on that copy.
 */
import { availableParallelism, cpus, platform, arch } from 'node:os';
import type { EmbeddedLedger, EmbeddedLedgerOptions } from '@anxin/network/embedded';
import { measureCrypto, type CryptoBaseline } from './crypto';
import { createFixture, openPhaseLedger, signAnchors } from './fixture';
import { closedLoop, openLoop, type PhaseResult } from './load';

export interface LedgerBenchOptions {
  quick: boolean;
  concurrencies: number[];
  rates: number[];
  /** Transactions per saturated phase. */
  saturatedCount: number;
  /** Seconds of arrivals per open-loop phase. */
  openLoopSeconds: number;
  warmup: number;
  /** Endorsement workers (undefined: the ledger's default). */
  endorsers?: number;
  log: (line: string) => void;
}

export function defaultLedgerOptions(quick: boolean): Omit<LedgerBenchOptions, 'log'> {
  return quick
    ? {
        quick,
        concurrencies: [50, 200, 1000],
        rates: [250, 500, 1000],
        saturatedCount: 4000,
        openLoopSeconds: 3,
        warmup: 3000,
      }
    : {
        quick,
        concurrencies: [50, 200, 1000],
        rates: [250, 500, 1000],
        saturatedCount: 15000,
        openLoopSeconds: 10,
        warmup: 5000,
      };
}

export interface LedgerBenchResult {
  machine: { cpu: string; cores: number; node: string; platform: string };
  ledger: { endorsers: number | 'default'; batch: unknown };
  crypto: CryptoBaseline;
  saturated: Array<PhaseResult & { concurrency: number; perRawSignVerify: number }>;
  openLoop: Array<PhaseResult & { offered: number; lateStarts: number }>;
  goals: {
    throughput: { target: number; best: number; met: boolean };
    p99At1000: { target: number; value: number | null; met: boolean | null };
  };
  totalSeconds: number;
}

export async function runLedgerBench(o: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const started = Date.now();
  // Workers start with the ledger (not on demand), so that the warm-up runs on them.
  const ledgerOptions: EmbeddedLedgerOptions = {
    endorsersStart: 'at-open',
    ...(o.endorsers === undefined ? {} : { endorsers: o.endorsers }),
  };
  o.log('creating the template ledger (registrar, one issuer)…');
  const fixture = await createFixture(ledgerOptions);
  // Interrupted: still remove the scratch ledgers.
  const onSignal = (signal: NodeJS.Signals) => {
    fixture.dispose();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let batch: unknown;
  let endorsersUsed: number | 'default' = o.endorsers ?? 'default';
  try {
    const saturated: LedgerBenchResult['saturated'] = [];
    const open: LedgerBenchResult['openLoop'] = [];
    let sample = '';

    for (const c of o.concurrencies) {
      const stmts = await signAnchors(fixture, o.warmup + o.saturatedCount);
      sample = stmts[0]!;
      const { ledger, done } = await openPhaseLedger(fixture, `saturated-${c}`);
      try {
        batch = ledger.batch;
        endorsersUsed = ledger.endorsers;
        await warmUp(ledger, stmts.slice(0, o.warmup));
        const r = await closedLoop(ledger, stmts.slice(o.warmup), c);
        o.log(`saturated, ${c} in flight: ${fmt(r.throughput)} anchors/s, p99 ${fmt(r.latencyMs.p99)} ms`);
        saturated.push({ ...r, concurrency: c, perRawSignVerify: NaN });
      } finally {
        await done();
      }
    }

    for (const rate of o.rates) {
      const n = Math.round(rate * o.openLoopSeconds);
      const stmts = await signAnchors(fixture, o.warmup + n);
      const { ledger, done } = await openPhaseLedger(fixture, `open-${rate}`);
      try {
        await warmUp(ledger, stmts.slice(0, o.warmup));
        const r = await openLoop(ledger, stmts.slice(o.warmup), rate);
        o.log(
          `open loop, ${rate}/s offered: ${fmt(r.throughput)}/s committed, p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms`,
        );
        open.push(r);
      } finally {
        await done();
      }
    }

    o.log('raw ES256 on one core…');
    const crypto = measureCrypto(sample, o.quick ? 400 : 1000);
    for (const s of saturated) s.perRawSignVerify = s.throughput / crypto.signVerifyPerSec;

    const best = Math.max(...saturated.map((s) => s.throughput));
    const at1000 = open.find((r) => r.offered === 1000);
    return {
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        node: process.version,
        platform: `${platform()} ${arch()}`,
      },
      ledger: { endorsers: endorsersUsed, batch },
      crypto,
      saturated,
      openLoop: open,
      goals: {
        throughput: { target: 2000, best, met: best >= 2000 },
        p99At1000: {
          target: 300,
          value: at1000 ? at1000.latencyMs.p99 : null,
          met: at1000 ? at1000.latencyMs.p99 < 300 && at1000.failed === 0 : null,
        },
      },
      totalSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fixture.dispose();
  }
}

/** Warm a phase's ledger up: compiled code and warm caches on every thread before timing. */
async function warmUp(ledger: EmbeddedLedger, statements: string[]): Promise<void> {
  await closedLoop(ledger, statements, 200);
}

export function fmt(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padStart(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function formatLedgerReport(r: LedgerBenchResult): string {
  const b = r.ledger.batch as { maxMessageCount?: number; timeoutMs?: number; preferredMaxBytes?: number } | undefined;
  const out: string[] = [];
  out.push('Anxin embedded ledger — committed anchor transactions');
  out.push(`machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.platform}`);
  out.push(
    `ledger:  endorsement workers ${r.ledger.endorsers}; blocks cut at ${b?.maxMessageCount ?? '?'} tx, ` +
      `${fmt((b?.preferredMaxBytes ?? NaN) / 1024 / 1024, 0)} MB or ${b?.timeoutMs ?? '?'} ms`,
  );
  out.push(
    `raw ES256, node:crypto, one core: sign ${fmt(r.crypto.signPerSec)}/s, verify ${fmt(r.crypto.verifyPerSec)}/s, ` +
      `sign+verify ${fmt(r.crypto.signVerifyPerSec)}/s`,
  );
  out.push('');
  out.push('(a) saturated: closed loop, N transactions in flight');
  out.push(
    table(
      [
        'in flight',
        'anchors/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'failed',
        'blocks',
        'tx/block',
        'CPU cores',
        'CPU µs/tx',
        'main busy',
        'other load',
        '÷ raw s+v/s',
      ],
      r.saturated.map((s) => [
        fmt(s.concurrency),
        fmt(s.throughput),
        fmt(s.latencyMs.p50),
        fmt(s.latencyMs.p99),
        fmt(s.latencyMs.max),
        fmt(s.failed),
        fmt(s.blocks),
        fmt(s.committed / Math.max(1, s.blocks), 0),
        fmt(s.cpuCores, 2),
        fmt(s.cpuPerTxUs),
        `${fmt(s.mainThreadBusy * 100)}%`,
        s.otherLoad === null ? '–' : fmt(s.otherLoad, 2),
        fmt(s.perRawSignVerify, 3),
      ]),
    ),
  );
  out.push('');
  out.push('(b) commit latency: open-loop arrivals at a fixed rate, latency from the scheduled arrival');
  out.push(
    table(
      [
        'offered/s',
        'committed/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'failed',
        'blocks',
        'CPU cores',
        'CPU µs/tx',
        'main busy',
        'other load',
      ],
      r.openLoop.map((s) => [
        fmt(s.offered),
        fmt(s.throughput),
        fmt(s.latencyMs.p50),
        fmt(s.latencyMs.p90),
        fmt(s.latencyMs.p99),
        fmt(s.latencyMs.max),
        fmt(s.failed),
        fmt(s.blocks),
        fmt(s.cpuCores, 2),
        fmt(s.cpuPerTxUs),
        `${fmt(s.mainThreadBusy * 100)}%`,
        s.otherLoad === null ? '–' : fmt(s.otherLoad, 2),
      ]),
    ),
  );
  out.push('');
  out.push(
    '(c) per committed anchor: 1 ES256 verify (the statement) + 2 P-256 signs (endorsement, envelope) + a share of one block signature',
  );
  out.push(
    `goals: ≥ ${fmt(r.goals.throughput.target)} anchors/s — best ${fmt(r.goals.throughput.best)}/s (${r.goals.throughput.met ? 'met' : 'not met'}); ` +
      `p99 < ${r.goals.p99At1000.target} ms at 1,000/s offered — ` +
      (r.goals.p99At1000.value === null
        ? 'not measured'
        : `${fmt(r.goals.p99At1000.value)} ms (${r.goals.p99At1000.met ? 'met' : 'not met'})`),
  );
  const noisy = [...r.saturated, ...r.openLoop].some((s) => (s.otherLoad ?? 0) > 0.2);
  if (noisy)
    out.push(
      'note: other processes kept the CPUs busy during some phases (see "other load"); figures there are lower than this machine gives alone.',
    );
  for (const s of [...r.saturated, ...r.openLoop]) {
    if (s.firstError) {
      out.push(`first failure: ${s.firstError}`);
      break;
    }
  }
  out.push(`(${fmt(r.totalSeconds, 0)} s)`);
  return out.join('\n');
}
