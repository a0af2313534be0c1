/**
 * The description of a local Fabric network: where every file is, which port every
 * process listens on, and what a client needs to connect. Written once, by `init`, to
 * DIR/network.json; the scripts and the TypeScript wrapper read it from there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/wire';
import { chaincodeTlsPaths, networkOrgSpecs, type NetworkCryptoOptions } from './crypto';
import { DEFAULT_BATCH, DEFAULT_CHANNEL, type BatchSettings } from './configtx';
import { orgDir, type OrgSpec } from '../msp';

export const NETWORK_JSON_VERSION = 1;
export const LOOPBACK = '127.0.0.1';

/** An identity in an MSP folder, with its TLS client pair. */
export interface IdentityPaths {
  /** e.g. gateway@org1.anxin.local */
  name: string;
  mspId: string;
  mspDir: string;
  /** signcerts/<name>-cert.pem */
  certPath: string;
  /** keystore/priv_sk (PKCS#8 PEM) */
  keyPath: string;
  tlsCertPath: string;
  tlsKeyPath: string;
}

interface NodeCommon {
  /** Host name in the node's certificates, e.g. peer0.org1.anxin.local: the TLS server name override. */
  name: string;
  mspId: string;
  host: string;
  port: number;
  /** host:port */
  endpoint: string;
  /** Same as name; kept under the name client libraries use for it. */
  serverNameOverride: string;
  /** The organisation's TLS CA certificate, to verify this node's TLS certificate. */
  tlsRootCertPath: string;
  tlsCertPath: string;
  tlsKeyPath: string;
  mspDir: string;
  operationsPort: number;
  /** http://127.0.0.1:PORT (healthz, metrics in Prometheus format). */
  operationsUrl: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
}

export interface PeerNode extends NodeCommon {
  /** Port the peer listens on for chaincode that dials in (unused with CCaaS, still bound). */
  chaincodePort: number;
}

export interface OrdererNode extends NodeCommon {
  adminPort: number;
  /** host:port of the channel participation API (osnadmin), mutual TLS with the orderer org's admin. */
  adminEndpoint: string;
  clusterPort: number;
}

export interface PeerOrg {
  mspId: string;
  domain: string;
  /** The organisation's MSP folder (for configtx, -printOrg). */
  mspDir: string;
  caCertPath: string;
  tlsRootCertPath: string;
  peers: PeerNode[];
  admin: IdentityPaths;
  /** The client identity the Anxin gateway submits as (role client). */
  client: IdentityPaths;
}

