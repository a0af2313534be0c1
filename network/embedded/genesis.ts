/**
 * Creating an embedded network: the organisations' crypto material (the same generator
 * a Fabric network uses), the descriptor, and block 0 — the CONFIG block configtxgen would
 * make of network/fabric/configtx.ts's profile for these organisations (etcdraft with the
 * orderer as its one consenter, NodeOU role policies), unsigned, as configtxgen writes it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CHAINCODE_NAME } from '@anxin/chaincode/wire';
import { buildChannelConfig, genesisConfigEnvelope } from '../blocks/config';
import { RAFT_OPTIONS } from '../fabric/configtx';
import { genesisBlock } from '../blocks/block';
import { generateOrg, orgDir, writeOrg, type OrgSpec } from '../msp/generate';
import { loadIdentity, type SigningIdentity } from '../msp/identity';
import { BlockFileWriter } from './blockfile';

export interface BatchConfig {
  /** Cut a block at this many transactions… */
  maxMessageCount: number;
  /** …or at this many bytes of envelopes… */
  preferredMaxBytes: number;
  absoluteMaxBytes: number;
  /** …or this long after the first pending transaction, in milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_BATCH: BatchConfig = {
  maxMessageCount: 500,
  preferredMaxBytes: 2 * 1024 * 1024,
  absoluteMaxBytes: 10 * 1024 * 1024,
  timeoutMs: 50,
};

export interface NetworkDescriptor {
  version: 1;
  channel: string;
  chaincode: { name: string; version: string };
  orgs: OrgSpec[];
  /** Names (as in the crypto folders) of the identities the ledger acts as. */
  peer: { mspId: string; name: string };
  orderer: { mspId: string; name: string };
  client: { mspId: string; name: string };
  batch: BatchConfig;
  createdAt: string;
}

/**
 * Where block 0 says the peer listens (its organisation's anchor peer) and the orderer listens (its endpoint and its etcdraft consenter). The
 * embedded orderer runs in-process and listens nowhere; the address is what a one-node
 * network.sh network would use, so the config reads as Fabric's does.
 */
export const EMBEDDED_ORDERER = { host: '127.0.0.1', port: 7050 } as const;
export const EMBEDDED_PEER = { host: '127.0.0.1', port: 7051 } as const;

export const DESCRIPTOR_FILE = 'network.json';
export const CHAIN_DIR = join('chains', 'anxin');

export interface GenesisOptions {
  channel?: string;
  /** The name the Anxin chaincode goes by (the namespace of its writes); default DEFAULT_CHAINCODE_NAME. */
  chaincode?: string;
  chaincodeVersion?: string;
  batch?: Partial<BatchConfig>;
}

function identityDir(root: string, org: OrgSpec, name: string): string {
  const base = orgDir(join(root, 'crypto'), org);
  if (name.includes('@')) return join(base, 'users', name, 'msp');
  return join(base, org.kind === 'peer' ? 'peers' : 'orderers', name, 'msp');
}

/** Load one of the network's identities by name (e.g. gateway@org1.anxin.local). */
export function networkIdentity(
  root: string,
  d: NetworkDescriptor,
  who: { mspId: string; name: string },
): SigningIdentity {
  const org = d.orgs.find((o) => o.mspId === who.mspId);
  if (!org) throw new Error(`no organisation ${who.mspId} in ${root}`);
  return loadIdentity(who.mspId, identityDir(root, org, who.name));
}

export function readDescriptor(root: string): NetworkDescriptor {
  return JSON.parse(readFileSync(join(root, DESCRIPTOR_FILE), 'utf8')) as NetworkDescriptor;
}

export function isCreated(root: string): boolean {
  return existsSync(join(root, DESCRIPTOR_FILE));
}

/**
 * Create a new embedded network in `root` (which must not hold one). Everything is
 * written into a temporary sibling folder first and renamed into place, so a crash
 * leaves either no network or a whole one.
 */
export async function createNetwork(root: string, opts: GenesisOptions = {}): Promise<NetworkDescriptor> {
  if (isCreated(root)) throw new Error(`${root} already holds a ledger`);
  const tmp = `${root}.creating-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });

  const org1: OrgSpec = {
    mspId: 'Org1MSP',
    domain: 'org1.anxin.local',
    kind: 'peer',
    nodes: ['peer0'],
    users: [
      { name: 'Admin', role: 'admin' },
      { name: 'gateway', role: 'client' },
    ],
  };
  const ord: OrgSpec = {
    mspId: 'OrdererMSP',
    domain: 'anxin.local',
    kind: 'orderer',
    nodes: ['orderer0'],
    users: [{ name: 'Admin', role: 'admin' }],
  };
  const generated = [generateOrg(org1), generateOrg(ord)];
  for (const g of generated) writeOrg(join(tmp, 'crypto'), g);

  const d: NetworkDescriptor = {
    version: 1,
    channel: opts.channel ?? 'anxin',
    chaincode: { name: opts.chaincode ?? DEFAULT_CHAINCODE_NAME, version: opts.chaincodeVersion ?? '1' },
    orgs: [org1, ord],
    peer: { mspId: org1.mspId, name: `peer0.${org1.domain}` },
    orderer: { mspId: ord.mspId, name: `orderer0.${ord.domain}` },
    client: { mspId: org1.mspId, name: `gateway@${org1.domain}` },
    batch: { ...DEFAULT_BATCH, ...opts.batch },
    createdAt: new Date().toISOString(),
  };

  const ordererNode = generated[1]!.nodes[0]!;
  const config = buildChannelConfig({
    channelId: d.channel,
    consensus: {
      type: 'etcdraft',
      consenters: [
        {
          host: EMBEDDED_ORDERER.host,
          port: EMBEDDED_ORDERER.port,
          clientTlsCert: ordererNode.tls.certPem,
          serverTlsCert: ordererNode.tls.certPem,
        },
      ],
      options: RAFT_OPTIONS,
    },
    batch: {
      maxMessageCount: d.batch.maxMessageCount,
      absoluteMaxBytes: d.batch.absoluteMaxBytes,
      preferredMaxBytes: d.batch.preferredMaxBytes,
      timeout: `${d.batch.timeoutMs}ms`,
    },
    orgs: generated.map((g) => ({
      mspId: g.spec.mspId,
      kind: g.spec.kind,
      rootCerts: [g.ca.certPem],
      tlsRootCerts: [g.tlsca.certPem],
      ...(g.spec.kind === 'orderer'
        ? { endpoints: [`${EMBEDDED_ORDERER.host}:${EMBEDDED_ORDERER.port}`] }
        : { anchorPeers: [{ ...EMBEDDED_PEER }] }),
    })),
  });
  const block0 = genesisBlock(genesisConfigEnvelope(d.channel, config, new Date()));
  const writer = new BlockFileWriter(join(tmp, CHAIN_DIR));
  await writer.open();
  await writer.append(block0.bytes);
  await writer.close();

  writeFileSync(join(tmp, DESCRIPTOR_FILE), JSON.stringify(d, null, 2) + '\n', { mode: 0o600 });
  mkdirSync(dirname(root), { recursive: true });
  if (existsSync(root)) {
    // An empty folder given by the user: move our contents in.
    for (const entry of ['crypto', 'chains', DESCRIPTOR_FILE]) renameSync(join(tmp, entry), join(root, entry));
    rmSync(tmp, { recursive: true, force: true });
  } else {
    renameSync(tmp, root);
  }
  return d;
}
