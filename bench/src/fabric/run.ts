/**
 * bench/fabric: committed anchors per second and commit latency (p50/p99) on a real
 * Fabric network and on the embedded ledger, on this machine, in the same run, at
 * several concurrencies (transactions in flight), with the same batch settings.
 *
 * For each concurrency, the embedded ledger and then Fabric: a short warm-up at that
 * concurrency (its rate sizes the statement pool), then a closed loop for `seconds`.
 */
import { availableParallelism, arch, cpus, loadavg, platform } from 'node:os';
import { fabricAvailable, type BatchSettings } from '@anxin/network/fabric';
import type { Ledger } from '@anxin/network';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { closedLoop, type PhaseResult } from './load';
import { setupLedgers, signAnchors } from './setup';

export interface FabricBenchOptions {
  concurrencies: number[];
  /** Measured seconds per phase. */
  seconds: number;
  /** Orderer BatchTimeout (Go duration), applied to both ledgers. */
  batchTimeout: string;
  /** BatchSize.MaxMessageCount, applied to both ledgers. */
  maxMessageCount: number;
  /** Folder of the Fabric binaries (default $FABRIC_BIN). */
  fabricBin?: string;
  log: (line: string) => void;
}

export function defaultFabricBenchOptions(quick: boolean): Omit<FabricBenchOptions, 'log'> {
  return quick
    ? { concurrencies: [1, 16, 64], seconds: 3, batchTimeout: '250ms', maxMessageCount: 100 }
    : { concurrencies: [1, 16, 64, 256], seconds: 8, batchTimeout: '250ms', maxMessageCount: 100 };
}

export type LedgerName = 'embedded' | 'fabric';

export interface FabricBenchPhase extends PhaseResult {
  ledger: LedgerName;
  /** Fabric adapter: submits endorsed again after an MVCC conflict, during the phase. */
  mvccRetries?: number;
}

export interface FabricBenchResult {
  suite: 'fabric';
  machine: {
    cpu: string;
    cores: number;
    node: string;
    platform: string;
    /** 1-minute load average when the run started and when it ended (other processes share the cores). */
    load: { start: number; end: number };
  };
  fabric: {
    version: string;
    topology: string;
    batch: BatchSettings;
    upSeconds: number;
    deploySeconds: number;
  };
  embedded: {
    batch: { timeoutMs: number; maxMessageCount: number; preferredMaxBytes: number; absoluteMaxBytes: number };
    endorsers: number | 'default';
  };
  seconds: number;
  phases: FabricBenchPhase[];
  totalSeconds: number;
}

export interface FabricBenchSkipped {
  suite: 'fabric';
  skipped: string;
}

/**
 * Why bench/fabric is skipped here (FABRIC_BIN not set), or undefined when it runs; a
 * FABRIC_BIN that is set but unusable throws, since the operator asked for Fabric.
 */
export function fabricBenchSkipReason(fabricBin = process.env.FABRIC_BIN): string | undefined {
  const a = fabricAvailable(fabricBin);
  if (!a.available && a.configured) throw new Error(`FABRIC_BIN is set but unusable: ${a.reason}`);
  return a.available ? undefined : a.reason;
}

