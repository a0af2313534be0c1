/**
 * Load drivers: closed-loop (a fixed number of transactions in flight, each client
 * submitting its next as soon as its last commits) and open-loop (arrivals on a fixed
 * schedule whatever the ledger does; latency is measured from the scheduled arrival, so
 * a stalled process cannot hide its own queueing — no coordinated omission).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { EmbeddedLedger } from '@anxin/network/embedded';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseResult {
  /** Transactions committed VALID. */
  committed: number;
  /** Rejected, invalidated or failed. */
  failed: number;
  firstError?: string;
  elapsedMs: number;
  /** Committed per second over the phase. */
  throughput: number;
  latencyMs: LatencySummary;
  blocks: number;
  /** CPU time of the whole process (all threads) over the phase, in cores. */
  cpuCores: number;
  /** Share of the phase the main thread's event loop was busy (0–1). */
  mainThreadBusy: number;
  /** CPU time of the whole process per committed transaction, in microseconds. */
  cpuPerTxUs: number;
  /**
   * Cores other processes kept busy during the phase (Linux: /proc/stat minus this
   * process), so that figures from a shared machine can be judged; null elsewhere.
   */
  otherLoad: number | null;
}

/** Busy CPU time of the whole machine so far, in ms (Linux), else undefined. */
function machineBusyMs(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait; USER_HZ is 100.
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * 10;
  } catch {
    return undefined;
  }
}

export function summarise(latencies: number[]): LatencySummary {
  if (!latencies.length) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = Float64Array.from(latencies).sort();
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  let sum = 0;
  for (const x of s) sum += x;
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: s[s.length - 1]!, mean: sum / s.length };
}

class Meter {
  private readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly elu0 = performance.eventLoopUtilization();
  private readonly h0: number;
  private readonly busy0 = machineBusyMs();
  readonly latencies: number[] = [];
  failed = 0;
  firstError?: string;

  constructor(private readonly ledger: EmbeddedLedger) {
    this.h0 = ledger.height;
  }

  fail(e: unknown): void {
    this.failed++;
    this.firstError ??= e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }

  finish(): PhaseResult {
    const elapsedMs = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    const elu = performance.eventLoopUtilization(this.elu0);
    const busy1 = machineBusyMs();
    const ownMs = (cpu.user + cpu.system) / 1000;
    return {
      committed: this.latencies.length,
      failed: this.failed,
      ...(this.firstError ? { firstError: this.firstError } : {}),
      elapsedMs,
      throughput: (this.latencies.length / elapsedMs) * 1000,
      latencyMs: summarise(this.latencies),
      blocks: this.ledger.height - this.h0,
      cpuCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
      mainThreadBusy: elu.utilization,
      cpuPerTxUs: (cpu.user + cpu.system) / Math.max(1, this.latencies.length),
      otherLoad:
        this.busy0 === undefined || busy1 === undefined ? null : Math.max(0, (busy1 - this.busy0 - ownMs) / elapsedMs),
    };
  }
}

/** `concurrency` clients, each submitting its next statement when its last one commits. */
export async function closedLoop(
  ledger: EmbeddedLedger,
  statements: string[],
  concurrency: number,
): Promise<PhaseResult> {
  const m = new Meter(ledger);
  let next = 0;
  const client = async () => {
    while (next < statements.length) {
      const s = statements[next++]!;
      const t = performance.now();
      try {
        await ledger.submit('anchor', [s]);
        m.latencies.push(performance.now() - t);
      } catch (e) {
        m.fail(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, statements.length) }, client));
  return m.finish();
}

/** Arrivals at `rate` per second until the statements run out; waits for every one to finish. */
export async function openLoop(
  ledger: EmbeddedLedger,
  statements: string[],
  rate: number,
): Promise<PhaseResult & { offered: number; lateStarts: number }> {
  const m = new Meter(ledger);
  const interval = 1000 / rate;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now();
  let launched = 0;
  let lateStarts = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(statements.length, Math.floor((now - t0) / interval) + 1);
      while (launched < due) {
        const scheduled = t0 + launched * interval;
        if (now - scheduled > 10) lateStarts++;
        const s = statements[launched++]!;
        inflight.push(
          ledger.submit('anchor', [s]).then(
            () => void m.latencies.push(performance.now() - scheduled),
            (e: unknown) => m.fail(e),
          ),
        );
      }
      if (launched >= statements.length) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, t0 + launched * interval - performance.now())));
    };
    tick();
  });
  await Promise.all(inflight);
  return { ...m.finish(), offered: rate, lateStarts };
}
