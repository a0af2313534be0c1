/**
 * Crypto material for a Fabric network, generated with node-forge and Node's crypto:
 * per organisation a CA and a TLS CA, node identities (peers or orderers), admin and
 * client users, each with a TLS certificate, written as Fabric's MSP folders
 * (cacerts, signcerts, keystore, tlscacerts, config.yaml with NodeOUs). The embedded
 * ledger and a real Fabric network use the same generator and the same layout.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificate, subjectKeyIdentifier, type DistinguishedName } from './x509';

export type NodeRole = 'peer' | 'orderer';
export type UserRole = 'admin' | 'client';

export interface OrgSpec {
  mspId: string;
  /** DNS domain of the organisation, e.g. org1.anxin.local. */
  domain: string;
  kind: NodeRole;
  /** Host names of nodes, e.g. ['peer0'] or ['orderer0']. */
  nodes: string[];
  /** Users: e.g. [{ name: 'Admin', role: 'admin' }, { name: 'gateway', role: 'client' }]. */
  users: Array<{ name: string; role: UserRole }>;
  /** Extra host names / IPs for node TLS certificates (loopback always included). */
  hosts?: string[];
}

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface GeneratedIdentity extends KeyPairPem {
  /** e.g. peer0.org1.anxin.local or Admin@org1.anxin.local */
  name: string;
  mspId: string;
  role: NodeRole | UserRole;
  tls: KeyPairPem;
}

export interface GeneratedOrg {
  spec: OrgSpec;
  ca: KeyPairPem;
  tlsca: KeyPairPem;
  nodes: GeneratedIdentity[];
  users: GeneratedIdentity[];
}

const BASE_DN = { C: 'CN', ST: 'Sichuan', L: 'Chengdu' } as const;

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function pemKey(k: KeyObject): string {
  return k.export({ format: 'pem', type: 'pkcs8' }) as string;
}

interface Ca {
  name: DistinguishedName;
  key: KeyObject;
  ski: Buffer;
  pem: KeyPairPem;
}

function makeCa(cn: string, org: string, notBefore: Date, notAfter: Date): Ca {
  const { privateKey, publicKey } = keyPair();
  const name: DistinguishedName = { ...BASE_DN, O: org, CN: cn };
  const certPem = createCertificate({
    subject: name,
    publicKey,
    signingKey: privateKey,
    isCA: true,
    notBefore,
    notAfter,
    keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign', 'cRLSign'],
    extKeyUsage: ['clientAuth', 'serverAuth'],
  });
  return { name, key: privateKey, ski: subjectKeyIdentifier(publicKey), pem: { certPem, keyPem: pemKey(privateKey) } };
}

function leaf(
  ca: Ca,
  cn: string,
  ou: string | undefined,
  notBefore: Date,
  notAfter: Date,
  tls?: { dnsNames: string[]; ipAddresses: string[] },
): KeyPairPem {
  const { privateKey, publicKey } = keyPair();
  const certPem = createCertificate({
    subject: { ...BASE_DN, ...(ou ? { OU: ou } : {}), CN: cn },
    publicKey,
    issuer: { name: ca.name, key: ca.key, ski: ca.ski },
    signingKey: ca.key,
    isCA: false,
    notBefore,
    notAfter,
    keyUsage: tls ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    ...(tls ? { extKeyUsage: ['serverAuth', 'clientAuth'] as const, ...tls } : {}),
  } as Parameters<typeof createCertificate>[0]);
  return { certPem, keyPem: pemKey(privateKey) };
}

/**
 * Generate an organisation's material.
 *
 * @example
 * const org1 = generateOrg({ mspId: 'Org1MSP', domain: 'org1.anxin.local', kind: 'peer',
 *   nodes: ['peer0'], users: [{ name: 'Admin', role: 'admin' }, { name: 'gateway', role: 'client' }] });
 */
