/**
 * Crypto material for a local Fabric network, generated with the project's own
 * generator (network/msp: node-forge + Node crypto, no cryptogen): one orderer
 * organisation and N peer organisations in cryptogen's folder layout, plus a small
 * TLS CA for the chaincode-as-a-service connection (peer -> chaincode server).
 *
 * CLI:  node network/dist/fabric/crypto.js --dir DIR/crypto [--orgs N] [--orderers M] [--peers P]
 *       node network/dist/fabric/crypto.js --dir DIR/crypto --add-org N [--peers P]   (one more org)
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCertificate, generateOrg, orgDir, subjectKeyIdentifier, writeOrg, type OrgSpec } from '../msp';

export const ORDERER_DOMAIN = 'anxin.local';
export const ORDERER_MSP_ID = 'OrdererMSP';

export interface NetworkCryptoOptions {
  /** Number of peer organisations (Org1MSP … OrgNMSP). Default 1. */
  orgs?: number;
  /** Number of orderer nodes (orderer0 … ordererM-1, one etcdraft consenter each). Default 1. */
  orderers?: number;
  /** Peers per organisation (peer0 … peerP-1). Default 1. */
  peersPerOrg?: number;
  /** Extra host names / IPs put into node TLS certificates (127.0.0.1 and localhost always are). */
  hosts?: string[];
  /** Certificate lifetime in years. Default 10. */
  years?: number;
}

export interface PeerOrgNames {
  index: number;
  mspId: string;
  domain: string;
  peers: string[];
}

/** Organisation specs of the network, in the order configtx and network.json use. */
export function networkOrgSpecs(opts: NetworkCryptoOptions = {}): { orderer: OrgSpec; peers: OrgSpec[] } {
  const orgs = opts.orgs ?? 1;
  const orderers = opts.orderers ?? 1;
  const peersPerOrg = opts.peersPerOrg ?? 1;
  if (!Number.isInteger(orgs) || orgs < 1 || orgs > 50) throw new Error(`orgs must be 1..50, got ${orgs}`);
  if (!Number.isInteger(orderers) || orderers < 1 || orderers > 9)
    throw new Error(`orderers must be 1..9, got ${orderers}`);
  if (!Number.isInteger(peersPerOrg) || peersPerOrg < 1 || peersPerOrg > 9) {
    throw new Error(`peersPerOrg must be 1..9, got ${peersPerOrg}`);
  }
  const hosts = opts.hosts ?? [];
  const orderer: OrgSpec = {
    mspId: ORDERER_MSP_ID,
    domain: ORDERER_DOMAIN,
    kind: 'orderer',
    nodes: Array.from({ length: orderers }, (_, i) => `orderer${i}`),
    users: [{ name: 'Admin', role: 'admin' }],
    hosts,
  };
  const peers: OrgSpec[] = Array.from({ length: orgs }, (_, i) => ({
    mspId: `Org${i + 1}MSP`,
    domain: `org${i + 1}.${ORDERER_DOMAIN}`,
    kind: 'peer' as const,
    nodes: Array.from({ length: peersPerOrg }, (_, p) => `peer${p}`),
    users: [
      { name: 'Admin', role: 'admin' as const },
      { name: 'gateway', role: 'client' as const },
    ],
    hosts,
  }));
  return { orderer, peers };
}

export interface NetworkCrypto {
  root: string;
  orderer: { spec: OrgSpec; dir: string };
  peers: Array<{ spec: OrgSpec; dir: string }>;
  /** TLS material for the chaincode server (CCaaS) and the peers' client side of that connection. */
  chaincodeTls: {
    dir: string;
    caCert: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
  };
}

