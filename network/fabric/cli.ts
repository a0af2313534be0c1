/**
 * Helper commands for network/fabric/scripts (they call `node network/dist/fabric/cli.js …`).
 *
 *   init --dir DIR [--orgs N] [--orderers M] [--peers P] [--base-port P] [--channel C] [--chaincode NAME]
 *        [--batch-timeout 250ms] [--max-message-count 100] [--absolute-max-bytes '10 MB']
 *        [--preferred-max-bytes '2 MB'] [--hosts h1,h2]
 *        generate crypto material, DIR/configtx.yaml, DIR/network.json, DIR/anxin-fabric.env
 *   add-org --dir DIR [--peers P]
 *        crypto material and ports for one more peer organisation; writes
 *        DIR/pending-org/{org.json,configtx.yaml} (network.sh add-org puts it on the channel)
 *   ports-busy --dir DIR     print the network's ports that are already taken (one a line)
 *   free-port [--base P]     print one free loopback port
 */
import { mkdirSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateNetworkCrypto, generatePeerOrgCrypto, networkOrgSpecs } from './crypto';
import { renderOrgConfigtx, writeConfigtx, type BatchSettings } from './configtx';
import {
  buildNetworkConfig,
  buildPeerOrg,
  portsNeeded,
  readNetworkConfig,
  writeNetworkConfig,
  type NetworkConfig,
  type PeerOrg,
} from './config';
import { findFreePorts, portFree } from './ports';

function parseArgs(argv: string[]): { cmd: string; args: Record<string, string> } {
  const [cmd = 'help', ...rest] = argv;
  const args: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    const k = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const v = eq > 0 ? a.slice(eq + 1) : rest[++i];
    if (v === undefined) throw new Error(`missing value for --${k}`);
    args[k] = v;
  }
  return { cmd, args };
}

