/**
 * An independent check of Fabric blocks, written from Fabric's definitions and nothing
 * of the project's: protobufs decoded with @hyperledger/fabric-protos directly, the
 * header hash over our own ASN.1 DER encoding, signatures checked with node:crypto
 * against the certificates in the SerializedIdentities, certificates chained to the MSP
 * roots found in the config block. The CLI's replay and the crash tests reuse it.
 */
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

// ---------------------------------------------------------------- ASN.1 DER (X.690), just what the header needs

function derLen(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 + bytes.length, ...bytes]);
}

/** INTEGER of a non-negative number: minimal two's complement, big-endian. */
function derInteger(n: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return Buffer.concat([Buffer.from([0x02]), derLen(bytes.length), Buffer.from(bytes)]);
}

function derOctets(b: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x04]), derLen(b.length), Buffer.from(b)]);
}

/**
 * Fabric's protoutil.BlockHeaderBytes: asn1.Marshal(struct{ Number *big.Int; PreviousHash,
 * DataHash []byte }) = SEQUENCE { INTEGER, OCTET STRING, OCTET STRING }.
 */
export function headerDer(number: bigint | number, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  const body = Buffer.concat([derInteger(BigInt(number)), derOctets(previousHash), derOctets(dataHash)]);
  return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
}

// ---------------------------------------------------------------- signatures and certificates

const P256_HALF_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n >> 1n;

/** S of a DER ECDSA signature, or undefined when it is not SEQUENCE { INTEGER r, INTEGER s }. */
export function ecdsaS(sig: Uint8Array): bigint | undefined {
  const b = Buffer.from(sig);
  if (b[0] !== 0x30 || b[1]! >= 0x80 || b[1]! + 2 !== b.length) return undefined;
  let at = 2;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (b[at] !== 0x02) return undefined;
    const len = b[at + 1]!;
    ints.push(BigInt(`0x${b.subarray(at + 2, at + 2 + len).toString('hex') || '0'}`));
    at += 2 + len;
  }
  return at === b.length ? ints[1] : undefined;
}

/** Fabric's check: a valid ECDSA P-256/SHA-256 DER signature with low S. */
export function fabricSignatureValid(cert: X509Certificate, message: Uint8Array, sig: Uint8Array): boolean {
  const s = ecdsaS(sig);
  if (s === undefined || s > P256_HALF_N) return false;
  return cryptoVerify('sha256', message, { key: cert.publicKey, dsaEncoding: 'der' }, sig);
}

export interface Identity {
  mspId: string;
  cert: X509Certificate;
  bytes: Uint8Array;
}

export function identityOf(serialized: Uint8Array): Identity {
  const id = msp.SerializedIdentity.deserializeBinary(serialized);
  return { mspId: id.getMspid(), cert: new X509Certificate(Buffer.from(id.getIdBytes_asU8())), bytes: serialized };
}

/** Whether `cert` was issued and signed by one of `roots`, and is within its validity at `at`. */
export function chainsTo(cert: X509Certificate, roots: X509Certificate[], at = new Date()): boolean {
  const valid = (c: X509Certificate) =>
    Date.parse(c.validFrom) <= at.getTime() && at.getTime() <= Date.parse(c.validTo);
  return valid(cert) && roots.some((r) => r.ca && valid(r) && cert.checkIssued(r) && cert.verify(r.publicKey));
}

// ---------------------------------------------------------------- the config block

/** MSP id → root certificates (PEM), read from a CONFIG block through ConfigEnvelope → MSPConfig → FabricMSPConfig. */
export function mspRootsOfConfigBlock(block: common.Block): Map<string, string[]> {
  const env = common.Envelope.deserializeBinary(block.getData()!.getDataList_asU8()[0]!);
  const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
  const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
  if (ch.getType() !== common.HeaderType.CONFIG)
    throw new Error(`block 0 carries a ${ch.getType()} envelope, not CONFIG`);
  const config = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8()).getConfig()!;
  const out = new Map<string, string[]>();
  const channel = config.getChannelGroup()!;
  for (const section of ['Application', 'Orderer']) {
    channel
      .getGroupsMap()
      .get(section)
      ?.getGroupsMap()
      .forEach((org: common.ConfigGroup) => {
        const value = org.getValuesMap().get('MSP');
        if (!value) return;
        const mc = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
        const fm = msp.FabricMSPConfig.deserializeBinary(mc.getConfig_asU8());
        out.set(
          fm.getName(),
          fm.getRootCertsList_asU8().map((c) => Buffer.from(c).toString('utf8')),
        );
      });
  }
  return out;
}

