/**
 * The embedded ledger's blocks compared field by field with a real Fabric 2.5.12 peer's.
 *
 * The reference is fixtures/fabric-2.5.12.anxblocks: the blocks 0–11 of a channel made by
 * network/fabric's scripts (configtxgen's genesis block; the chaincode approved, committed,
 * initialised and invoked — anchors, several per block, a suspension, a revocation that lost
 * an MVCC race — then upgraded to sequence 2 with `deploy.sh` and invoked again), as
 * `anxin export --fabric` wrote them from peer0.org1.
 *
 * Checked against it: the COMMIT_HASH computation (every hash the peer wrote recomputed);
 * block 0 (unsigned, channel header version 1, the same metadata bytes, the same channel
 * configuration tree — etcdraft, NodeOU role policies, capabilities, ACLs — up to the
 * addresses and the batch size); an invocation's shape (the `_lifecycle` read first); the
 * chaincode definition's and the upgrade's writes, byte for byte.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { common, ledger as lpb, msp, orderer, peer } from '@hyperledger/fabric-protos';
import {
  TxValidationCode,
  commitHash,
  commitHashOfBlock,
  decodeBlock,
  updateBatchBytes,
  type DecodedBlock,
} from '@anxin/network';
import { EmbeddedLedger } from '@anxin/network/embedded';
import { readExport } from '@anxin/cli';
import {
  allBlocks,
  anchorCredential,
  anchorSpec,
  json,
  openLedger,
  registerIssuer,
  sign,
  statements,
  type OpenedLedger,
} from '../helpers';

/** What the contract's checkDigest answers (the part read here). */
interface AnchorCheck {
  match: boolean;
}

const FIXTURE = join(__dirname, '..', '..', 'src', 'network', 'fixtures', 'fabric-2.5.12.anxblocks');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What the commit hash of `b` should be, chained on `previous`: the peer's computation. */
function expectedCommitHash(b: DecodedBlock, previous: Uint8Array): Buffer {
  const valid = b.transactions
    .filter((t) => t.validationCode === TxValidationCode.VALID)
    .map((t) => ({ index: t.index, rwsets: t.actions.flatMap((a) => a.rwsets) }));
  return commitHash(previous, b.txFilter, updateBatchBytes(b.number, valid));
}

/** Every block's recorded COMMIT_HASH against the recomputed chain; returns how many matched. */
function checkCommitHashes(frames: Uint8Array[]): number {
  let previous: Uint8Array = new Uint8Array(0);
  let matched = 0;
  for (const [n, f] of frames.entries()) {
    const recorded = commitHashOfBlock(common.Block.deserializeBinary(f));
    if (n === 0) {
      expect(recorded, 'block 0 has no commit hash').to.equal(undefined);
      continue;
    }
    expect(recorded, `block ${n} has a commit hash`).to.not.equal(undefined);
    const computed = expectedCommitHash(decodeBlock(f), previous);
    expect(hex(recorded!), `block ${n} commit hash`).to.equal(hex(computed));
    previous = computed;
    matched++;
  }
  return matched;
}

type Tree = { [k: string]: unknown };

function policyTree(p: common.Policy): Tree {
  const out: Tree = { type: p.getType() };
  if (p.getType() === common.Policy.PolicyType.SIGNATURE) {
    const env = common.SignaturePolicyEnvelope.deserializeBinary(p.getValue_asU8());
    out.identities = env.getIdentitiesList().map((i) => {
      const r = msp.MSPRole.deserializeBinary(i.getPrincipal_asU8());
      return [i.getPrincipalClassification(), r.getMspIdentifier(), r.getRole()];
    });
    out.rule = env.getRule()!.toObject();
  } else {
    out.meta = common.ImplicitMetaPolicy.deserializeBinary(p.getValue_asU8()).toObject();
  }
  return out;
}

