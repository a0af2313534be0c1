/**
 * The two ledgers of bench/fabric, set up alike: a Fabric network (one org, one peer, one
 * etcdraft orderer, the chaincode as a service) in a temporary folder, and an embedded
 * ledger in another, both with the same batch settings, the registrar fixed and one
 * issuer registered; and anchor statements signed ahead of time by that issuer (signing
 * is the issuer's work, never inside a timed section).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { EmbeddedLedger } from '@anxin/network/embedded';
import {
  fabricConfigFromNetwork,
  openFabricLedger,
  scriptsDir,
  startFabricNetwork,
  type BatchSettings,
  type FabricLedger,
  type FabricNetwork,
} from '@anxin/network/fabric';
import { registerBenchIssuer, signAnchors as signIssuerAnchors } from '../issuer';

export const ISSUER_ID = 'urn:anxin:issuer:bench-fabric-health-authority';

/** A Go duration ('250ms', '2s', '1.5s') in milliseconds. */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(d.trim());
  if (!m) throw new Error(`not a duration like 250ms or 2s: ${d}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** `n` anchor statements for distinct new credentials. */
export function signAnchors(signer: StatementSigner, n: number): Promise<string[]> {
  return signIssuerAnchors(signer, ISSUER_ID, n);
}

export interface BenchLedgers {
  fabric: FabricLedger;
  embedded: EmbeddedLedger;
  fabricSigner: StatementSigner;
  embeddedSigner: StatementSigner;
  network: FabricNetwork;
  /** Fabric's batch settings (network.json) and the embedded ledger's. */
  batch: { fabric: BatchSettings; embedded: EmbeddedLedger['batch'] };
  timings: { fabricUpSeconds: number; fabricDeploySeconds: number };
  dispose(): Promise<void>;
}

export interface SetupOptions {
  fabricBin: string;
  batchTimeout: string;
  maxMessageCount: number;
  log: (line: string) => void;
}

let liveDir: string | undefined;
let liveBin: string | undefined;

/** Stop the network synchronously (exit and signal handlers). */
function stopSync(): void {
  if (!liveDir) return;
  const dir = liveDir;
  liveDir = undefined;
  spawnSync('bash', [join(scriptsDir(), 'network.sh'), 'reset', '--dir', dir], {
    env: { ...process.env, FABRIC_BIN: liveBin ?? '' },
    stdio: 'ignore',
    timeout: 60_000,
  });
}

export async function setupLedgers(o: SetupOptions): Promise<BenchLedgers> {
  const root = mkdtempSync(join(tmpdir(), 'anxin-bench-fabric-'));
  const netDir = join(root, 'fabric');
  liveDir = netDir;
  liveBin = o.fabricBin;
  process.on('exit', stopSync);
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync();
    rmSync(root, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let fabric: FabricLedger | undefined;
  let embedded: EmbeddedLedger | undefined;
  const dispose = async () => {
    await fabric?.close().catch(() => undefined);
    await embedded?.close().catch(() => undefined);
    stopSync();
    rmSync(root, { recursive: true, force: true });
    process.off('exit', stopSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  try {
    o.log(
      `starting a Fabric network in ${netDir} (BatchTimeout ${o.batchTimeout}, MaxMessageCount ${o.maxMessageCount})…`,
    );
    const t0 = Date.now();
    const network = await startFabricNetwork({
      fabricBin: o.fabricBin,
      dir: netDir,
      fresh: true,
      batchTimeout: o.batchTimeout,
      maxMessageCount: o.maxMessageCount,
    });
    const t1 = Date.now();
    o.log('deploying the chaincode (chaincode as a service)…');
    await network.deployChaincode({
      ccDir: dirname(require.resolve('@anxin/chaincode/package.json')),
      name: network.gateway.chaincode,
      version: '1',
      sequence: 1,
    });
    const t2 = Date.now();
    fabric = await openFabricLedger(fabricConfigFromNetwork(network));
    const fabricSigner = await registerBenchIssuer(fabric, ISSUER_ID);
    o.log('opening the embedded ledger with the same batch settings…');
    embedded = await EmbeddedLedger.open(join(root, 'embedded'), {
      batch: { timeoutMs: durationMs(o.batchTimeout), maxMessageCount: o.maxMessageCount },
    });
    const embeddedSigner = await registerBenchIssuer(embedded, ISSUER_ID);
    return {
      fabric,
      embedded,
      fabricSigner,
      embeddedSigner,
      network,
      batch: { fabric: network.batch, embedded: embedded.batch },
      timings: { fabricUpSeconds: (t1 - t0) / 1000, fabricDeploySeconds: (t2 - t1) / 1000 },
      dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}
