/**
 * The embedded ledger writes Fabric's own blocks: every block decoded with
 * @hyperledger/fabric-protos directly, the header hash chain and every data_hash
 * recomputed with our own DER + SHA-256, block 0 a CONFIG block whose MSP roots are the
 * crypto folder's CA certificates, every signature (creator, endorser, orderer) checked
 * with node:crypto against its certificate, and every certificate chained to its MSP's
 * roots.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { common, peer } from '@hyperledger/fabric-protos';
import { decodeBlock } from '@anxin/network';
import type { EmbeddedLedger } from '@anxin/network/embedded';
import {
  allBlocks,
  anchorCredential,
  auditChain,
  headerDer,
  identityOf,
  mspRootsOfConfigBlock,
  openLedger,
  registerIssuer,
  sha256,
  sign,
  statements,
  type AuditResult,
} from '../helpers';

const VALID = peer.TxValidationCode.VALID;
const MVCC = peer.TxValidationCode.MVCC_READ_CONFLICT;
const CODE_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(peer.TxValidationCode).map(([k, v]) => [v, k]),
);

function cacerts(mspDir: string): string[] {
  const dir = join(mspDir, 'cacerts');
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
}

describe('embedded ledger: block fidelity', () => {
  let ledger: EmbeddedLedger;
  let dir: string;
  let blocks: Uint8Array[];
  let audit: AuditResult;
  const submitted: Array<{ txId: string; result: Uint8Array; fn: string }> = [];
  let mvccLoser: string;

  before(async () => {
    // Real activity: several issuers, concurrent anchors (several transactions per block),
    // status changes, and one transaction invalidated by MVCC.
    let registrar;
    ({ ledger, dir, registrar } = await openLedger());
    const issuer = await registerIssuer(ledger, registrar);
    const platform = await registerIssuer(ledger, registrar, {
      kind: 'platform',
      allowedTypes: ['LaborContract'],
      alg: 'EdDSA',
    });
    const anchors = await Promise.all([
      ...Array.from({ length: 8 }, () => anchorCredential(ledger, issuer)),
      ...Array.from({ length: 4 }, () => anchorCredential(ledger, platform)),
    ]);
    for (const a of anchors) submitted.push({ txId: a.res.txId, result: a.res.result, fn: 'anchor' });
    const r = await ledger.submit('suspend', [
      await sign(statements.suspend(issuer.id, anchors[0]!.spec.id), issuer.key),
    ]);
    submitted.push({ txId: r.txId, result: r.result, fn: 'suspend' });
    const replay = await sign(statements.revoke(issuer.id, anchors[1]!.spec.id, 'fraud'), issuer.key);
    const race = await Promise.allSettled([ledger.submit('revoke', [replay]), ledger.submit('revoke', [replay])]);
    const loser = race.find((x): x is PromiseRejectedResult => x.status === 'rejected')!;
    mvccLoser = (loser.reason as { txId: string }).txId;
    blocks = await allBlocks(ledger);
    audit = auditChain(blocks);
  });
  after(() => ledger?.close());

  it('every block is a common.Block numbered 0…height-1, and blocks() gives the same bytes as block(n)', async () => {
    expect(blocks.length).to.equal(ledger.height).and.to.be.greaterThan(4);
    blocks.forEach((b, n) => {
      const block = common.Block.deserializeBinary(b);
      expect(block.getHeader()!.getNumber()).to.equal(n);
      expect(
        Buffer.from(block.serializeBinary()).equals(Buffer.from(b)),
        `block ${n} re-encodes to the same bytes`,
      ).to.equal(true);
      expect(Buffer.from(ledger.block(n)).equals(Buffer.from(b))).to.equal(true);
    });
  });

  it('our DER encoding of the header matches Go’s asn1.Marshal of Fabric’s asn1Header', () => {
    const zero32 = Buffer.alloc(32);
    const hex = (n: number | bigint, prev: Buffer) => headerDer(n, prev, zero32).toString('hex');
    expect(hex(0, Buffer.alloc(0))).to.equal('3027' + '020100' + '0400' + '0420' + '00'.repeat(32));
    expect(hex(127, zero32)).to.equal('3047' + '02017f' + '0420' + '00'.repeat(32) + '0420' + '00'.repeat(32));
    expect(hex(128, zero32).slice(4, 12)).to.equal('02020080');
    expect(hex(255, zero32).slice(4, 12)).to.equal('020200ff');
    expect(hex(256, zero32).slice(4, 12)).to.equal('02020100');
    expect(hex(2n ** 32n, zero32).slice(4, 18)).to.equal('02050100000000');
    expect(hex(2n ** 64n - 1n, zero32).slice(4, 26)).to.equal('020900ffffffffffffffff');
  });

  it('the header hash chain and every data_hash recompute independently', () => {
    expect(audit.problems).to.deep.equal([]);
    let prev: Buffer = Buffer.alloc(0);
    for (const [n, b] of blocks.entries()) {
      const h = common.Block.deserializeBinary(b).getHeader()!;
      expect(Buffer.from(h.getPreviousHash_asU8()).equals(prev), `block ${n} previous_hash`).to.equal(true);
      const data = common.Block.deserializeBinary(b).getData()!.getDataList_asU8();
      expect(Buffer.from(h.getDataHash_asU8()).equals(sha256(...data)), `block ${n} data_hash`).to.equal(true);
      prev = sha256(headerDer(n, h.getPreviousHash_asU8(), h.getDataHash_asU8()));
      // The project's decoder agrees with the independent computation.
      expect(decodeBlock(b).hash.equals(prev)).to.equal(true);
    }
  });

  it('info() names the last two header hashes', async () => {
    const info = await ledger.info();
    const hashes = blocks.map((b) => {
      const h = common.Block.deserializeBinary(b).getHeader()!;
      return sha256(headerDer(h.getNumber(), h.getPreviousHash_asU8(), h.getDataHash_asU8())).toString('hex');
    });
    expect(info).to.deep.equal({
      height: blocks.length,
      currentBlockHash: hashes.at(-1),
      previousBlockHash: hashes.at(-2),
    });
    expect(audit.lastHash).to.equal(hashes.at(-1));
  });

  it('block 0 is a CONFIG block whose MSP roots are the crypto folder’s CA certificates', () => {
    const b0 = common.Block.deserializeBinary(blocks[0]!);
    expect(b0.getData()!.getDataList_asU8()).to.have.length(1);
    const env = common.Envelope.deserializeBinary(b0.getData()!.getDataList_asU8()[0]!);
    const ch = common.ChannelHeader.deserializeBinary(
      common.Payload.deserializeBinary(env.getPayload_asU8()).getHeader()!.getChannelHeader_asU8(),
    );
    expect(ch.getType()).to.equal(common.HeaderType.CONFIG);
    expect(ch.getChannelId()).to.equal(ledger.channel);
    const roots = mspRootsOfConfigBlock(b0);
    const org1 = cacerts(join(dir, 'crypto', 'peerOrganizations', 'org1.anxin.local', 'msp'));
    const ord = cacerts(join(dir, 'crypto', 'ordererOrganizations', 'anxin.local', 'msp'));
    expect([...roots.keys()].sort()).to.deep.equal(['OrdererMSP', 'Org1MSP']);
    expect(roots.get('Org1MSP')).to.deep.equal(org1);
    expect(roots.get('OrdererMSP')).to.deep.equal(ord);
    for (const pem of [...org1, ...ord]) expect(new X509Certificate(pem).ca).to.equal(true);
  });

  it('every creator, endorsement and orderer signature verifies, every certificate chains to its MSP root', () => {
    // auditChain checks each with node:crypto (DER ECDSA P-256/SHA-256, low S).
    expect(audit.problems).to.deep.equal([]);
    const endorserTxs = audit.txs.filter((t) => t.type === common.HeaderType.ENDORSER_TRANSACTION);
    expect(endorserTxs.length).to.equal(
      blocks.slice(1).reduce((n, b) => n + common.Block.deserializeBinary(b).getData()!.getDataList_asU8().length, 0),
    );
    for (const t of endorserTxs) {
      expect(t.creator!.mspId).to.equal('Org1MSP');
      // The chaincode definition (block 1) is committed by the organisation's admin, as on
      // Fabric; every invocation by the gateway's client identity.
      expect(t.creator!.cert.subject).to.include(t.block === 1 ? 'OU=admin' : 'OU=client');
      expect(t.actions).to.have.length(1);
      for (const e of t.actions[0]!.endorsers) {
        expect(e.mspId).to.equal('Org1MSP');
        expect(e.cert.subject).to.include('OU=peer');
      }
    }
  });

  it('the auditor is not vacuous: one flipped byte in a signature, an envelope or a header is caught', () => {
    const n = 2;
    const block = common.Block.deserializeBinary(blocks[n]!);
    // Envelope signature.
    const env = common.Envelope.deserializeBinary(block.getData()!.getDataList_asU8()[0]!);
    const sig = Buffer.from(env.getSignature_asU8());
    sig[sig.length - 3]! ^= 0x01;
    env.setSignature(sig);
    const data = block.getData()!.getDataList_asU8().slice();
    data[0] = env.serializeBinary();
    const b1 = common.Block.deserializeBinary(blocks[n]!);
    b1.getData()!.setDataList(data);
    const tampered = [...blocks];
    tampered[n] = b1.serializeBinary();
    const r = auditChain(tampered).problems;
    expect(r).to.include(`block ${n}: data_hash mismatch`);
    expect(r).to.include(`block ${n} tx 0: creator signature does not verify`);
    // Header number.
    const b2 = common.Block.deserializeBinary(blocks[n]!);
    b2.getHeader()!.setNumber(n + 100);
    const t2 = [...blocks];
    t2[n] = b2.serializeBinary();
    expect(auditChain(t2).problems).to.include.members([
      `block ${n}: header number ${n + 100}`,
      `block ${n + 1}: previous_hash does not chain`,
    ]);
  });

  it('TxID = hex(SHA-256(nonce || creator)) for every transaction', () => {
    for (const t of audit.txs.filter((x) => x.type === common.HeaderType.ENDORSER_TRANSACTION)) {
      expect(t.txId).to.equal(createHash('sha256').update(t.nonce).update(t.creator!.bytes).digest('hex'));
      expect(t.nonce.length).to.be.at.least(24);
    }
  });

  it('TRANSACTIONS_FILTER holds one code per transaction, the same the ledger reports, MVCC conflicts included', () => {
    expect(audit.problems.filter((p) => p.includes('TRANSACTIONS_FILTER'))).to.deep.equal([]);
    for (const t of audit.txs.filter((x) => x.block > 0)) {
      expect(ledger.transaction(t.txId), t.txId).to.deep.equal({
        block: t.block,
        index: t.index,
        code: CODE_NAME[t.code],
      });
    }
    const loser = audit.txs.find((t) => t.txId === mvccLoser)!;
    expect(loser.code).to.equal(MVCC);
    expect(audit.txs.filter((t) => t.code !== VALID).map((t) => t.txId)).to.deep.equal([mvccLoser]);
    // Several transactions per block: the concurrent anchors were batched.
    const counts = blocks.map((b) => common.Block.deserializeBinary(b).getData()!.getDataList_asU8().length);
    expect(Math.max(...counts)).to.be.greaterThan(1);
  });

  it('each action names the chaincode, carries the response the client got, and its proposal hash', () => {
    for (const s of submitted) {
      const t = audit.txs.find((x) => x.txId === s.txId)!;
      const { prp, cca } = t.actions[0]!;
      expect(cca.getChaincodeId()!.getName()).to.equal(ledger.descriptor.chaincode.name);
      expect(cca.getResponse()!.getStatus()).to.equal(200);
      expect(Buffer.from(cca.getResponse()!.getPayload_asU8()).equals(Buffer.from(s.result))).to.equal(true);
      expect(prp.getProposalHash_asU8()).to.have.length(32);
      const ev = peer.ChaincodeEvent.deserializeBinary(cca.getEvents_asU8());
      expect(ev.getTxId()).to.equal(s.txId);
      expect(ev.getChaincodeId()).to.equal(ledger.descriptor.chaincode.name);
    }
  });

  it('the orderer’s SIGNATURES metadata carries OrdererBlockMetadata naming block 0 as the last config', () => {
    for (const [n, b] of blocks.entries()) {
      const meta = common.Block.deserializeBinary(b).getMetadata()!.getMetadataList_asU8();
      const sigs = common.Metadata.deserializeBinary(meta[common.BlockMetadataIndex.SIGNATURES]!);
      // configtxgen's genesis block is unsigned; the orderer signs every block it cuts.
      expect(sigs.getSignaturesList()).to.have.length(n === 0 ? 0 : 1);
      if (n === 0) continue;
      const obm = common.OrdererBlockMetadata.deserializeBinary(sigs.getValue_asU8());
      expect(obm.getLastConfig()!.getIndex()).to.equal(0);
      const sh = common.SignatureHeader.deserializeBinary(sigs.getSignaturesList()[0]!.getSignatureHeader_asU8());
      expect(identityOf(sh.getCreator_asU8()).cert.subject).to.include('OU=orderer');
    }
  });
});
