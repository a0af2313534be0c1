/**
 * Bring a local Fabric network up, deploy chaincode as a service on it, and take it down,
 * from TypeScript (tests, benchmarks). A thin wrapper over network/fabric/scripts: the
 * scripts do the work, this module runs them and reads DIR/network.json.
 *
 * @example
 * const avail = fabricAvailable();
 * if (!avail.available && avail.configured) throw new Error(`FABRIC_BIN is unusable: ${avail.reason}`);
 * if (!avail.available) console.log(`Fabric suite skipped: ${avail.reason}`);
 * const net = await startFabricNetwork({ fabricBin: process.env.FABRIC_BIN!, dir: '/tmp/anxin-fabric-x', fresh: true });
 * await net.deployChaincode({ ccDir: 'chaincode', name: 'anxin', version: '1', sequence: 1 });
 * // net.gateway.peerEndpoint, net.gateway.tlsRootCertPath, net.gateway.serverNameOverride, ...
 * await net.stop();
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { readNetworkConfig, type NetworkConfig } from './config';

/** network/fabric/scripts, found from the compiled module (network/dist/fabric) or the source. */
export function scriptsDir(): string {
  const candidates = [resolve(__dirname, '../../fabric/scripts'), resolve(__dirname, 'scripts')];
  const found = candidates.find((d) => existsSync(join(d, 'network.sh')));
  if (!found) throw new Error(`network/fabric/scripts not found from ${__dirname}`);
  return found;
}

export interface FabricAvailability {
  available: boolean;
  /**
   * Whether Fabric was asked for (`fabricBin` / $FABRIC_BIN given). A caller that needs Fabric
   * skips when it was not, and fails — never skips — when it was but is not available.
   */
  configured: boolean;
  /** Why not, in one line, when not available. */
  reason?: string;
  /** Available, with something the operator should hear once (e.g. binaries that do not know their version). */
  warning?: string;
  fabricBin?: string;
  fabricCfgPath?: string;
  /** e.g. 2.5.12, or 'latest' for a build that was not stamped with its version */
  version?: string;
}

/** The Fabric release line the network scripts are written for (V2_5 capabilities, channel participation API). */
export const FABRIC_VERSION_LINE = '2.5';

/** What a plain `go build` of Fabric prints as its version: it was not stamped with one. */
const UNSTAMPED_VERSION = 'latest';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && executable(join(d, cmd)));
}

/**
 * Whether `fabricBin` (default $FABRIC_BIN) holds usable Fabric 2.5 binaries, with the
 * operator's config folder next to them (or $FABRIC_CFG_PATH), and the tools the scripts
 * need (bash, jq, tar). Never throws.
 *
 * A `peer` that reports `Version: latest` — Fabric built with a plain `go build`, which does
 * not stamp the version (`make native` does, as does `-ldflags -X …/common/metadata.Version=…`)
 * — is accepted with a `warning`: such a build from a 2.5 tag is a real 2.5 Fabric, and
 * if it is not, bringing the network up fails loudly anyway. Any other version outside 2.5.x
 * is not available.
 *
 * @example
 * const a = fabricAvailable();
 * if (!a.available && a.configured) throw new Error(`FABRIC_BIN is unusable: ${a.reason}`);
 * if (!a.available) console.log(`Fabric skipped: ${a.reason}`);
 * if (a.warning) console.warn(a.warning);
 */