export async function runFabricBench(o: FabricBenchOptions): Promise<FabricBenchResult | FabricBenchSkipped> {
  const avail = fabricAvailable(o.fabricBin ?? process.env.FABRIC_BIN);
  if (!avail.available && avail.configured) throw new Error(`FABRIC_BIN is set but unusable: ${avail.reason}`);
  if (!avail.available) return { suite: 'fabric', skipped: avail.reason ?? 'Fabric is not available' };
  if (avail.warning) o.log(`warning: ${avail.warning}`);
  const started = Date.now();
  const load0 = loadavg()[0]!;
  const l = await setupLedgers({
    fabricBin: avail.fabricBin!,
    batchTimeout: o.batchTimeout,
    maxMessageCount: o.maxMessageCount,
    log: o.log,
  });
  try {
    const phases: FabricBenchPhase[] = [];
    const ledgers: Array<{ name: LedgerName; ledger: Ledger; signer: StatementSigner }> = [
      { name: 'embedded', ledger: l.embedded, signer: l.embeddedSigner },
      { name: 'fabric', ledger: l.fabric, signer: l.fabricSigner },
    ];
    for (const c of o.concurrencies) {
      for (const { name, ledger, signer } of ledgers) {
        // Warm-up at this concurrency; its rate (or an earlier phase's, if higher) sizes the
        // statement pool, three times over, so the pool does not run out before the time is up.
        const warm = await closedLoop(ledger, await signAnchors(signer, Math.min(2000, Math.max(20, c * 4))), c, 5);
        const estimate = Math.max(warm.throughput, ...phases.filter((p) => p.ledger === name).map((p) => p.throughput));
        const pool = Math.min(60_000, Math.ceil(o.seconds * estimate * 3 + c * 4 + 100));
        const statements = await signAnchors(signer, pool);
        const retries0 = name === 'fabric' ? l.fabric.stats.mvccRetries : 0;
        const r = await closedLoop(ledger, statements, c, o.seconds);
        const phase: FabricBenchPhase = {
          ledger: name,
          ...r,
          ...(name === 'fabric' ? { mvccRetries: l.fabric.stats.mvccRetries - retries0 } : {}),
        };
        phases.push(phase);
        o.log(
          `${String(c).padStart(4)} in flight, ${name.padEnd(8)}: ${fmt(r.throughput)} anchors/s, p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms` +
            (r.failed ? `, ${r.failed} failed (${r.firstError})` : '') +
            (r.exhausted ? ' (statement pool ran out early)' : ''),
        );
      }
    }
    const cpu = cpus()[0]?.model ?? arch();
    return {
      suite: 'fabric',
      machine: {
        cpu,
        cores: availableParallelism(),
        node: process.version,
        platform: `${platform()} ${arch()}`,
        load: { start: load0, end: loadavg()[0]! },
      },
      fabric: {
        version: avail.version ?? '?',
        topology: `${l.network.orgs.length} org, ${l.network.orgs.reduce((n, org) => n + org.peers.length, 0)} peer (LevelDB), ${l.network.ordererOrg.orderers.length} orderer (etcdraft), chaincode as a service (Node), TLS, all on loopback`,
        batch: l.batch.fabric,
        upSeconds: l.timings.fabricUpSeconds,
        deploySeconds: l.timings.fabricDeploySeconds,
      },
      embedded: {
        batch: l.batch.embedded,
        endorsers: (l.embedded as unknown as { endorsers?: number }).endorsers ?? 'default',
      },
      seconds: o.seconds,
      phases,
      totalSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    o.log('stopping the Fabric network…');
    await l.dispose();
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function formatFabricReport(r: FabricBenchResult): string {
  const lines: string[] = [];
  lines.push(
    `bench/fabric — committed anchors, closed loop, ${r.seconds} s per phase, Fabric and embedded in the same run`,
  );
  lines.push(
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.load.start.toFixed(1)} at start, ${r.machine.load.end.toFixed(1)} at end`,
  );
  lines.push(
    `Fabric ${r.fabric.version}: ${r.fabric.topology}; up in ${r.fabric.upSeconds.toFixed(1)} s, chaincode deployed in ${r.fabric.deploySeconds.toFixed(1)} s`,
  );
  const fb = r.fabric.batch;
  lines.push(
    `batch, Fabric:   BatchTimeout ${fb.batchTimeout}, MaxMessageCount ${fb.maxMessageCount}, AbsoluteMaxBytes ${fb.absoluteMaxBytes}, PreferredMaxBytes ${fb.preferredMaxBytes}`,
  );
  const eb = r.embedded.batch;
  lines.push(
    `batch, embedded: timeout ${eb.timeoutMs} ms, maxMessageCount ${eb.maxMessageCount}, preferredMaxBytes ${eb.preferredMaxBytes}, absoluteMaxBytes ${eb.absoluteMaxBytes}; endorsement workers: ${r.embedded.endorsers}`,
  );
  lines.push('');
  const head = [
    'in flight',
    'ledger',
    'anchors/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'tx/block',
    'committed',
    'failed',
    'client CPU',
  ];
  const rows = r.phases.map((p) => [
    String(p.concurrency),
    p.ledger,
    fmt(p.throughput),
    fmt(p.latencyMs.p50),
    fmt(p.latencyMs.p99),
    fmt(p.latencyMs.max),
    fmt(p.txPerBlock),
    String(p.committed),
    p.failed ? `${p.failed}` : '0',
    `${p.clientCpuCores.toFixed(2)} cores`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(line(head));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) lines.push(line(row));
  const failures = r.phases.filter((p) => p.failed);
  for (const p of failures) lines.push(`  ${p.ledger} at ${p.concurrency}: ${p.failed} failed, first: ${p.firstError}`);
  const retries = r.phases.filter((p) => p.mvccRetries);
  for (const p of retries) lines.push(`  fabric at ${p.concurrency}: ${p.mvccRetries} MVCC retries`);
  const exhausted = r.phases.filter((p) => p.exhausted);
  for (const p of exhausted)
    lines.push(`  ${p.ledger} at ${p.concurrency}: the statement pool ran out before ${r.seconds} s`);
  lines.push('');
  lines.push(
    'client CPU: this process (bench driver, gRPC client; the embedded ledger itself runs here too, Fabric nodes do not).',
  );
  lines.push(`total ${r.totalSeconds.toFixed(0)} s`);
  return lines.join('\n');
}
