/**
 * Decoding Fabric blocks into plain structures: every header, envelope, action,
 * endorsement, read-write set and event, keeping the exact bytes that signatures and
 * hashes cover so a verifier can re-check them. Works on blocks from the embedded
 * ledger and from a Fabric peer alike.
 */
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './der';
import { MetadataIndex } from './block';
import { parseSerializedIdentity } from '../msp/identity';
import { fromTimestamp, type KVReadSpec, type NsRwSetSpec } from './tx';

export interface IdentityInfo {
  mspId: string;
  certPem: string;
  /** The msp.SerializedIdentity bytes, as signed over. */
  bytes: Uint8Array;
}

export interface DecodedEndorsement {
  endorser: IdentityInfo;
  signature: Uint8Array;
}

export interface DecodedAction {
  /** ProposalResponsePayload bytes: what endorsers signed (with their identity appended). */
  proposalResponsePayload: Uint8Array;
  proposalHash: Uint8Array;
  endorsements: DecodedEndorsement[];
  chaincode: { name: string; version: string };
  rwsets: Array<NsRwSetSpec & { collections?: HashedCollectionRwSet[] }>;
  event?: { name: string; payload: Uint8Array; txId: string; chaincodeId: string };
  response: { status: number; message: string; payload: Uint8Array };
  /** The signature header bytes of the action (the proposal's). */
  signatureHeader: Uint8Array;
  /** ChaincodeProposalPayload bytes (the proposal hash covers them). */
  proposalPayload: Uint8Array;
  args: Uint8Array[];
}

export interface DecodedTx {
  index: number;
  type: string;
  typeCode: number;
  txId: string;
  channelId: string;
  timestamp: Date;
  creator: IdentityInfo;
  nonce: Uint8Array;
  /** Raw payload bytes (what the creator signed) and the envelope signature. */
  payload: Uint8Array;
  signature: Uint8Array;
  channelHeader: Uint8Array;
  signatureHeader: Uint8Array;
  validationCode: number;
  actions: DecodedAction[];
  config?: common.Config;
}

export interface DecodedBlockSignature {
  creator: IdentityInfo;
  signatureHeader: Uint8Array;
  signature: Uint8Array;
}

export interface DecodedBlock {
  number: number;
  previousHash: Buffer;
  dataHash: Buffer;
  /** SHA-256 of the header, computed here. */
  hash: Buffer;
  data: Uint8Array[];
  signatures: { value: Uint8Array; signatures: DecodedBlockSignature[] };
  lastConfig?: number;
  txFilter: Uint8Array;
  transactions: DecodedTx[];
}

/** What of a block did not decode. Stable: callers branch on it. */
export type BlockDecodeErrorCode =
  /** The bytes are not a common.Block. */
  | 'BLOCK_UNPARSABLE'
  | 'NO_HEADER'
  /** The SIGNATURES metadata (or the orderer metadata in it) does not parse. */
  | 'METADATA_UNPARSABLE'
  /** One transaction's envelope (`at.tx`) does not parse. */
  | 'TRANSACTION_UNPARSABLE';

/** A block that does not decode, with the block and transaction where it failed. */
export class BlockDecodeError extends Error {
  constructor(
    readonly code: BlockDecodeErrorCode,
    message: string,
    readonly at: { block?: number; tx?: number },
  ) {
    super(message);
    this.name = 'BlockDecodeError';
  }
}

const HEADER_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(common.HeaderType).map(([n, c]) => [c as number, n]),
);

function identity(bytes: Uint8Array): IdentityInfo {
  const { mspId, certPem } = parseSerializedIdentity(bytes);
  return { mspId, certPem, bytes };
}

function reads(list: ledger.rwset.kvrwset.KVRead[]): KVReadSpec[] {
  return list.map((r) => {
    const v = r.getVersion();
    return v ? { key: r.getKey(), version: { block: v.getBlockNum(), tx: v.getTxNum() } } : { key: r.getKey() };
  });
}