// ---------------------------------------------------------------- the whole chain

export interface AuditedTx {
  block: number;
  index: number;
  txId: string;
  /** peer.TxValidationCode from TRANSACTIONS_FILTER. */
  code: number;
  type: number;
  nonce: Uint8Array;
  /** The envelope's creator; none for configtxgen's unsigned genesis envelope. */
  creator?: Identity;
  /** Endorsed actions' decoded parts (endorser transactions only). */
  actions: Array<{ prp: peer.ProposalResponsePayload; cca: peer.ChaincodeAction; endorsers: Identity[] }>;
}

export interface AuditResult {
  height: number;
  /** Hash (hex) of the last block's header. */
  lastHash: string;
  /** Every problem found, with block (and transaction) where; empty when the chain is sound. */
  problems: string[];
  txs: AuditedTx[];
  roots: Map<string, string[]>;
}

/**
 * Check a chain of raw blocks from block 0: numbers, header hash chain, data hashes,
 * transaction filter, orderer signatures, each envelope's creator signature, tx id and
 * endorsements, and every certificate against the MSP roots of block 0.
 */
export function auditChain(blocks: Uint8Array[], at = new Date()): AuditResult {
  const problems: string[] = [];
  const txs: AuditedTx[] = [];
  let roots = new Map<string, string[]>();
  let rootCerts = new Map<string, X509Certificate[]>();
  let prevHash: Buffer = Buffer.alloc(0);
  const checkIdentity = (where: string, id: Identity) => {
    const r = rootCerts.get(id.mspId);
    if (!r) problems.push(`${where}: MSP ${id.mspId} is not in the config block`);
    else if (!chainsTo(id.cert, r, at)) problems.push(`${where}: certificate does not chain to ${id.mspId}'s roots`);
  };

  blocks.forEach((bytes, n) => {
    const block = common.Block.deserializeBinary(bytes);
    const header = block.getHeader()!;
    const data = block.getData()!.getDataList_asU8();
    const meta = block.getMetadata()!.getMetadataList_asU8();
    if (header.getNumber() !== n) problems.push(`block ${n}: header number ${header.getNumber()}`);
    if (!Buffer.from(header.getPreviousHash_asU8()).equals(prevHash))
      problems.push(`block ${n}: previous_hash does not chain`);
    if (!Buffer.from(header.getDataHash_asU8()).equals(sha256(...data)))
      problems.push(`block ${n}: data_hash mismatch`);
    const headerBytes = headerDer(header.getNumber(), header.getPreviousHash_asU8(), header.getDataHash_asU8());
    prevHash = sha256(headerBytes);

    if (n === 0) {
      try {
        roots = mspRootsOfConfigBlock(block);
        rootCerts = new Map([...roots].map(([id, pems]) => [id, pems.map((p) => new X509Certificate(p))]));
      } catch (e) {
        problems.push(`block 0: ${(e as Error).message}`);
      }
    }

    const filter = meta[2] ?? new Uint8Array();
    if (filter.length !== data.length)
      problems.push(`block ${n}: TRANSACTIONS_FILTER has ${filter.length} codes for ${data.length} transactions`);

    // Orderer signature(s) over value || signature_header || header bytes; configtxgen's genesis block has none.
    const sigMeta = common.Metadata.deserializeBinary(meta[0] ?? new Uint8Array());
    if (sigMeta.getSignaturesList().length === 0 && n > 0) problems.push(`block ${n}: no orderer signature`);
    for (const ms of sigMeta.getSignaturesList()) {
      const sh = common.SignatureHeader.deserializeBinary(ms.getSignatureHeader_asU8());
      const signer = identityOf(sh.getCreator_asU8());
      checkIdentity(`block ${n} orderer signature`, signer);
      const signed = Buffer.concat([sigMeta.getValue_asU8(), ms.getSignatureHeader_asU8(), headerBytes]);
      if (!fabricSignatureValid(signer.cert, signed, ms.getSignature_asU8()))
        problems.push(`block ${n}: orderer signature does not verify`);
    }

    data.forEach((envBytes, index) => {
      const where = `block ${n} tx ${index}`;
      const env = common.Envelope.deserializeBinary(envBytes);
      const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
      const ch = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
      const sh = common.SignatureHeader.deserializeBinary(payload.getHeader()!.getSignatureHeader_asU8());
      // configtxgen writes the genesis envelope with no creator and no signature.
      const unsignedGenesis =
        n === 0 &&
        ch.getType() === common.HeaderType.CONFIG &&
        !sh.getCreator_asU8().length &&
        !env.getSignature_asU8().length;
      const creator = unsignedGenesis ? undefined : identityOf(sh.getCreator_asU8());
      if (creator) {
        checkIdentity(`${where} creator`, creator);
        if (!fabricSignatureValid(creator.cert, env.getPayload_asU8(), env.getSignature_asU8()))
          problems.push(`${where}: creator signature does not verify`);
      }
      const tx: AuditedTx = {
        block: n,
        index,
        txId: ch.getTxId(),
        code: filter[index] ?? -1,
        type: ch.getType(),
        nonce: sh.getNonce_asU8(),
        ...(creator ? { creator } : {}),
        actions: [],
      };
      if (ch.getType() === common.HeaderType.ENDORSER_TRANSACTION) {
        if (ch.getTxId() !== sha256(sh.getNonce_asU8(), sh.getCreator_asU8()).toString('hex'))
          problems.push(`${where}: TxID is not sha256(nonce || creator)`);
        const t = peer.Transaction.deserializeBinary(payload.getData_asU8());
        for (const ta of t.getActionsList()) {
          const cap = peer.ChaincodeActionPayload.deserializeBinary(ta.getPayload_asU8());
          const cea = cap.getAction()!;
          const prpBytes = cea.getProposalResponsePayload_asU8();
          const prp = peer.ProposalResponsePayload.deserializeBinary(prpBytes);
          const cca = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
          // The proposal hash covers channel header, signature header and the proposal payload.
          const ph = sha256(
            payload.getHeader()!.getChannelHeader_asU8(),
            ta.getHeader_asU8(),
            cap.getChaincodeProposalPayload_asU8(),
          );
          if (!ph.equals(Buffer.from(prp.getProposalHash_asU8()))) problems.push(`${where}: proposal hash mismatch`);
          const endorsers: Identity[] = [];
          if (cea.getEndorsementsList().length === 0) problems.push(`${where}: no endorsement`);
          for (const e of cea.getEndorsementsList()) {
            const endorser = identityOf(e.getEndorser_asU8());
            endorsers.push(endorser);
            checkIdentity(`${where} endorser`, endorser);
            if (
              !fabricSignatureValid(
                endorser.cert,
                Buffer.concat([prpBytes, e.getEndorser_asU8()]),
                e.getSignature_asU8(),
              )
            ) {
              problems.push(`${where}: endorsement signature does not verify`);
            }
          }
          tx.actions.push({ prp, cca, endorsers });
        }
      }
      txs.push(tx);
    });
  });
  return { height: blocks.length, lastHash: prevHash.toString('hex'), problems, txs, roots };
}

/** Every committed block of a ledger, as raw bytes. */
export async function allBlocks(ledger: {
  blocks(from: number, opts: { follow: boolean }): AsyncIterable<{ bytes: Uint8Array }>;
}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const b of ledger.blocks(0, { follow: false })) out.push(b.bytes);
  return out;
}
