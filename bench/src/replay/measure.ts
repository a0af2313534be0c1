/**
 * The two measured stages: the worker pool alone (decode, encoding, every Fabric
 * signature and certificate chain) on blocks held in memory, and the whole replay, every
 * check on, as `anxin replay --json` in a child process.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/rules';
import { decodeBlock, mspsFromConfig } from '@anxin/network';
import { CheckPool, dataDirSource } from '@anxin/cli';
import { round2, type ReplayBenchResult } from './report';

const REPO = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO, 'cli', 'dist', 'bin.js');

/** The blocks the pool stage is measured on, read into memory once (so the main thread only hands them out). */
export interface CheckBlocks {
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
export async function loadCheckBlocks(dir: string, warmBlocks: number, measuredBlocks: number): Promise<CheckBlocks> {
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
export async function signatureChecks(
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

export function replayOnce(dir: string, workers: number): Promise<ReplayBenchResult['replays'][number]> {
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