export function fabricAvailable(
  fabricBin: string | undefined = process.env.FABRIC_BIN,
  fabricCfgPath: string | undefined = process.env.FABRIC_CFG_PATH,
): FabricAvailability {
  if (!fabricBin) return { available: false, configured: false, reason: 'FABRIC_BIN is not set' };
  const bin = resolve(fabricBin);
  const unusable = (reason: string, more: Partial<FabricAvailability> = {}): FabricAvailability => ({
    available: false,
    configured: true,
    reason,
    fabricBin: bin,
    ...more,
  });
  for (const b of ['peer', 'orderer', 'configtxgen', 'osnadmin']) {
    if (!executable(join(bin, b))) return unusable(`FABRIC_BIN=${bin} has no executable ${b}`);
  }
  const cfg = resolve(fabricCfgPath || join(bin, '..', 'config'));
  for (const f of ['core.yaml', 'orderer.yaml']) {
    if (!existsSync(join(cfg, f))) {
      return unusable(`no ${f} in ${cfg} (set FABRIC_CFG_PATH to Fabric's config folder)`, { fabricCfgPath: cfg });
    }
  }
  let version: string | undefined;
  try {
    const out = execFileSync(join(bin, 'peer'), ['version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    version = /^\s*Version:\s*v?(\d+\.\d+\.\d+\S*|latest)\s*$/m.exec(out)?.[1];
  } catch (e) {
    return unusable(`${join(bin, 'peer')} version failed: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!version) return unusable(`${join(bin, 'peer')} version printed no version`);
  let warning: string | undefined;
  if (version === UNSTAMPED_VERSION) {
    warning =
      `${join(bin, 'peer')} reports Version: latest (built without its version stamped); assuming Fabric ` +
      `${FABRIC_VERSION_LINE} — build with make native, or go build -ldflags ` +
      `"-X github.com/hyperledger/fabric/common/metadata.Version=2.5.12", to silence this`;
  } else if (!version.startsWith(`${FABRIC_VERSION_LINE}.`)) {
    return unusable(`Fabric ${version} in ${bin}: the network scripts need Fabric ${FABRIC_VERSION_LINE}.x`, {
      version,
    });
  }
  for (const tool of ['bash', 'jq', 'tar']) {
    if (!onPath(tool)) return unusable(`${tool} is not on PATH`, { version });
  }
  return {
    available: true,
    configured: true,
    fabricBin: bin,
    fabricCfgPath: cfg,
    version,
    ...(warning ? { warning } : {}),
  };
}

export interface StartFabricNetworkOptions {
  /** Folder with Fabric binaries; default $FABRIC_BIN. */
  fabricBin?: string;
  /** Folder with core.yaml / orderer.yaml; default $FABRIC_CFG_PATH or fabricBin/../config. */
  fabricCfgPath?: string;
  /** Network folder: crypto, ledgers, logs, pids, network.json. */
  dir: string;
  /** Delete whatever network is in `dir` first. Default false: an existing network is restarted. */
  fresh?: boolean;
  orgs?: number;
  orderers?: number;
  peersPerOrg?: number;
  /** First port to try (default 27050). */
  basePort?: number;
  /** Orderer BatchTimeout, Go duration (default '250ms'). */
  batchTimeout?: string;
  /** Orderer BatchSize.MaxMessageCount (default 100). */
  maxMessageCount?: number;
  absoluteMaxBytes?: string;
  preferredMaxBytes?: string;
  /** FABRIC_LOGGING_SPEC of the nodes (default info). */
  logSpec?: string;
  /** Progress lines of the scripts (their stderr). */
  onLog?: (line: string) => void;
  /** Per script run, ms (default 180000). */
  timeoutMs?: number;
}

export interface DeployChaincodeOptions {
  /** Chaincode package folder (package.json with fabric-contract-api; node_modules in it or a parent). */
  ccDir: string;
  name?: string;
  /** Default: the sequence. */
  version?: string;
  /** Default: committed sequence + 1. */
  sequence?: number;
  /** host:port for the chaincode server; default a free loopback port from 29050. */
  address?: string;
  initRequired?: boolean;
  /** With initRequired: invoked with --isInit after commit, e.g. '{"Args":["init"]}'. */
  initArgs?: string;
  /** e.g. "OR('Org1MSP.peer','Org2MSP.peer')"; default the channel's MAJORITY Endorsement. */
  signaturePolicy?: string;
  /** Function queried on every peer after commit (default org.hyperledger.fabric:GetMetadata); 'none' skips. */
  warmup?: string;
}

/** DIR/chaincode/<name>/current.json, as deploy.sh prints it. */
export interface ChaincodeDeployment {
  name: string;
  version: string;
  sequence: number;
  label: string;
  packageId: string;
  channel: string;
  address: string;
  ccDir: string;
  package: string;
  pidFile: string;
  logFile: string;
  initRequired: boolean;
  committedAt: string;
}

export interface FabricNetwork extends NetworkConfig {
  /** Package, install, start the server, approve, commit (or upgrade: next sequence). */
  deployChaincode(opts: DeployChaincodeOptions): Promise<ChaincodeDeployment>;
  /** `network.sh status` output; rejects when a process is stopped. */
  status(): Promise<string>;
  /** Stop every process (data stays; startFabricNetwork on the same dir restarts it). */
  stop(): Promise<void>;
  /** Stop and delete the folder. */
  reset(): Promise<void>;
}

interface RunOptions {
  fabricBin: string;
  fabricCfgPath?: string;
  logSpec?: string;
  onLog?: (line: string) => void;
  timeoutMs: number;
}

/** Run one of the scripts; resolves with its stdout, rejects with the end of its stderr. */
function runScript(script: string, args: string[], opts: RunOptions): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, FABRIC_BIN: opts.fabricBin };
  if (opts.fabricCfgPath) env.FABRIC_CFG_PATH = opts.fabricCfgPath;
  if (opts.logSpec) env.ANXIN_FABRIC_LOG_SPEC = opts.logSpec;
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [join(scriptsDir(), script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      err += s;
      if (opts.onLog) {
        const lines = (partial + s).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (l) opts.onLog(l);
      }
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial && opts.onLog) opts.onLog(partial);
      if (code === 0) resolvePromise(out);
      else {
        const tail = err.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${script} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}):\n${tail}`));
      }
    });
  });
}