/** The values configtxgen writes, decoded; addresses and certificates masked (they name the machine). */
function valueTree(key: string, v: common.ConfigValue): Tree {
  const bytes = v.getValue_asU8();
  let value: unknown;
  switch (key) {
    case 'MSP': {
      const m = msp.MSPConfig.deserializeBinary(bytes);
      const f = msp.FabricMSPConfig.deserializeBinary(m.getConfig_asU8()).toObject();
      const ous = f.fabricNodeOus;
      value = {
        type: m.getType(),
        name: f.name,
        roots: f.rootCertsList.length,
        tlsRoots: f.tlsRootCertsList.length,
        admins: f.adminsList.length,
        intermediates: f.intermediateCertsList.length,
        crypto: f.cryptoConfig,
        nodeOus: ous && {
          enable: ous.enable,
          ...Object.fromEntries(
            (['clientOuIdentifier', 'peerOuIdentifier', 'adminOuIdentifier', 'ordererOuIdentifier'] as const).map(
              (k) => [k, ous[k]?.organizationalUnitIdentifier],
            ),
          ),
        },
      };
      break;
    }
    case 'ConsensusType': {
      const ct = orderer.ConsensusType.deserializeBinary(bytes);
      const md = orderer.etcdraft.ConfigMetadata.deserializeBinary(ct.getMetadata_asU8());
      value = {
        type: ct.getType(),
        state: ct.getState(),
        consenters: md.getConsentersList().map((c) => ({
          clientTls: c.getClientTlsCert_asU8().length > 0,
          serverTls: c.getServerTlsCert_asU8().length > 0,
        })),
        options: md.getOptions()!.toObject(),
      };
      break;
    }
    case 'BatchSize': {
      const o = orderer.BatchSize.deserializeBinary(bytes).toObject();
      value = { absoluteMaxBytes: o.absoluteMaxBytes, preferredMaxBytes: o.preferredMaxBytes };
      break;
    }
    case 'OrdererAddresses':
    case 'Endpoints':
      value = common.OrdererAddresses.deserializeBinary(bytes).getAddressesList().length;
      break;
    case 'AnchorPeers':
      value = peer.AnchorPeers.deserializeBinary(bytes).getAnchorPeersList().length;
      break;
    case 'Capabilities':
      value = [...common.Capabilities.deserializeBinary(bytes).getCapabilitiesMap().keys()].sort();
      break;
    case 'ACLs':
      value = Object.fromEntries(
        [...peer.ACLs.deserializeBinary(bytes).getAclsMap().entries()].map(([k, a]) => [k, a.getPolicyRef()]),
      );
      break;
    case 'HashingAlgorithm':
      value = common.HashingAlgorithm.deserializeBinary(bytes).getName();
      break;
    case 'BlockDataHashingStructure':
      value = common.BlockDataHashingStructure.deserializeBinary(bytes).getWidth();
      break;
    case 'BatchTimeout':
      value = orderer.BatchTimeout.deserializeBinary(bytes).getTimeout();
      break;
    default:
      value = hex(bytes);
  }
  return { modPolicy: v.getModPolicy(), version: v.getVersion(), value };
}

function groupTree(g: common.ConfigGroup): Tree {
  const sorted = <T>(m: { entries(): Iterable<[string, T]> }) =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    modPolicy: g.getModPolicy(),
    version: g.getVersion(),
    groups: Object.fromEntries(sorted(g.getGroupsMap()).map(([k, v]) => [k, groupTree(v)])),
    values: Object.fromEntries(sorted(g.getValuesMap()).map(([k, v]) => [k, valueTree(k, v)])),
    policies: Object.fromEntries(
      sorted(g.getPoliciesMap()).map(([k, v]) => [
        k,
        { modPolicy: v.getModPolicy(), version: v.getVersion(), policy: policyTree(v.getPolicy()!) },
      ]),
    ),
  };
}

/** Block 0 as fields: the envelope's headers and signature, the metadata, the configuration tree. */
function genesisFields(bytes: Uint8Array) {
  const b = common.Block.deserializeBinary(bytes);
  const env = common.Envelope.deserializeBinary(b.getData()!.getDataList_asU8()[0]!);
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
  const sh = common.SignatureHeader.deserializeBinary(payload.getHeader()!.getSignatureHeader_asU8());
  const ce = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
  return {
    transactions: b.getData()!.getDataList_asU8().length,
    metadata: b.getMetadata()!.getMetadataList_asU8().map(hex),
    signature: hex(env.getSignature_asU8()),
    channelHeader: {
      type: ch.getType(),
      version: ch.getVersion(),
      epoch: ch.getEpoch(),
      nanos: ch.getTimestamp()!.getNanos(),
      txIdOfNonce: ch.getTxId() === createHash('sha256').update(sh.getNonce_asU8()).digest('hex'),
      extension: hex(ch.getExtension_asU8()),
      tlsCertHash: hex(ch.getTlsCertHash_asU8()),
    },
    signatureHeader: { creator: hex(sh.getCreator_asU8()), nonce: sh.getNonce_asU8().length },
    lastUpdate: ce.hasLastUpdate(),
    sequence: ce.getConfig()!.getSequence(),
    config: groupTree(ce.getConfig()!.getChannelGroup()!),
  };
}

