/**
 * Channel configuration as Fabric encodes it (common.Config), for the embedded ledger's
 * block 0 — what configtxgen makes of network/fabric/configtx.ts's profile: etcdraft,
 * NodeOU role policies, V2_5 application capabilities — and the reverse: the
 * organisations' MSP roots read back out of any config block (the embedded one or a real
 * Fabric one from configtxgen).
 */
import { randomBytes } from 'node:crypto';
import { common, msp, orderer, peer } from '@hyperledger/fabric-protos';
import { computeTxId, toTimestamp } from './tx';

export interface OrgConfig {
  mspId: string;
  rootCerts: string[];
  tlsRootCerts: string[];
  /** Role of the organisation's nodes: application orgs have peers, orderer orgs orderers. */
  kind: 'peer' | 'orderer';
  /** NodeOU certificate (the CA that signs node/user certs), used for OU classification. */
  ouCert?: string;
  endpoints?: string[];
  /** An application organisation's anchor peers (its AnchorPeers value). */
  anchorPeers?: Array<{ host: string; port: number }>;
}

/** An etcdraft consenter, as configtx.yaml's EtcdRaft.Consenters names it. */
export interface RaftConsenter {
  host: string;
  port: number;
  /** PEM, as the certificate files hold them. */
  clientTlsCert: string;
  serverTlsCert: string;
}

/** etcdraft's options, as configtx.yaml's EtcdRaft.Options sets them. */
export interface RaftOptions {
  /** Go duration, e.g. '200ms'. */
  tickInterval: string;
  electionTick: number;
  heartbeatTick: number;
  maxInflightBlocks: number;
  snapshotIntervalSizeBytes: number;
}

export interface ChannelConfigSpec {
  channelId: string;
  orgs: OrgConfig[];
  /** etcdraft ordering, its consenters and options (ConsensusType.metadata). */
  consensus: { type: 'etcdraft'; consenters: RaftConsenter[]; options: RaftOptions };
  batch: { maxMessageCount: number; absoluteMaxBytes: number; preferredMaxBytes: number; timeout: string };
}

/**
 * A signature policy `OR('<msp>.<role>', …)` as configtxgen compiles it: one principal per
 * role in the order written, and a 1-out-of-n rule over them.
 */
function sigPolicy(mspId: string, ...roles: number[]): common.Policy {
  const principals = roles.map((role) => {
    const r = new msp.MSPRole();
    r.setMspIdentifier(mspId);
    r.setRole(role as 0);
    const principal = new msp.MSPPrincipal();
    principal.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    principal.setPrincipal(r.serializeBinary());
    return principal;
  });
  const nOf = new common.SignaturePolicy.NOutOf();
  nOf.setN(1);
  nOf.setRulesList(
    roles.map((_, i) => {
      const signedBy = new common.SignaturePolicy();
      signedBy.setSignedBy(i);
      return signedBy;
    }),
  );
  const rule = new common.SignaturePolicy();
  rule.setNOutOf(nOf);
  const env = new common.SignaturePolicyEnvelope();
  env.setVersion(0);
  env.setRule(rule);
  env.setIdentitiesList(principals);
  const p = new common.Policy();
  p.setType(common.Policy.PolicyType.SIGNATURE);
  p.setValue(env.serializeBinary());
  return p;
}

function implicitMeta(sub: string, rule: 'ANY' | 'ALL' | 'MAJORITY'): common.Policy {
  const m = new common.ImplicitMetaPolicy();
  m.setSubPolicy(sub);
  m.setRule(common.ImplicitMetaPolicy.Rule[rule]);
  const p = new common.Policy();
  p.setType(common.Policy.PolicyType.IMPLICIT_META);
  p.setValue(m.serializeBinary());
  return p;
}

function configPolicy(p: common.Policy): common.ConfigPolicy {
  const cp = new common.ConfigPolicy();
  cp.setPolicy(p);
  cp.setModPolicy('Admins');
  return cp;
}