export function decodeRwSet(bytes: Uint8Array): Array<NsRwSetSpec & { collections?: HashedCollectionRwSet[] }> {
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return tx.getNsRwsetList().map((ns) => {
    const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    return {
      namespace: ns.getNamespace(),
      reads: reads(kv.getReadsList()),
      rangeQueries: kv.getRangeQueriesInfoList().map((q) => ({
        startKey: q.getStartKey(),
        endKey: q.getEndKey(),
        exhausted: q.getItrExhausted(),
        reads: reads(q.getRawReads()?.getKvReadsList() ?? []),
      })),
      writes: kv.getWritesList().map((w) => ({ key: w.getKey(), isDelete: w.getIsDelete(), value: w.getValue_asU8() })),
      ...(ns.getCollectionHashedRwsetList().length
        ? {
            collections: ns.getCollectionHashedRwsetList().map((c) => {
              const h = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8());
              return {
                name: c.getCollectionName(),
                reads: h.getHashedReadsList().map((r) => {
                  const v = r.getVersion();
                  const keyHash = Buffer.from(r.getKeyHash_asU8()).toString('hex');
                  return v ? { keyHash, version: { block: v.getBlockNum(), tx: v.getTxNum() } } : { keyHash };
                }),
                writes: h.getHashedWritesList().map((w) => ({
                  keyHash: Buffer.from(w.getKeyHash_asU8()).toString('hex'),
                  isDelete: w.getIsDelete(),
                  valueHash: Buffer.from(w.getValueHash_asU8()).toString('hex'),
                })),
              };
            }),
          }
        : {}),
    };
  });
}

/** Private data seen through its hashes (Fabric's lifecycle approvals use implicit collections). */
export interface HashedCollectionRwSet {
  name: string;
  reads: Array<{ keyHash: string; version?: { block: number; tx: number } }>;
  /** Hex SHA-256 of each written key and value (the value hash is what the commit hash covers). */
  writes: Array<{ keyHash: string; isDelete: boolean; valueHash: string }>;
}

function decodeAction(ta: peer.TransactionAction): DecodedAction {
  const cap = peer.ChaincodeActionPayload.deserializeBinary(ta.getPayload_asU8());
  const cea = cap.getAction();
  if (!cea) throw new Error('transaction action has no endorsed action');
  const prpBytes = cea.getProposalResponsePayload_asU8();
  const prp = peer.ProposalResponsePayload.deserializeBinary(prpBytes);
  const cca = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const resp = cca.getResponse();
  const evBytes = cca.getEvents_asU8();
  let event: DecodedAction['event'];
  if (evBytes.length) {
    const ev = peer.ChaincodeEvent.deserializeBinary(evBytes);
    event = {
      name: ev.getEventName(),
      payload: ev.getPayload_asU8(),
      txId: ev.getTxId(),
      chaincodeId: ev.getChaincodeId(),
    };
  }
  const cppBytes = cap.getChaincodeProposalPayload_asU8();
  const cpp = peer.ChaincodeProposalPayload.deserializeBinary(cppBytes);
  const cis = peer.ChaincodeInvocationSpec.deserializeBinary(cpp.getInput_asU8());
  return {
    proposalResponsePayload: prpBytes,
    proposalHash: prp.getProposalHash_asU8(),
    endorsements: cea.getEndorsementsList().map((e) => ({
      endorser: identity(e.getEndorser_asU8()),
      signature: e.getSignature_asU8(),
    })),
    chaincode: { name: cca.getChaincodeId()?.getName() ?? '', version: cca.getChaincodeId()?.getVersion() ?? '' },
    rwsets: cca.getResults_asU8().length ? decodeRwSet(cca.getResults_asU8()) : [],
    ...(event ? { event } : {}),
    response: {
      status: resp?.getStatus() ?? 0,
      message: resp?.getMessage() ?? '',
      payload: resp?.getPayload_asU8() ?? new Uint8Array(),
    },
    signatureHeader: ta.getHeader_asU8(),
    proposalPayload: cppBytes,
    args: cis.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [],
  };
}

/** Just the transaction id of an envelope: three small parses instead of a full decode. */
export function txIdOfEnvelope(bytes: Uint8Array): string {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
  const ch = payload.getHeader()?.getChannelHeader_asU8();
  return ch ? common.ChannelHeader.deserializeBinary(ch).getTxId() : '';
}

