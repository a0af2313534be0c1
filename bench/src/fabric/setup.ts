/**
 * The two ledgers of bench/fabric, set up alike: a Fabric network (one org, one peer, one
 * etcdraft orderer, the chaincode as a service) in a temporary folder, and an embedded
 * ledger in another, both with the same batch settings, the registrar fixed and one
 * issuer registered; and anchor statements signed ahead of time by that issuer (signing
 * is the issuer's work, never inside a timed section).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import type { Ledger } from '@anxin/network';
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

export const ISSUER_ID = 'urn:anxin:issuer:bench-fabric-health-authority';

/** A Go duration ('250ms', '2s', '1.5s') in milliseconds. */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(d.trim());
  if (!m) throw new Error(`not a duration like 250ms or 2s: ${d}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** Fix the registrar keys and register the bench issuer; returns the issuer's signer. */
async function initialise(ledger: Ledger): Promise<StatementSigner> {
  const reg = await generateKeyPair('ES256', { extractable: true });
  const regJwk = await exportJWK(reg.publicKey);
  const regKeyId = await calculateJwkThumbprint(regJwk);
  await ledger.submit('init', [
    JSON.stringify({ registrarKeys: [{ keyId: regKeyId, alg: 'ES256', publicJwk: regJwk }] }),
  ]);
  const iss = await generateKeyPair('ES256', { extractable: true });
  const issJwk = (await exportJWK(iss.publicKey)) as JWK & { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  const issKeyId = await calculateJwkThumbprint(issJwk);
  const registration = await signStatement(
    {
      kind: 'registerIssuer',
      iss: 'registrar',
      issuer: {
        id: ISSUER_ID,
        name: '基准测试疾控中心',
        kind: 'health_authority',
        allowedTypes: ['HealthCertificate'],
      },
      key: { keyId: issKeyId, alg: 'ES256', publicJwk: { kty: 'EC', crv: 'P-256', x: issJwk.x, y: issJwk.y } },
    },
    { kid: `registrar#${regKeyId}`, alg: 'ES256', privateKey: reg.privateKey },
  );
  await ledger.submit('registerIssuer', [registration]);
  return { kid: `${ISSUER_ID}#${issKeyId}`, alg: 'ES256', privateKey: iss.privateKey };
}

/** `n` anchor statements for distinct new credentials. */
export async function signAnchors(signer: StatementSigner, n: number): Promise<string[]> {
  const holderRef = createHash('sha256').update('bench holder').digest('base64url');
  const out: string[] = [];
  for (let at = 0; at < n; at += 512) {
    const chunk = Array.from({ length: Math.min(512, n - at) }, () => {
      const id = `urn:uuid:${randomUUID()}`;
      return signStatement(
        {
          kind: 'anchor',
          iss: ISSUER_ID,
          anchor: {
            id,
            type: 'HealthCertificate',
            kid: signer.kid,
            digest: createHash('sha256').update(id).digest('hex'),
            holderRef,
            validFrom: '2026-01-01T00:00:00Z',
            validUntil: '2027-01-01T00:00:00Z',
          },
        },
        signer,
      );
    });
    out.push(...(await Promise.all(chunk)));
  }
  return out;
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
    const fabricSigner = await initialise(fabric);
    o.log('opening the embedded ledger with the same batch settings…');
    embedded = await EmbeddedLedger.open(join(root, 'embedded'), {
      batch: { timeoutMs: durationMs(o.batchTimeout), maxMessageCount: o.maxMessageCount },
    });
    const embeddedSigner = await initialise(embedded);
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
