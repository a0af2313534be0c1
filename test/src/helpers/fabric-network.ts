/**
 * A throwaway Fabric network for the test process: brought up on first use in a fresh
 * temporary folder (network/fabric's scripts, binaries from FABRIC_BIN), the Anxin
 * chaincode deployed as a service, the registrar initialised — then shared by every
 * suite that asks (the Ledger contract, the gateway end-to-end suite, replay), and torn
 * down once: by a root-level `after` hook when mocha finishes (pass or fail), or, should
 * the process end another way, synchronously on exit / SIGINT / SIGTERM.
 *
 * @example
 * const skip = fabricSkipReason();          // 'FABRIC_BIN is not set', or undefined (run, or fail when unusable)
 * const net = await withFabricNetwork();    // ~7 s the first time, then immediate
 * const ledger = await net.openLedger();    // a FabricLedger as the gateway's client identity
 *
 * ANXIN_KEEP_TMP=1 stops the network but keeps its folder (logs, ledgers) for a post-mortem;
 * ANXIN_FABRIC_VERBOSE=1 prints the scripts' progress.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'mocha';
import {
  fabricAvailable,
  fabricConfigFromNetwork,
  type FabricAvailability,
  openFabricLedger,
  scriptsDir,
  startFabricNetwork,
  type ChaincodeDeployment,
  type FabricLedger,
  type FabricLedgerConfig,
  type FabricLedgerOptions,
  type FabricNetwork,
} from '@anxin/network/fabric';
import { newRegistrar, type Registrar } from './keys';

/** Orderer batch settings of the test network: short, so a lone transaction commits fast. */
export const TEST_FABRIC_BATCH = { batchTimeout: '50ms', maxMessageCount: 100 } as const;

export interface FabricTestNetwork {
  network: FabricNetwork;
  deployment: ChaincodeDeployment;
  /** What a client (the gateway) needs: peer, TLS root, identity, channel, chaincode. */
  config: FabricLedgerConfig;
  /** The registrar fixed on the channel by `init`. */
  registrar: Registrar;
  /** Fabric version of the binaries. */
  version: string;
  /** Seconds to bring the network up, and to deploy the chaincode. */
  timings: { upSeconds: number; deploySeconds: number };
  openLedger(opts?: FabricLedgerOptions): Promise<FabricLedger>;
}

/** What the Fabric suites do in this process: run, skip (by name, with the reason), or fail (with the reason). */
export type FabricSuitePlan = { run: true; warning?: string } | { skip: string } | { fail: string };

/**
 * The decision, from what `fabricAvailable` found: FABRIC_BIN not set → skip; set and usable
 * → run (with the warning about binaries that do not know their version, if any); set but
 * unusable → fail, because whoever set FABRIC_BIN asked for the Fabric suites and must not
 * get a green run without them.
 */
export function fabricSuitePlan(a: FabricAvailability = fabricAvailable()): FabricSuitePlan {
  if (a.available) return { run: true, ...(a.warning ? { warning: a.warning } : {}) };
  if (!a.configured) return { skip: a.reason ?? 'FABRIC_BIN is not set' };
  return {
    fail: `FABRIC_BIN is set but unusable: ${a.reason ?? 'Fabric is not available'} (fix it, or unset FABRIC_BIN to skip the Fabric suites)`,
  };
}

let plan: FabricSuitePlan | undefined;
/** This process's plan, decided once; a warning is printed once, when it is first decided. */
function processPlan(): FabricSuitePlan {
  if (!plan) {
    plan = fabricSuitePlan();
    if ('warning' in plan && plan.warning) process.stderr.write(`    [fabric] warning: ${plan.warning}\n`);
  }
  return plan;
}

/**
 * Why the Fabric suites are skipped here (FABRIC_BIN is not set), or undefined when they are
 * to run. A FABRIC_BIN that is set but unusable is not a reason to skip: the suites then run
 * and each fails at once with the reason (see `withFabricNetwork`).
 */
export function fabricSkipReason(): string | undefined {
  const p = processPlan();
  return 'skip' in p ? p.skip : undefined;
}

/** The chaincode package folder (chaincode/, with dist/ built by `tsc -b`). */
export function chaincodeDir(): string {
  const dir = dirname(require.resolve('@anxin/chaincode/package.json'));
  if (!existsSync(join(dir, 'dist', 'index.js')))
    throw new Error(`${dir}/dist/index.js is missing: build first (npx tsc -b)`);
  return dir;
}