export interface NetworkConfig {
  version: number;
  /** Absolute network folder. */
  dir: string;
  channel: string;
  /** configtx profile the genesis block was made from. */
  profile: string;
  genesisBlock: string;
  configtxPath: string;
  cryptoDir: string;
  createdAt: string;
  batch: BatchSettings;
  ordererOrg: {
    mspId: string;
    domain: string;
    mspDir: string;
    tlsRootCertPath: string;
    admin: IdentityPaths;
    orderers: OrdererNode[];
  };
  orgs: PeerOrg[];
  /** What the Anxin gateway needs by default: Org1's first peer and its `gateway` client identity. */
  gateway: {
    peerEndpoint: string;
    serverNameOverride: string;
    tlsRootCertPath: string;
    mspId: string;
    mspDir: string;
    certPath: string;
    keyPath: string;
    channel: string;
    chaincode: string;
  };
  /** TLS material for peer -> chaincode server (CCaaS) connections. */
  chaincodeTls: { caCert: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  /** The same as `gateway`, as ANXIN_FABRIC_* environment variables (also in DIR/anxin-fabric.env). */
  env: Record<string, string>;
}

export interface InitOptions extends NetworkCryptoOptions {
  dir: string;
  channel?: string;
  chaincode?: string;
  batch?: Partial<BatchSettings>;
  /** Port numbers, in the order `portsNeeded` says. */
  ports: number[];
}

/** How many ports a network with these options needs: 4 per orderer, 3 per peer. */
export function portsNeeded(opts: NetworkCryptoOptions): number {
  return 4 * (opts.orderers ?? 1) + 3 * (opts.orgs ?? 1) * (opts.peersPerOrg ?? 1);
}

function identity(root: string, spec: OrgSpec, user: string): IdentityPaths {
  const name = `${user}@${spec.domain}`;
  const base = join(orgDir(root, spec), 'users', name);
  return {
    name,
    mspId: spec.mspId,
    mspDir: join(base, 'msp'),
    certPath: join(base, 'msp', 'signcerts', `${name}-cert.pem`),
    keyPath: join(base, 'msp', 'keystore', 'priv_sk'),
    tlsCertPath: join(base, 'tls', 'client.crt'),
    tlsKeyPath: join(base, 'tls', 'client.key'),
  };
}

function makeNode(dir: string, cryptoDir: string, spec: OrgSpec, host: string, next: () => number): NodeCommon {
  const name = `${host}.${spec.domain}`;
  const base = join(orgDir(cryptoDir, spec), spec.kind === 'peer' ? 'peers' : 'orderers', name);
  const port = next();
  return {
    name,
    mspId: spec.mspId,
    host: LOOPBACK,
    port,
    endpoint: `${LOOPBACK}:${port}`,
    serverNameOverride: name,
    tlsRootCertPath: join(base, 'tls', 'ca.crt'),
    tlsCertPath: join(base, 'tls', 'server.crt'),
    tlsKeyPath: join(base, 'tls', 'server.key'),
    mspDir: join(base, 'msp'),
    operationsPort: 0,
    operationsUrl: '',
    dataDir: join(dir, 'data', name),
    logFile: join(dir, 'logs', `${name}.log`),
    pidFile: join(dir, 'pids', `${name}.pid`),
  };
}

function withOperations<T extends NodeCommon>(n: T, next: () => number): T {
  n.operationsPort = next();
  n.operationsUrl = `http://${LOOPBACK}:${n.operationsPort}`;
  return n;
}

/** One peer organisation's entry of network.json; `next` hands out ports (3 per peer). */
export function buildPeerOrg(dir: string, spec: OrgSpec, next: () => number): PeerOrg {
  const cryptoDir = join(dir, 'crypto');
  const base = orgDir(cryptoDir, spec);
  return {
    mspId: spec.mspId,
    domain: spec.domain,
    mspDir: join(base, 'msp'),
    caCertPath: join(base, 'ca', `ca.${spec.domain}-cert.pem`),
    tlsRootCertPath: join(base, 'tlsca', `tlsca.${spec.domain}-cert.pem`),
    peers: spec.nodes.map((h) =>
      withOperations({ ...makeNode(dir, cryptoDir, spec, h, next), chaincodePort: next() }, next),
    ),
    admin: identity(cryptoDir, spec, 'Admin'),
    client: identity(cryptoDir, spec, 'gateway'),
  };
}

/** Build the network description (does not touch the disk). */
export function buildNetworkConfig(opts: InitOptions): NetworkConfig {
  const dir = resolve(opts.dir);
  const cryptoDir = join(dir, 'crypto');
  const specs = networkOrgSpecs(opts);
  const need = portsNeeded(opts);
  if (opts.ports.length < need) throw new Error(`need ${need} ports, got ${opts.ports.length}`);
  const ports = [...opts.ports];
  const next = () => ports.shift()!;
  const channel = opts.channel ?? DEFAULT_CHANNEL;

  const node = (spec: OrgSpec, host: string) => makeNode(dir, cryptoDir, spec, host, next);
  const orderers: OrdererNode[] = specs.orderer.nodes.map((h) => {
    const n = node(specs.orderer, h);
    const adminPort = next();
    const clusterPort = next();
    return withOperations({ ...n, adminPort, adminEndpoint: `${LOOPBACK}:${adminPort}`, clusterPort }, next);
  });
  const orgs: PeerOrg[] = specs.peers.map((spec) => buildPeerOrg(dir, spec, next));
  const ordererBase = orgDir(cryptoDir, specs.orderer);
  const p0 = orgs[0]!.peers[0]!;
  const c0 = orgs[0]!.client;
  const chaincode = opts.chaincode ?? DEFAULT_CHAINCODE_NAME;
  const gateway = {
    peerEndpoint: p0.endpoint,
    serverNameOverride: p0.serverNameOverride,
    tlsRootCertPath: p0.tlsRootCertPath,
    mspId: c0.mspId,
    mspDir: c0.mspDir,
    certPath: c0.certPath,
    keyPath: c0.keyPath,
    channel,
    chaincode,
  };
  const cc = chaincodeTlsPaths(cryptoDir);
  return {
    version: NETWORK_JSON_VERSION,
    dir,
    channel,
    profile: 'AnxinChannel',
    genesisBlock: join(dir, 'channel-artifacts', `${channel}.block`),
    configtxPath: join(dir, 'configtx.yaml'),
    cryptoDir,
    createdAt: new Date().toISOString(),
    batch: { ...DEFAULT_BATCH, ...(opts.batch ?? {}) },
    ordererOrg: {
      mspId: specs.orderer.mspId,
      domain: specs.orderer.domain,
      mspDir: join(ordererBase, 'msp'),
      tlsRootCertPath: join(ordererBase, 'tlsca', `tlsca.${specs.orderer.domain}-cert.pem`),
      admin: identity(cryptoDir, specs.orderer, 'Admin'),
      orderers,
    },
    orgs,
    gateway,
    chaincodeTls: {
      caCert: cc.caCert,
      serverCert: cc.serverCert,
      serverKey: cc.serverKey,
      clientCert: cc.clientCert,
      clientKey: cc.clientKey,
    },
    env: {
      ANXIN_LEDGER: 'fabric',
      ANXIN_FABRIC_PEER_ENDPOINT: gateway.peerEndpoint,
      ANXIN_FABRIC_PEER_HOST_ALIAS: gateway.serverNameOverride,
      ANXIN_FABRIC_TLS_ROOT_CERT: gateway.tlsRootCertPath,
      ANXIN_FABRIC_MSP_ID: gateway.mspId,
      ANXIN_FABRIC_CERT: gateway.certPath,
      ANXIN_FABRIC_KEY: gateway.keyPath,
      ANXIN_FABRIC_CHANNEL: channel,
      ANXIN_FABRIC_CHAINCODE: chaincode,
    },
  };
}

/** Shell-quoted KEY='value' lines. */
export function envFileText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

export function writeNetworkConfig(config: NetworkConfig): void {
  writeFileSync(join(config.dir, 'network.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileSync(join(config.dir, 'anxin-fabric.env'), envFileText(config.env));
}

/** Read DIR/network.json (or a path to a network.json). */
export function readNetworkConfig(dirOrFile: string): NetworkConfig {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'network.json');
  if (!existsSync(file)) throw new Error(`no network description at ${file} (is the network initialised?)`);
  const config = JSON.parse(readFileSync(file, 'utf8')) as NetworkConfig;
  if (config.version !== NETWORK_JSON_VERSION) {
    throw new Error(`${file}: network.json version ${config.version}, expected ${NETWORK_JSON_VERSION}`);
  }
  return config;
}
