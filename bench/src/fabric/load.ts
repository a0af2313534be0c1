/**
 * The load driver for bench/fabric: `concurrency` clients in a closed loop (each submits
 * its next anchor as soon as its last one commits) for a fixed time, against any
 * `Ledger`. Latency is submit → committed VALID, per transaction; throughput is committed
 * transactions over the time from the first submit to the last commit.
 */
import { performance } from 'node:perf_hooks';
import type { Ledger } from '@anxin/network';

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseResult {
  concurrency: number;
  /** Committed VALID. */
  committed: number;
  /** Refused, invalidated or failed. */
  failed: number;
  firstError?: string;
  /** The statement pool ran out before the time was up. */
  exhausted: boolean;
  elapsedMs: number;
  /** Committed per second. */
  throughput: number;
  latencyMs: Latency;
  /** Blocks cut during the phase, and committed transactions per block. */
  blocks: number;
  txPerBlock: number;
  /** CPU time of this process over the phase, in cores (the embedded ledger runs here; Fabric's nodes do not). */
  clientCpuCores: number;
}

export function summarise(xs: number[]): Latency {
  if (!xs.length) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = Float64Array.from(xs).sort();
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  let sum = 0;
  for (const x of s) sum += x;
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: s[s.length - 1]!, mean: sum / s.length };
}

/** Submit `statements` (anchor JWSs) with `concurrency` clients until `seconds` have passed or they run out. */
export async function closedLoop(
  ledger: Ledger,
  statements: string[],
  concurrency: number,
  seconds: number,
): Promise<PhaseResult> {
  const h0 = (await ledger.info()).height;
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let last = t0;
  const client = async () => {
    while (next < statements.length && performance.now() < end) {
      const s = statements[next++]!;
      const t = performance.now();
      try {
        await ledger.submit('anchor', [s]);
        last = performance.now();
        latencies.push(last - t);
      } catch (e) {
        failed++;
        firstError ??= e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedMs = Math.max(1, last - t0);
  const cpu = process.cpuUsage(cpu0);
  const blocks = (await ledger.info()).height - h0;
  return {
    concurrency,
    committed: latencies.length,
    failed,
    ...(firstError ? { firstError } : {}),
    exhausted: next >= statements.length,
    elapsedMs,
    throughput: (latencies.length / elapsedMs) * 1000,
    latencyMs: summarise(latencies),
    blocks,
    txPerBlock: blocks ? latencies.length / blocks : NaN,
    clientCpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
  };
}