function configValue(bytes: Uint8Array, modPolicy = 'Admins'): common.ConfigValue {
  const v = new common.ConfigValue();
  v.setValue(bytes);
  v.setModPolicy(modPolicy);
  return v;
}

function capabilities(...names: string[]): Uint8Array {
  const c = new common.Capabilities();
  for (const n of names) c.getCapabilitiesMap().set(n, new common.Capability());
  return c.serializeBinary();
}

function group(
  values: Record<string, common.ConfigValue>,
  policies: Record<string, common.Policy>,
  groups: Record<string, common.ConfigGroup> = {},
): common.ConfigGroup {
  const g = new common.ConfigGroup();
  g.setModPolicy('Admins');
  for (const [k, v] of Object.entries(values)) g.getValuesMap().set(k, v);
  for (const [k, p] of Object.entries(policies)) g.getPoliciesMap().set(k, configPolicy(p));
  for (const [k, sub] of Object.entries(groups)) g.getGroupsMap().set(k, sub);
  return g;
}

function mspValue(org: OrgConfig): Uint8Array {
  const crypto = new msp.FabricCryptoConfig();
  crypto.setSignatureHashFamily('SHA2');
  crypto.setIdentityIdentifierHashFunction('SHA256');
  const fm = new msp.FabricMSPConfig();
  fm.setName(org.mspId);
  fm.setRootCertsList(org.rootCerts.map((c) => Buffer.from(c)));
  fm.setTlsRootCertsList(org.tlsRootCerts.map((c) => Buffer.from(c)));
  fm.setCryptoConfig(crypto);
  const ouCert = Buffer.from(org.ouCert ?? org.rootCerts[0]!);
  const ou = (name: string) => {
    const id = new msp.FabricOUIdentifier();
    id.setCertificate(ouCert);
    id.setOrganizationalUnitIdentifier(name);
    return id;
  };
  const nodeOus = new msp.FabricNodeOUs();
  nodeOus.setEnable(true);
  nodeOus.setClientOuIdentifier(ou('client'));
  nodeOus.setPeerOuIdentifier(ou('peer'));
  nodeOus.setAdminOuIdentifier(ou('admin'));
  nodeOus.setOrdererOuIdentifier(ou('orderer'));
  fm.setFabricNodeOus(nodeOus);
  const mc = new msp.MSPConfig();
  mc.setType(0);
  mc.setConfig(fm.serializeBinary());
  return mc.serializeBinary();
}

function orgGroup(org: OrgConfig): common.ConfigGroup {
  const R = msp.MSPRole.MSPRoleType;
  const values: Record<string, common.ConfigValue> = { MSP: configValue(mspValue(org)) };
  if (org.endpoints?.length) {
    const ep = new common.OrdererAddresses();
    ep.setAddressesList(org.endpoints);
    values.Endpoints = configValue(ep.serializeBinary());
  }
  if (org.anchorPeers?.length) {
    const ap = new peer.AnchorPeers();
    ap.setAnchorPeersList(
      org.anchorPeers.map((a) => {
        const x = new peer.AnchorPeer();
        x.setHost(a.host);
        x.setPort(a.port);
        return x;
      }),
    );
    values.AnchorPeers = configValue(ap.serializeBinary());
  }
  // The policies network/fabric/configtx.ts gives each organisation: NodeOU roles for an
  // application organisation, membership for the orderer organisation.
  const policies: Record<string, common.Policy> =
    org.kind === 'peer'
      ? {
          Readers: sigPolicy(org.mspId, R.ADMIN, R.PEER, R.CLIENT),
          Writers: sigPolicy(org.mspId, R.ADMIN, R.CLIENT),
          Admins: sigPolicy(org.mspId, R.ADMIN),
          Endorsement: sigPolicy(org.mspId, R.PEER),
        }
      : {
          Readers: sigPolicy(org.mspId, R.MEMBER),
          Writers: sigPolicy(org.mspId, R.MEMBER),
          Admins: sigPolicy(org.mspId, R.ADMIN),
        };
  return group(values, policies);
}