export function generateOrg(spec: OrgSpec, opts: { notBefore?: Date; years?: number } = {}): GeneratedOrg {
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (opts.years ?? 10) * 365 * 24 * 3600 * 1000);
  const ca = makeCa(`ca.${spec.domain}`, spec.domain, notBefore, notAfter);
  const tlsca = makeCa(`tlsca.${spec.domain}`, spec.domain, notBefore, notAfter);
  const hosts = ['localhost', ...(spec.hosts ?? [])];
  const nodes = spec.nodes.map((host) => {
    const name = `${host}.${spec.domain}`;
    const dnsNames = [name, host, ...hosts.filter((h) => !/^\d+\.\d+\.\d+\.\d+$/.test(h))];
    const ipAddresses = ['127.0.0.1', ...hosts.filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h))];
    return {
      name,
      mspId: spec.mspId,
      role: spec.kind,
      ...leaf(ca, name, spec.kind, notBefore, notAfter),
      tls: leaf(tlsca, name, undefined, notBefore, notAfter, { dnsNames, ipAddresses }),
    };
  });
  const users = spec.users.map(({ name: user, role }) => {
    const name = `${user}@${spec.domain}`;
    return {
      name,
      mspId: spec.mspId,
      role,
      ...leaf(ca, name, role, notBefore, notAfter),
      tls: leaf(tlsca, name, undefined, notBefore, notAfter, { dnsNames: [name], ipAddresses: [] }),
    };
  });
  return { spec, ca: ca.pem, tlsca: tlsca.pem, nodes, users };
}

function nodeOusYaml(caFile: string): string {
  const ou = (role: string) => `    Certificate: cacerts/${caFile}\n    OrganizationalUnitIdentifier: ${role}\n`;
  return (
    'NodeOUs:\n  Enable: true\n' +
    `  ClientOUIdentifier:\n${ou('client')}` +
    `  PeerOUIdentifier:\n${ou('peer')}` +
    `  AdminOUIdentifier:\n${ou('admin')}` +
    `  OrdererOUIdentifier:\n${ou('orderer')}`
  );
}

function write(path: string, text: string, secret = false): void {
  writeFileSync(path, text, { mode: secret ? 0o600 : 0o644 });
  if (secret) chmodSync(path, 0o600);
}

function writeMspDir(dir: string, org: GeneratedOrg, signer?: KeyPairPem, signerName?: string): void {
  const d = org.spec.domain;
  for (const sub of ['cacerts', 'tlscacerts', 'admincerts']) mkdirSync(join(dir, sub), { recursive: true });
  write(join(dir, 'cacerts', `ca.${d}-cert.pem`), org.ca.certPem);
  write(join(dir, 'tlscacerts', `tlsca.${d}-cert.pem`), org.tlsca.certPem);
  write(join(dir, 'config.yaml'), nodeOusYaml(`ca.${d}-cert.pem`));
  if (signer) {
    mkdirSync(join(dir, 'signcerts'), { recursive: true });
    mkdirSync(join(dir, 'keystore'), { recursive: true, mode: 0o700 });
    write(join(dir, 'signcerts', `${signerName}-cert.pem`), signer.certPem);
    write(join(dir, 'keystore', 'priv_sk'), signer.keyPem, true);
  }
}

/** Directory of an organisation inside a crypto root, as cryptogen lays it out. */
export function orgDir(root: string, spec: Pick<OrgSpec, 'kind' | 'domain'>): string {
  return join(root, spec.kind === 'peer' ? 'peerOrganizations' : 'ordererOrganizations', spec.domain);
}

/** Write an organisation's material under `root` in Fabric's layout. Returns the org folder. */
export function writeOrg(root: string, org: GeneratedOrg): string {
  const base = orgDir(root, org.spec);
  const d = org.spec.domain;
  mkdirSync(join(base, 'ca'), { recursive: true });
  write(join(base, 'ca', `ca.${d}-cert.pem`), org.ca.certPem);
  write(join(base, 'ca', 'priv_sk'), org.ca.keyPem, true);
  mkdirSync(join(base, 'tlsca'), { recursive: true });
  write(join(base, 'tlsca', `tlsca.${d}-cert.pem`), org.tlsca.certPem);
  write(join(base, 'tlsca', 'priv_sk'), org.tlsca.keyPem, true);
  writeMspDir(join(base, 'msp'), org);
  const group = org.spec.kind === 'peer' ? 'peers' : 'orderers';
  for (const n of org.nodes) {
    const nd = join(base, group, n.name);
    writeMspDir(join(nd, 'msp'), org, n, n.name);
    mkdirSync(join(nd, 'tls'), { recursive: true });
    write(join(nd, 'tls', 'ca.crt'), org.tlsca.certPem);
    write(join(nd, 'tls', 'server.crt'), n.tls.certPem);
    write(join(nd, 'tls', 'server.key'), n.tls.keyPem, true);
  }
  for (const u of org.users) {
    const ud = join(base, 'users', u.name);
    writeMspDir(join(ud, 'msp'), org, u, u.name);
    mkdirSync(join(ud, 'tls'), { recursive: true });
    write(join(ud, 'tls', 'ca.crt'), org.tlsca.certPem);
    write(join(ud, 'tls', 'client.crt'), u.tls.certPem);
    write(join(ud, 'tls', 'client.key'), u.tls.keyPem, true);
  }
  return base;
}