/** Paths of the chaincode-server TLS material inside a crypto root. */
export function chaincodeTlsPaths(root: string): NetworkCrypto['chaincodeTls'] {
  const dir = join(root, 'chaincode');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

/**
 * A CA of its own for the peer <-> chaincode-server connection: a server certificate
 * for 127.0.0.1/localhost and one client certificate the peers present (the chaincode
 * server requires it).
 */
function writeChaincodeTls(root: string, years: number, hosts: string[]): NetworkCrypto['chaincodeTls'] {
  const paths = chaincodeTlsPaths(root);
  mkdirSync(paths.dir, { recursive: true });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + years * 365 * 24 * 3600 * 1000);
  const base = { C: 'CN', ST: 'Sichuan', L: 'Chengdu', O: ORDERER_DOMAIN };
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = { ...base, CN: `ccaas-tlsca.${ORDERER_DOMAIN}` };
  const caPem = createCertificate({
    subject: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCA: true,
    notBefore,
    notAfter,
    keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign', 'cRLSign'],
    extKeyUsage: ['clientAuth', 'serverAuth'],
  });
  const issuer = { name: caName, key: ca.privateKey, ski: subjectKeyIdentifier(ca.publicKey) };
  const leaf = (cn: string, dnsNames: string[], ipAddresses: string[]) => {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certPem = createCertificate({
      subject: { ...base, CN: cn },
      publicKey: kp.publicKey,
      issuer,
      signingKey: ca.privateKey,
      isCA: false,
      notBefore,
      notAfter,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['serverAuth', 'clientAuth'],
      dnsNames,
      ipAddresses,
    });
    return { certPem, keyPem: kp.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
  };
  const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h);
  const server = leaf(
    `chaincode.${ORDERER_DOMAIN}`,
    [`chaincode.${ORDERER_DOMAIN}`, 'localhost', ...hosts.filter((h) => !isIp(h))],
    ['127.0.0.1', ...hosts.filter(isIp)],
  );
  const client = leaf(`peer-client.${ORDERER_DOMAIN}`, [`peer-client.${ORDERER_DOMAIN}`], []);
  writeFileSync(paths.caCert, caPem);
  writeSecret(join(paths.dir, 'ca.key'), ca.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  writeFileSync(paths.serverCert, server.certPem);
  writeSecret(paths.serverKey, server.keyPem);
  writeFileSync(paths.clientCert, client.certPem);
  writeSecret(paths.clientKey, client.keyPem);
  return paths;
}

/**
 * Generate and write the whole network's material under `root` (normally DIR/crypto).
 * Refuses to overwrite an existing root unless `force` is set: regenerating keys under a
 * running network breaks it.
 */
export function generateNetworkCrypto(
  root: string,
  opts: NetworkCryptoOptions & { force?: boolean } = {},
): NetworkCrypto {
  root = resolve(root);
  const specs = networkOrgSpecs(opts);
  if (!opts.force && existsSync(orgDir(root, specs.orderer))) {
    throw new Error(`crypto material already exists in ${root} (reset the network first)`);
  }
  const years = opts.years ?? 10;
  mkdirSync(root, { recursive: true });
  const write = (spec: OrgSpec) => ({ spec, dir: writeOrg(root, generateOrg(spec, { years })) });
  return {
    root,
    orderer: write(specs.orderer),
    peers: specs.peers.map(write),
    chaincodeTls: writeChaincodeTls(root, years, opts.hosts ?? []),
  };
}

/**
 * Generate and write one more peer organisation (Org<index>MSP, org<index>.anxin.local) under
 * `root`, to add it to a running network. Refuses to overwrite an existing organisation.
 */
export function generatePeerOrgCrypto(
  root: string,
  index: number,
  opts: Pick<NetworkCryptoOptions, 'peersPerOrg' | 'hosts' | 'years'> = {},
): { spec: OrgSpec; dir: string } {
  root = resolve(root);
  const spec = networkOrgSpecs({ ...opts, orgs: index }).peers[index - 1]!;
  if (existsSync(orgDir(root, spec))) throw new Error(`${orgDir(root, spec)} already exists`);
  return { spec, dir: writeOrg(root, generateOrg(spec, { years: opts.years ?? 10 })) };
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.includes('=')
      ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a.slice(2), argv[++i]];
    if (v === undefined) throw new Error(`missing value for --${k}`);
    out[k] = v;
  }
  return out;
}

function main(): void {
  const usage =
    'usage: node network/dist/fabric/crypto.js --dir CRYPTO_DIR [--orgs N] [--orderers M] [--peers P] [--hosts h1,h2] [--force true]\n' +
    '       node network/dist/fabric/crypto.js --dir CRYPTO_DIR --add-org N [--peers P] [--hosts h1,h2]';
  try {
    const args = parseArgs(process.argv.slice(2));
    if (!args.dir) throw new Error('--dir is required');
    if (args['add-org']) {
      const added = generatePeerOrgCrypto(args.dir, Number(args['add-org']), {
        peersPerOrg: args.peers ? Number(args.peers) : 1,
        hosts: args.hosts ? args.hosts.split(',').filter(Boolean) : [],
      });
      process.stdout.write(`${added.spec.mspId} written to ${added.dir}\n`);
      return;
    }
    const out = generateNetworkCrypto(args.dir, {
      orgs: args.orgs ? Number(args.orgs) : 1,
      orderers: args.orderers ? Number(args.orderers) : 1,
      peersPerOrg: args.peers ? Number(args.peers) : 1,
      hosts: args.hosts ? args.hosts.split(',').filter(Boolean) : [],
      force: args.force === 'true',
    });
    process.stdout.write(`crypto material written to ${out.root}\n`);
  } catch (e) {
    process.stderr.write(`crypto: ${(e as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

if (require.main === module) main();