/** etcdraft's ConfigMetadata: the consenters with their TLS certificates, and the options. */
function raftMetadata(consenters: RaftConsenter[], o: RaftOptions): Uint8Array {
  const meta = new orderer.etcdraft.ConfigMetadata();
  meta.setConsentersList(
    consenters.map((c) => {
      const x = new orderer.etcdraft.Consenter();
      x.setHost(c.host);
      x.setPort(c.port);
      x.setClientTlsCert(Buffer.from(c.clientTlsCert));
      x.setServerTlsCert(Buffer.from(c.serverTlsCert));
      return x;
    }),
  );
  const options = new orderer.etcdraft.Options();
  options.setTickInterval(o.tickInterval);
  options.setElectionTick(o.electionTick);
  options.setHeartbeatTick(o.heartbeatTick);
  options.setMaxInflightBlocks(o.maxInflightBlocks);
  options.setSnapshotIntervalSize(o.snapshotIntervalSizeBytes);
  meta.setOptions(options);
  return meta.serializeBinary();
}

/** The channel configuration (common.Config) for the given organisations. */
export function buildChannelConfig(spec: ChannelConfigSpec): common.Config {
  const appOrgs = Object.fromEntries(spec.orgs.filter((o) => o.kind === 'peer').map((o) => [o.mspId, orgGroup(o)]));
  const ordOrgs = Object.fromEntries(spec.orgs.filter((o) => o.kind === 'orderer').map((o) => [o.mspId, orgGroup(o)]));

  const application = group(
    { Capabilities: configValue(capabilities('V2_5')) },
    {
      Readers: implicitMeta('Readers', 'ANY'),
      Writers: implicitMeta('Writers', 'ANY'),
      Admins: implicitMeta('Admins', 'MAJORITY'),
      Endorsement: implicitMeta('Endorsement', 'MAJORITY'),
      LifecycleEndorsement: implicitMeta('Endorsement', 'MAJORITY'),
    },
    appOrgs,
  );

  const ct = new orderer.ConsensusType();
  ct.setType(spec.consensus.type);
  ct.setMetadata(raftMetadata(spec.consensus.consenters, spec.consensus.options));
  const bs = new orderer.BatchSize();
  bs.setMaxMessageCount(spec.batch.maxMessageCount);
  bs.setAbsoluteMaxBytes(spec.batch.absoluteMaxBytes);
  bs.setPreferredMaxBytes(spec.batch.preferredMaxBytes);
  const bt = new orderer.BatchTimeout();
  bt.setTimeout(spec.batch.timeout);
  const ordererGroup = group(
    {
      ConsensusType: configValue(ct.serializeBinary()),
      BatchSize: configValue(bs.serializeBinary()),
      BatchTimeout: configValue(bt.serializeBinary()),
      ChannelRestrictions: configValue(new orderer.ChannelRestrictions().serializeBinary()),
      Capabilities: configValue(capabilities('V2_0')),
    },
    {
      Readers: implicitMeta('Readers', 'ANY'),
      Writers: implicitMeta('Writers', 'ANY'),
      Admins: implicitMeta('Admins', 'MAJORITY'),
      BlockValidation: implicitMeta('Writers', 'ANY'),
    },
    ordOrgs,
  );

  const hashing = new common.HashingAlgorithm();
  hashing.setName('SHA256');
  const bdhs = new common.BlockDataHashingStructure();
  bdhs.setWidth(4294967295);
  const channel = group(
    {
      HashingAlgorithm: configValue(hashing.serializeBinary()),
      BlockDataHashingStructure: configValue(bdhs.serializeBinary()),
      Capabilities: configValue(capabilities('V2_0')),
    },
    {
      Readers: implicitMeta('Readers', 'ANY'),
      Writers: implicitMeta('Writers', 'ANY'),
      Admins: implicitMeta('Admins', 'MAJORITY'),
    },
    { Application: application, Orderer: ordererGroup },
  );
  const config = new common.Config();
  config.setSequence(0);
  config.setChannelGroup(channel);
  return config;
}