function int(args: Record<string, string>, key: string, dflt: number): number {
  if (args[key] === undefined || args[key] === '') return dflt;
  const n = Number(args[key]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer, got ${args[key]}`);
  return n;
}

/** All ports of a network, each with what listens on it. */
export function networkPorts(config: NetworkConfig): Array<{ port: number; what: string }> {
  const out: Array<{ port: number; what: string }> = [];
  for (const o of config.ordererOrg.orderers) {
    out.push({ port: o.port, what: `${o.name} listen` });
    out.push({ port: o.adminPort, what: `${o.name} admin` });
    out.push({ port: o.clusterPort, what: `${o.name} cluster` });
    out.push({ port: o.operationsPort, what: `${o.name} operations` });
  }
  for (const org of config.orgs) {
    for (const p of org.peers) {
      out.push({ port: p.port, what: `${p.name} listen` });
      out.push({ port: p.chaincodePort, what: `${p.name} chaincode` });
      out.push({ port: p.operationsPort, what: `${p.name} operations` });
    }
  }
  return out;
}

export async function init(args: Record<string, string>): Promise<NetworkConfig> {
  if (!args.dir) throw new Error('--dir is required');
  const dir = resolve(args.dir);
  if (existsSync(join(dir, 'network.json'))) throw new Error(`${dir}/network.json exists (reset first)`);
  const shape = {
    orgs: int(args, 'orgs', 1),
    orderers: int(args, 'orderers', 1),
    peersPerOrg: int(args, 'peers', 1),
    hosts: (args.hosts ?? '').split(',').filter(Boolean),
  };
  const ports = await findFreePorts(portsNeeded(shape), int(args, 'base-port', 27050) || 27050);
  const batch: Partial<BatchSettings> = {};
  if (args['batch-timeout']) batch.batchTimeout = args['batch-timeout'];
  if (args['max-message-count']) batch.maxMessageCount = int(args, 'max-message-count', 100);
  if (args['absolute-max-bytes']) batch.absoluteMaxBytes = args['absolute-max-bytes'];
  if (args['preferred-max-bytes']) batch.preferredMaxBytes = args['preferred-max-bytes'];
  const config = buildNetworkConfig({
    dir,
    ...shape,
    ports,
    batch,
    ...(args.channel ? { channel: args.channel } : {}),
    ...(args.chaincode ? { chaincode: args.chaincode } : {}),
  });
  for (const sub of ['data', 'logs', 'pids', 'channel-artifacts', 'chaincode'])
    mkdirSync(join(dir, sub), { recursive: true });
  generateNetworkCrypto(config.cryptoDir, { ...shape, force: true });
  writeConfigtx(config.configtxPath, {
    ordererOrg: { mspId: config.ordererOrg.mspId, mspDir: config.ordererOrg.mspDir },
    orderers: config.ordererOrg.orderers.map((o) => ({
      host: o.host,
      port: o.port,
      clusterHost: o.host,
      clusterPort: o.clusterPort,
      clientTlsCert: o.tlsCertPath,
      serverTlsCert: o.tlsCertPath,
    })),
    orgs: config.orgs.map((org) => ({
      mspId: org.mspId,
      mspDir: org.mspDir,
      anchorPeers: [{ host: org.peers[0]!.host, port: org.peers[0]!.port }],
    })),
    batch: config.batch,
  });
  writeNetworkConfig(config);
  return config;
}

/**
 * Prepare one more peer organisation: its crypto material, ports, network.json entry and a
 * configtx.yaml with only that organisation (for configtxgen -printOrg). Returns the folder.
 */
export async function prepareOrg(args: Record<string, string>): Promise<{ pendingDir: string; org: PeerOrg }> {
  if (!args.dir) throw new Error('--dir is required');
  const config = readNetworkConfig(resolve(args.dir));
  const index = config.orgs.length + 1;
  const peersPerOrg = int(args, 'peers', config.orgs[0]!.peers.length);
  const spec = networkOrgSpecs({ orgs: index, peersPerOrg }).peers[index - 1]!;
  const pendingDir = join(config.dir, 'pending-org');
  rmSync(pendingDir, { recursive: true, force: true });
  rmSync(join(config.cryptoDir, 'peerOrganizations', spec.domain), { recursive: true, force: true });
  const taken = networkPorts(config).map((p) => p.port);
  const ports = await findFreePorts(3 * peersPerOrg, int(args, 'base-port', 27050) || 27050, taken);
  generatePeerOrgCrypto(config.cryptoDir, index, { peersPerOrg });
  const org = buildPeerOrg(config.dir, spec, () => ports.shift()!);
  mkdirSync(pendingDir, { recursive: true });
  writeFileSync(join(pendingDir, 'org.json'), JSON.stringify(org, null, 2) + '\n');
  writeFileSync(
    join(pendingDir, 'configtx.yaml'),
    renderOrgConfigtx({
      mspId: org.mspId,
      mspDir: org.mspDir,
      anchorPeers: [{ host: org.peers[0]!.host, port: org.peers[0]!.port }],
    }),
  );
  return { pendingDir, org };
}

async function main(): Promise<void> {
  const { cmd, args } = parseArgs(process.argv.slice(2));
  switch (cmd) {
    case 'init': {
      const config = await init(args);
      process.stdout.write(`initialised ${config.dir}\n`);
      return;
    }
    case 'add-org': {
      const { pendingDir } = await prepareOrg(args);
      process.stdout.write(`${pendingDir}\n`);
      return;
    }
    case 'ports-busy': {
      if (!args.dir) throw new Error('--dir is required');
      for (const { port, what } of networkPorts(readNetworkConfig(args.dir))) {
        if (!(await portFree(port))) process.stdout.write(`${port} ${what}\n`);
      }
      return;
    }
    case 'free-port': {
      const avoid = (args.avoid ?? '').split(',').filter(Boolean).map(Number);
      const [p] = await findFreePorts(1, int(args, 'base', 29050) || 29050, avoid);
      process.stdout.write(`${p}\n`);
      return;
    }
    default:
      process.stdout.write(
        'usage: node network/dist/fabric/cli.js init --dir DIR [--orgs N] [--orderers M] [--peers P] [--base-port P]\n' +
          '         [--batch-timeout 250ms] [--max-message-count 100] [--absolute-max-bytes "10 MB"] [--preferred-max-bytes "2 MB"]\n' +
          '       node network/dist/fabric/cli.js ports-busy --dir DIR\n' +
          '       node network/dist/fabric/cli.js free-port [--base P] [--avoid p1,p2]\n',
      );
      if (cmd !== 'help') process.exit(2);
  }
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`anxin-fabric: ${e.message}\n`);
    process.exit(1);
  });
}