/** Decode one envelope (one transaction) of a block. */
export function decodeEnvelope(bytes: Uint8Array, index: number, validationCode: number): DecodedTx {
  const env = common.Envelope.deserializeBinary(bytes);
  const payloadBytes = env.getPayload_asU8();
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader();
  if (!header) throw new Error('envelope payload has no header');
  const chBytes = header.getChannelHeader_asU8();
  const shBytes = header.getSignatureHeader_asU8();
  const ch = common.ChannelHeader.deserializeBinary(chBytes);
  const sh = common.SignatureHeader.deserializeBinary(shBytes);
  const typeCode = ch.getType();
  const tx: DecodedTx = {
    index,
    type: HEADER_TYPE_NAMES[typeCode] ?? `TYPE_${typeCode}`,
    typeCode,
    txId: ch.getTxId(),
    channelId: ch.getChannelId(),
    timestamp: fromTimestamp(ch.getTimestamp()),
    creator: sh.getCreator_asU8().length
      ? identity(sh.getCreator_asU8())
      : { mspId: '', certPem: '', bytes: new Uint8Array() },
    nonce: sh.getNonce_asU8(),
    payload: payloadBytes,
    signature: env.getSignature_asU8(),
    channelHeader: chBytes,
    signatureHeader: shBytes,
    validationCode,
    actions: [],
  };
  if (typeCode === common.HeaderType.ENDORSER_TRANSACTION) {
    const t = peer.Transaction.deserializeBinary(payload.getData_asU8());
    tx.actions = t.getActionsList().map(decodeAction);
  } else if (typeCode === common.HeaderType.CONFIG) {
    const ce = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8());
    const config = ce.getConfig();
    if (config) tx.config = config;
  }
  return tx;
}

/**
 * Decode a block. Throws BlockDecodeError (with the block and transaction where it
 * failed) when any part does not parse.
 */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(bytes);
  } catch (e) {
    throw new BlockDecodeError('BLOCK_UNPARSABLE', `block does not parse: ${(e as Error).message}`, {});
  }
  const h = block.getHeader();
  if (!h) throw new BlockDecodeError('NO_HEADER', 'block has no header', {});
  const number = h.getNumber();
  const previousHash = Buffer.from(h.getPreviousHash_asU8());
  const dataHash = Buffer.from(h.getDataHash_asU8());
  const data = block.getData()?.getDataList_asU8() ?? [];
  const meta = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const txFilter = meta[MetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  let signatures: DecodedBlock['signatures'] = { value: new Uint8Array(), signatures: [] };
  let lastConfig: number | undefined;
  try {
    const sigBytes = meta[MetadataIndex.SIGNATURES];
    if (sigBytes?.length) {
      const m = common.Metadata.deserializeBinary(sigBytes);
      signatures = {
        value: m.getValue_asU8(),
        signatures: m.getSignaturesList().map((s) => {
          const sh = common.SignatureHeader.deserializeBinary(s.getSignatureHeader_asU8());
          return {
            creator: identity(sh.getCreator_asU8()),
            signatureHeader: s.getSignatureHeader_asU8(),
            signature: s.getSignature_asU8(),
          };
        }),
      };
      if (signatures.value.length) {
        lastConfig = common.OrdererBlockMetadata.deserializeBinary(signatures.value).getLastConfig()?.getIndex();
      }
    }
  } catch (e) {
    throw new BlockDecodeError('METADATA_UNPARSABLE', `block metadata does not parse: ${(e as Error).message}`, {
      block: number,
    });
  }
  const transactions = data.map((d, i) => {
    try {
      return decodeEnvelope(d, i, txFilter[i] ?? 255);
    } catch (e) {
      throw new BlockDecodeError('TRANSACTION_UNPARSABLE', `transaction ${i} does not parse: ${(e as Error).message}`, {
        block: number,
        tx: i,
      });
    }
  });
  return {
    number,
    previousHash,
    dataHash,
    hash: blockHeaderHash(number, previousHash, dataHash),
    data,
    signatures,
    ...(lastConfig !== undefined ? { lastConfig } : {}),
    txFilter,
    transactions,
  };
}