/**
 * The genesis CONFIG envelope as configtxgen writes it (common/genesis): channel header
 * version 1 with a whole-second timestamp, a signature header holding only a nonce, the tx
 * id SHA-256 of that nonce, and no signature.
 *
 * @example
 * const envelope = genesisConfigEnvelope('anxin', buildChannelConfig(spec), new Date());
 */
export function genesisConfigEnvelope(channelId: string, config: common.Config, timestamp: Date): Uint8Array {
  const nonce = randomBytes(24);
  const ch = new common.ChannelHeader();
  ch.setType(common.HeaderType.CONFIG);
  ch.setVersion(1);
  ch.setChannelId(channelId);
  ch.setTimestamp(toTimestamp(new Date(Math.floor(timestamp.getTime() / 1000) * 1000)));
  ch.setTxId(computeTxId(nonce, new Uint8Array(0)));
  ch.setEpoch(0);
  const sh = new common.SignatureHeader();
  sh.setNonce(nonce);
  const header = new common.Header();
  header.setChannelHeader(ch.serializeBinary());
  header.setSignatureHeader(sh.serializeBinary());
  const ce = new common.ConfigEnvelope();
  ce.setConfig(config);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(ce.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

export interface MspInfo {
  mspId: string;
  rootCerts: string[];
  intermediateCerts: string[];
  /** Node OU classification enabled, with the OU names for each role. */
  nodeOUs: { enabled: boolean; client?: string; peer?: string; admin?: string; orderer?: string };
  /** 'Application' or 'Orderer'. */
  section: string;
}

/** The MSPs named in a config (from a CONFIG envelope's ConfigEnvelope.config). */
export function mspsFromConfig(config: common.Config): MspInfo[] {
  const out: MspInfo[] = [];
  const channel = config.getChannelGroup();
  if (!channel) return out;
  for (const section of ['Application', 'Orderer']) {
    const g = channel.getGroupsMap().get(section);
    if (!g) continue;
    g.getGroupsMap().forEach((orgGroup: common.ConfigGroup) => {
      const v = orgGroup.getValuesMap().get('MSP');
      if (!v) return;
      const mc = msp.MSPConfig.deserializeBinary(v.getValue_asU8());
      if (mc.getType() !== 0) return; // idemix MSPs hold no X.509 roots
      const fm = msp.FabricMSPConfig.deserializeBinary(mc.getConfig_asU8());
      const ous = fm.getFabricNodeOus();
      out.push({
        mspId: fm.getName(),
        section,
        rootCerts: fm.getRootCertsList_asU8().map((c) => Buffer.from(c).toString('utf8')),
        intermediateCerts: fm.getIntermediateCertsList_asU8().map((c) => Buffer.from(c).toString('utf8')),
        nodeOUs: {
          enabled: !!ous?.getEnable(),
          client: ous?.getClientOuIdentifier()?.getOrganizationalUnitIdentifier(),
          peer: ous?.getPeerOuIdentifier()?.getOrganizationalUnitIdentifier(),
          admin: ous?.getAdminOuIdentifier()?.getOrganizationalUnitIdentifier(),
          orderer: ous?.getOrdererOuIdentifier()?.getOrganizationalUnitIdentifier(),
        },
      });
    });
  }
  return out;
}

/** The batch settings in a config, if any. */
export function batchFromConfig(config: common.Config): ChannelConfigSpec['batch'] | undefined {
  const ord = config.getChannelGroup()?.getGroupsMap().get('Orderer');
  const bs = ord?.getValuesMap().get('BatchSize');
  const bt = ord?.getValuesMap().get('BatchTimeout');
  if (!bs || !bt) return undefined;
  const size = orderer.BatchSize.deserializeBinary(bs.getValue_asU8());
  return {
    maxMessageCount: size.getMaxMessageCount(),
    absoluteMaxBytes: size.getAbsoluteMaxBytes(),
    preferredMaxBytes: size.getPreferredMaxBytes(),
    timeout: orderer.BatchTimeout.deserializeBinary(bt.getValue_asU8()).getTimeout(),
  };
}
