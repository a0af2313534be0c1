/**
 * Blocks as Fabric writes them: header (number, previous_hash, data_hash), data (the
 * envelopes), and metadata — SIGNATURES (the orderer's signature over
 * value || signature_header || header bytes), LAST_CONFIG, TRANSACTIONS_FILTER (one
 * validation code per transaction, set at commit), ORDERER, COMMIT_HASH (the peer's hash
 * chain over each block's state updates, set at commit: ./commit-hash).
 */
import { randomBytes } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './der';
import type { Signer } from './tx';
import { commitHashMetadata } from './commit-hash';

export const MetadataIndex = {
  SIGNATURES: 0,
  LAST_CONFIG: 1,
  TRANSACTIONS_FILTER: 2,
  ORDERER: 3,
  COMMIT_HASH: 4,
} as const;
const METADATA_SLOTS = 5;

export interface AssembledBlock {
  number: number;
  bytes: Uint8Array;
  /** SHA-256 of this block's header bytes: the next block's previous_hash. */
  hash: Buffer;
  dataHash: Buffer;
}

/**
 * Assemble and sign a block.
 *
 * @example
 * const b = assembleBlock({ number: 1, previousHash, envelopes, txFilter: new Uint8Array([0, 11]), lastConfig: 0, orderer });
 */
export async function assembleBlock(opts: {
  number: number;
  previousHash: Uint8Array;
  envelopes: Uint8Array[];
  txFilter: Uint8Array;
  lastConfig: number;
  orderer: Signer;
  /** The COMMIT_HASH metadata's hash (./commit-hash); the slot stays empty without one. */
  commitHash?: Uint8Array;
}): Promise<AssembledBlock> {
  const dataHash = blockDataHash(opts.envelopes);
  const header = new common.BlockHeader();
  header.setNumber(opts.number);
  header.setPreviousHash(opts.previousHash);
  header.setDataHash(dataHash);

  const data = new common.BlockData();
  data.setDataList(opts.envelopes);

  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(opts.lastConfig);
  const consenter = new common.Metadata();
  const obm = new common.OrdererBlockMetadata();
  obm.setLastConfig(lastConfig);
  obm.setConsenterMetadata(consenter.serializeBinary());
  const value = obm.serializeBinary();

  const sh = new common.SignatureHeader();
  sh.setCreator(opts.orderer.serialize());
  sh.setNonce(randomBytes(24));
  const shBytes = sh.serializeBinary();
  const headerBytes = blockHeaderBytes(opts.number, opts.previousHash, dataHash);
  const ms = new common.MetadataSignature();
  ms.setSignatureHeader(shBytes);
  ms.setSignature(await opts.orderer.sign(Buffer.concat([value, shBytes, headerBytes])));
  const sigMeta = new common.Metadata();
  sigMeta.setValue(value);
  sigMeta.setSignaturesList([ms]);

  const lcMeta = new common.Metadata();
  lcMeta.setValue(lastConfig.serializeBinary());

  const slots: Uint8Array[] = new Array(METADATA_SLOTS).fill(new Uint8Array(0));
  slots[MetadataIndex.SIGNATURES] = sigMeta.serializeBinary();
  slots[MetadataIndex.LAST_CONFIG] = lcMeta.serializeBinary();
  slots[MetadataIndex.TRANSACTIONS_FILTER] = opts.txFilter;
  if (opts.commitHash) slots[MetadataIndex.COMMIT_HASH] = commitHashMetadata(opts.commitHash);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(slots);

  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return {
    number: opts.number,
    bytes: block.serializeBinary(),
    hash: blockHeaderHash(opts.number, opts.previousHash, dataHash),
    dataHash,
  };
}

/**
 * Block 0 as configtxgen makes it (common/genesis) and a peer stores it: the one genesis
 * envelope, no orderer signature — the SIGNATURES metadata holds only OrdererBlockMetadata
 * naming block 0 as the last config — and the TRANSACTIONS_FILTER the peer sets when it
 * commits the block (one VALID).
 *
 * @example
 * const b0 = genesisBlock(genesisConfigEnvelope('anxin', config, new Date()));
 */
export function genesisBlock(envelope: Uint8Array): AssembledBlock {
  const dataHash = blockDataHash([envelope]);
  const header = new common.BlockHeader();
  header.setNumber(0);
  header.setPreviousHash(new Uint8Array(0));
  header.setDataHash(dataHash);
  const data = new common.BlockData();
  data.setDataList([envelope]);
  const obm = new common.OrdererBlockMetadata();
  obm.setLastConfig(new common.LastConfig());
  const sigMeta = new common.Metadata();
  sigMeta.setValue(obm.serializeBinary());
  const lcMeta = new common.Metadata();
  lcMeta.setValue(new common.LastConfig().serializeBinary());
  const slots: Uint8Array[] = new Array(METADATA_SLOTS).fill(new Uint8Array(0));
  slots[MetadataIndex.SIGNATURES] = sigMeta.serializeBinary();
  slots[MetadataIndex.LAST_CONFIG] = lcMeta.serializeBinary();
  slots[MetadataIndex.TRANSACTIONS_FILTER] = new Uint8Array([0]);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(slots);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return { number: 0, bytes: block.serializeBinary(), hash: blockHeaderHash(0, new Uint8Array(0), dataHash), dataHash };
}