let started: Promise<FabricTestNetwork> | undefined;
/** The folder of the network this process started (set as soon as it exists). */
let runningDir: string | undefined;
let runningBin: string | undefined;
let hooksInstalled = false;

function log(line: string): void {
  if (process.env.ANXIN_FABRIC_VERBOSE) process.stderr.write(`    [fabric] ${line}\n`);
}

/** Stop (and unless ANXIN_KEEP_TMP, delete) the network synchronously: for exit and signal handlers. */
function stopSync(): void {
  const dir = runningDir;
  if (!dir) return;
  runningDir = undefined;
  spawnSync('bash', [join(scriptsDir(), 'network.sh'), process.env.ANXIN_KEEP_TMP ? 'down' : 'reset', '--dir', dir], {
    env: { ...process.env, FABRIC_BIN: runningBin ?? process.env.FABRIC_BIN ?? '' },
    stdio: 'ignore',
    timeout: 60_000,
  });
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', stopSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopSync();
      process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    });
  }
}

async function start(): Promise<FabricTestNetwork> {
  const p = processPlan();
  if ('fail' in p) throw new Error(p.fail);
  if ('skip' in p) throw new Error(`Fabric is not available: ${p.skip}`);
  const avail = fabricAvailable();
  if (!avail.available) throw new Error(`Fabric is not available: ${avail.reason}`);
  const ccDir = chaincodeDir();
  const dir = mkdtempSync(join(tmpdir(), 'anxin-fabric-'));
  runningDir = dir;
  runningBin = avail.fabricBin;
  installHooks();
  const t0 = Date.now();
  try {
    const network = await startFabricNetwork({
      fabricBin: avail.fabricBin!,
      dir,
      fresh: true,
      ...TEST_FABRIC_BATCH,
      onLog: log,
    });
    const t1 = Date.now();
    const deployment = await network.deployChaincode({
      ccDir,
      name: network.gateway.chaincode,
      version: '1',
      sequence: 1,
    });
    const t2 = Date.now();
    const config = fabricConfigFromNetwork(network);
    const registrar = await newRegistrar();
    const ledger = await openFabricLedger(config);
    try {
      await ledger.submit('init', [registrar.initArgs]);
    } finally {
      await ledger.close();
    }
    log(
      `network up in ${((t1 - t0) / 1000).toFixed(1)} s, chaincode deployed in ${((t2 - t1) / 1000).toFixed(1)} s (${dir})`,
    );
    return {
      network,
      deployment,
      config,
      registrar,
      version: avail.version ?? '?',
      timings: { upSeconds: (t1 - t0) / 1000, deploySeconds: (t2 - t1) / 1000 },
      openLedger: (opts) => openFabricLedger(config, opts),
    };
  } catch (e) {
    await stopFabricNetwork().catch(() => undefined);
    throw e;
  }
}

/**
 * The process's Fabric network, started on first call (rejects with the reason when
 * Fabric is not available or the network does not come up; the next call tries again).
 */
export function withFabricNetwork(): Promise<FabricTestNetwork> {
  started ??= start().catch((e: unknown) => {
    started = undefined;
    throw e;
  });
  return started;
}

/** Stop the process's network now (idempotent); `withFabricNetwork` would start a new one. */
export async function stopFabricNetwork(): Promise<void> {
  const dir = runningDir;
  started = undefined;
  if (!dir) return;
  runningDir = undefined;
  const keep = Boolean(process.env.ANXIN_KEEP_TMP);
  await new Promise<void>((resolve) => {
    const r = spawnSync('bash', [join(scriptsDir(), 'network.sh'), keep ? 'down' : 'reset', '--dir', dir], {
      env: { ...process.env, FABRIC_BIN: runningBin ?? process.env.FABRIC_BIN ?? '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0)
      process.stderr.write(`    [fabric] network.sh ${keep ? 'down' : 'reset'} failed: ${r.stderr?.slice(-500)}\n`);
    else if (keep) process.stderr.write(`    [fabric] network stopped; folder kept: ${dir}\n`);
    resolve();
  });
}

// Root-level hook: registered when a test file first imports this module, it runs once
// after every suite of the process, whatever their outcome.
after(async function stopTheFabricNetwork() {
  this.timeout(180_000);
  await stopFabricNetwork();
});