function resolveFabricBin(fabricBin: string | undefined): string {
  const bin = fabricBin ?? process.env.FABRIC_BIN;
  if (!bin) throw new Error('no Fabric binaries: pass fabricBin or set FABRIC_BIN');
  return resolve(bin);
}

/** A handle on a network that already has a network.json (running or not). */
export function openFabricNetwork(dir: string, opts: Omit<StartFabricNetworkOptions, 'dir'> = {}): FabricNetwork {
  const config = readNetworkConfig(resolve(dir));
  const run: RunOptions = {
    fabricBin: resolveFabricBin(opts.fabricBin),
    ...(opts.fabricCfgPath ? { fabricCfgPath: opts.fabricCfgPath } : {}),
    ...(opts.logSpec ? { logSpec: opts.logSpec } : {}),
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    timeoutMs: opts.timeoutMs ?? 180_000,
  };
  const d = config.dir;
  return {
    ...config,
    async deployChaincode(o: DeployChaincodeOptions): Promise<ChaincodeDeployment> {
      const args = ['--dir', d, '--cc-dir', resolve(o.ccDir), '--name', o.name ?? config.gateway.chaincode];
      if (o.version !== undefined) args.push('--version', o.version);
      if (o.sequence !== undefined) args.push('--sequence', String(o.sequence));
      if (o.address) args.push('--address', o.address);
      if (o.initRequired) args.push('--init-required');
      if (o.initArgs) args.push('--init-args', o.initArgs);
      if (o.signaturePolicy) args.push('--signature-policy', o.signaturePolicy);
      if (o.warmup) args.push('--warmup', o.warmup);
      const out = await runScript('deploy.sh', args, run);
      return JSON.parse(out) as ChaincodeDeployment;
    },
    status: () => runScript('network.sh', ['status', '--dir', d], run),
    async stop(): Promise<void> {
      await runScript('network.sh', ['down', '--dir', d], run);
    },
    async reset(): Promise<void> {
      await runScript('network.sh', ['reset', '--dir', d], run);
    },
  };
}

/**
 * Create (first time) and start a network in `opts.dir`, wait until every orderer and peer
 * has joined the channel, and return its description with handles to deploy and stop.
 */
export async function startFabricNetwork(opts: StartFabricNetworkOptions): Promise<FabricNetwork> {
  const run: RunOptions = {
    fabricBin: resolveFabricBin(opts.fabricBin),
    ...(opts.fabricCfgPath ? { fabricCfgPath: opts.fabricCfgPath } : {}),
    ...(opts.logSpec ? { logSpec: opts.logSpec } : {}),
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
    timeoutMs: opts.timeoutMs ?? 180_000,
  };
  const dir = resolve(opts.dir);
  if (opts.fresh) await runScript('network.sh', ['reset', '--dir', dir], run);
  const args = ['up', '--dir', dir];
  if (opts.orgs !== undefined) args.push('--orgs', String(opts.orgs));
  if (opts.orderers !== undefined) args.push('--orderers', String(opts.orderers));
  if (opts.peersPerOrg !== undefined) args.push('--peers', String(opts.peersPerOrg));
  if (opts.basePort !== undefined) args.push('--base-port', String(opts.basePort));
  if (opts.batchTimeout !== undefined) args.push('--batch-timeout', opts.batchTimeout);
  if (opts.maxMessageCount !== undefined) args.push('--max-message-count', String(opts.maxMessageCount));
  if (opts.absoluteMaxBytes !== undefined) args.push('--absolute-max-bytes', opts.absoluteMaxBytes);
  if (opts.preferredMaxBytes !== undefined) args.push('--preferred-max-bytes', opts.preferredMaxBytes);
  await runScript('network.sh', args, run);
  return openFabricNetwork(dir, opts);
}