/** One endorser transaction as fields: headers, proposal, action and its read-write set's shape. */
function txFields(envelope: Uint8Array) {
  const env = common.Envelope.deserializeBinary(envelope);
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
  const sh = common.SignatureHeader.deserializeBinary(payload.getHeader()!.getSignatureHeader_asU8());
  const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const action = tx.getActionsList()[0]!;
  const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const cpp = peer.ChaincodeProposalPayload.deserializeBinary(cap.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(cpp.getInput_asU8()).getChaincodeSpec()!;
  const prp = peer.ProposalResponsePayload.deserializeBinary(cap.getAction()!.getProposalResponsePayload_asU8());
  const cca = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const rw = lpb.rwset.TxReadWriteSet.deserializeBinary(cca.getResults_asU8());
  return {
    signed: env.getSignature_asU8().length > 0,
    actions: tx.getActionsList().length,
    channelHeader: {
      type: ch.getType(),
      version: ch.getVersion(),
      epoch: ch.getEpoch(),
      extension: peer.ChaincodeHeaderExtension.deserializeBinary(ch.getExtension_asU8()).toObject(),
      tlsCertHash: ch.getTlsCertHash_asU8().length,
    },
    nonce: sh.getNonce_asU8().length,
    actionHeaderIsTheTxHeader: hex(action.getHeader_asU8()) === hex(payload.getHeader()!.getSignatureHeader_asU8()),
    proposal: {
      transient: cpp.getTransientmapMap().getLength(),
      type: spec.getType(),
      chaincodeId: spec.getChaincodeId()!.toObject(),
      args: spec.getInput()!.getArgsList().length,
      isInit: spec.getInput()!.getIsInit(),
    },
    endorsements: cap.getAction()!.getEndorsementsList().length,
    action: {
      chaincodeId: { name: cca.getChaincodeId()!.getName(), path: cca.getChaincodeId()!.getPath() },
      status: cca.getResponse()!.getStatus(),
      event: cca.getEvents_asU8().length > 0,
      dataModel: rw.getDataModel(),
      namespaces: rw.getNsRwsetList().map((n) => {
        const kv = lpb.rwset.kvrwset.KVRWSet.deserializeBinary(n.getRwset_asU8());
        return {
          namespace: n.getNamespace(),
          reads: kv.getReadsList().map((r) => r.getKey()),
          writes: kv.getWritesList().map((w) => w.getKey()),
          rangeQueries: kv.getRangeQueriesInfoList().length,
          metadataWrites: kv.getMetadataWritesList().length,
        };
      }),
    },
  };
}

/** The public `_lifecycle` writes of a transaction, key → hex value. */
function lifecycleWrites(b: DecodedBlock): Record<string, string> {
  const set = b.transactions[0]!.actions[0]!.rwsets.find((s) => s.namespace === '_lifecycle')!;
  return Object.fromEntries(set.writes.map((w) => [w.key, hex(w.value)]));
}

function lifecycleReads(b: DecodedBlock): Array<{ key: string; version?: { block: number; tx: number } }> {
  return b.transactions[0]!.actions[0]!.rwsets.find((s) => s.namespace === '_lifecycle')!.reads;
}

const chaincodeOf = (b: DecodedBlock) => b.transactions[0]?.actions[0]?.chaincode.name;

describe('embedded ledger: blocks as a Fabric 2.5.12 peer makes them', function () {
  this.timeout(120_000);
  let fabric: Uint8Array[];
  let fabricDecoded: DecodedBlock[];
  let L: OpenedLedger;
  let blocks: Uint8Array[];
  let decoded: DecodedBlock[];
  const anchors: Array<{ id: string; digest: string }> = [];
  let upgrade: { sequence: number; block: number; txId: string };

  before(async () => {
    fabric = readExport(FIXTURE).frames;
    fabricDecoded = fabric.map((f) => decodeBlock(f));
    L = await openLedger();
    const issuer = await registerIssuer(L.ledger, L.registrar);
    const first = await Promise.all(Array.from({ length: 4 }, () => anchorCredential(L.ledger, issuer)));
    upgrade = await L.ledger.upgradeChaincode('2');
    const second = await Promise.all(Array.from({ length: 2 }, () => anchorCredential(L.ledger, issuer)));
    for (const a of [...first, ...second]) anchors.push({ id: a.spec.id, digest: a.spec.digest });
    blocks = await allBlocks(L.ledger);
    decoded = blocks.map((b) => decodeBlock(b));
  });
  after(() => L?.ledger.close());

  it('the commit-hash computation reproduces every COMMIT_HASH the peer wrote (hashed private writes and an MVCC loser included)', () => {
    // Not vacuous: the reference has private-data hashes, an invalid transaction and an upgrade.
    expect(fabricDecoded.some((b) => b.transactions.some((t) => t.validationCode !== TxValidationCode.VALID))).to.equal(
      true,
    );
    expect(
      fabricDecoded.some((b) =>
        b.transactions.some((t) =>
          t.actions.some((a) => a.rwsets.some((s) => s.collections?.some((c) => c.writes.length))),
        ),
      ),
    ).to.equal(true);
    expect(checkCommitHashes(fabric)).to.equal(fabric.length - 1);
  });

  it('every embedded block after 0 carries COMMIT_HASH, chained as the peer chains it', () => {
    expect(checkCommitHashes(blocks)).to.equal(blocks.length - 1);
    // The slots as the peer fills them: SIGNATURES, TRANSACTIONS_FILTER and COMMIT_HASH set; LAST_CONFIG, ORDERER empty.
    const shape = (f: Uint8Array) =>
      common.Block.deserializeBinary(f)
        .getMetadata()!
        .getMetadataList_asU8()
        .map((m) => m.length > 0);
    for (const f of blocks.slice(1)) expect(shape(f)).to.deep.equal(shape(fabric[3]!));
  });

  it('block 0 is what configtxgen writes: unsigned, version 1, the same metadata and configuration tree', () => {
    const ours = genesisFields(blocks[0]!);
    const theirs = genesisFields(fabric[0]!);
    expect(ours.signature).to.equal('');
    expect(ours.signatureHeader.creator).to.equal('');
    expect(ours.channelHeader.version).to.equal(1);
    expect(ours.config.groups).to.have.nested.property('Orderer.values.ConsensusType');
    expect(ours).to.deep.equal(theirs);
  });

  it('the organisations’ policies are NodeOU roles, the consensus etcdraft with configtx.yaml’s options', () => {
    const config = genesisFields(blocks[0]!).config as Tree & {
      groups: Record<string, Tree & { groups: Record<string, Tree> }>;
    };
    const org1 = config.groups.Application!.groups.Org1MSP as { policies: Record<string, { policy: Tree }> };
    const R = msp.MSPRole.MSPRoleType;
    const roles = (p: string) =>
      (org1.policies[p]!.policy.identities as Array<[number, string, number]>).map((i) => i[2]);
    expect(roles('Readers')).to.deep.equal([R.ADMIN, R.PEER, R.CLIENT]);
    expect(roles('Writers')).to.deep.equal([R.ADMIN, R.CLIENT]);
    expect(roles('Admins')).to.deep.equal([R.ADMIN]);
    expect(roles('Endorsement')).to.deep.equal([R.PEER]);
    const consensus = (config.groups.Orderer!.values as Record<string, { value: Tree }>).ConsensusType!.value;
    expect(consensus.type).to.equal('etcdraft');
    expect(consensus.consenters).to.have.length(1);
  });

  it('an invocation has the peer’s shape: the `_lifecycle` Sequence read at the definition’s version, then the chaincode’s', () => {
    const ourInit = decoded.findIndex((b) => chaincodeOf(b) === 'anxin');
    const theirInit = fabricDecoded.findIndex((b) => chaincodeOf(b) === 'anxin');
    const firstTx = (f: Uint8Array) => common.Block.deserializeBinary(f).getData()!.getDataList_asU8()[0]!;
    const ours = txFields(firstTx(blocks[ourInit]!));
    const theirs = txFields(firstTx(fabric[theirInit]!));
    expect(ours).to.deep.equal(theirs);
    // The read names the version of the transaction that committed the definition.
    const definition = decoded.findIndex((b) => chaincodeOf(b) === '_lifecycle');
    expect(lifecycleReads(decoded[ourInit]!)).to.deep.equal([
      { key: 'namespaces/fields/anxin/Sequence', version: { block: definition, tx: 0 } },
    ]);
  });

  it('the chaincode definition writes what Fabric’s lifecycle writes, byte for byte', () => {
    const ours = decoded.find((b) => chaincodeOf(b) === '_lifecycle')!;
    const theirs = fabricDecoded.find(
      (b) => chaincodeOf(b) === '_lifecycle' && Object.keys(lifecycleWrites(b)).length > 0,
    )!;
    expect(lifecycleWrites(ours)).to.deep.equal(lifecycleWrites(theirs));
    expect(lifecycleReads(ours)).to.deep.equal(lifecycleReads(theirs));
    expect(ours.transactions[0]!.actions[0]!.chaincode.version).to.equal('syscc');
  });

  it('an upgrade (next sequence) writes what Fabric’s does; later invocations read the new sequence and carry the new version', () => {
    expect(upgrade.sequence).to.equal(2);
    const ours = decoded[upgrade.block]!;
    const definitions = fabricDecoded.filter(
      (b) => chaincodeOf(b) === '_lifecycle' && Object.keys(lifecycleWrites(b)).length > 0,
    );
    const theirs = definitions[1]!;
    expect(lifecycleWrites(ours)).to.deep.equal(lifecycleWrites(theirs));
    const keys = (b: DecodedBlock) => lifecycleReads(b).map((r) => r.key);
    expect(keys(ours)).to.deep.equal(keys(theirs));
    const later = decoded.slice(upgrade.block + 1).filter((b) => chaincodeOf(b) === 'anxin');
    expect(later.length).to.be.greaterThan(0);
    for (const b of later)
      for (const t of b.transactions) {
        expect(t.actions[0]!.chaincode.version).to.equal('2');
        expect(lifecycleReads(b)).to.deep.equal([
          { key: 'namespaces/fields/anxin/Sequence', version: { block: upgrade.block, tx: 0 } },
        ]);
      }
  });

  it('every credential anchored before and after the upgrade still checks out', async () => {
    for (const a of anchors) {
      const check = json<AnchorCheck>(await L.ledger.evaluate('checkDigest', [a.id, a.digest]));
      expect(check.match, a.id).to.equal(true);
    }
  });

  it('a transaction endorsed under one definition and ordered after the next fails MVCC_READ_CONFLICT, as on Fabric', async () => {
    // The ledger's own endorsement and ordering steps, taken apart so that an upgrade commits
    // between them (what a busy channel does by chance).
    const steps = L.ledger as unknown as {
      endorse(req: {
        fn: string;
        args: string[];
        timestamp: number;
      }): Promise<{ ok: true; txId: string; envelope: Uint8Array; rwsets: unknown[] } | { ok: false }>;
      order(tx: { txId: string; envelope: Uint8Array; rwsets: unknown[]; timestamp: Date }): Promise<{ code: number }>;
    };
    const issuer = await registerIssuer(L.ledger, L.registrar);
    const spec = anchorSpec(issuer.key, { type: issuer.spec.allowedTypes[0]! });
    const jws = await sign(statements.anchor(issuer.id, spec), issuer.key);
    const out = await steps.endorse({ fn: 'anchor', args: [jws], timestamp: Date.now() });
    expect(out.ok).to.equal(true);
    if (!out.ok) return;
    const next = await L.ledger.upgradeChaincode('3');
    expect(next.sequence).to.equal(3);
    const status = await steps.order({
      txId: out.txId,
      envelope: out.envelope,
      rwsets: out.rwsets,
      timestamp: new Date(),
    });
    expect(status.code).to.equal(TxValidationCode.MVCC_READ_CONFLICT);
    // Endorsed again, under the new definition, the same statement commits.
    const again = await L.ledger.submit('anchor', [jws]);
    expect(again.code).to.equal('VALID');
  });

  it('reopened, the ledger goes on with the chain and keeps its definition', async () => {
    await L.ledger.close();
    const reopened = await EmbeddedLedger.open(L.dir, { batch: { timeoutMs: 5 } });
    L.ledger = reopened;
    const issuer = await registerIssuer(reopened, L.registrar);
    await anchorCredential(reopened, issuer);
    const all = await allBlocks(reopened);
    expect(checkCommitHashes(all)).to.equal(all.length - 1);
    // No new definition at open: the committed version ('3') is kept.
    expect(all.map((b) => chaincodeOf(decodeBlock(b))).filter((c) => c === '_lifecycle')).to.have.length(3);
    const last = decodeBlock(all.at(-1)!);
    expect(last.transactions[0]!.actions[0]!.chaincode.version).to.equal('3');
  });
});
