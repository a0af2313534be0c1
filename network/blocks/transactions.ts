/**
 * A block's transactions for a reader that follows the ledger's writes (the gateway's
 * projection): each transaction's id and validation code without decoding it, its full
 * decoding (./decode, as `decodeBlock` does it) only when asked, the writes it made in
 * one chaincode's namespace, and the chaincode events of a block's valid transactions.
 */
import { common } from '@hyperledger/fabric-protos';
import type { ChaincodeEventRecord } from '../ports/ledger';
import { MetadataIndex } from './block';
import { TxValidationCode } from './codes';
import { decodeEnvelope, txIdOfEnvelope, type DecodedBlock, type DecodedTx } from './decode';
import type { KVWriteSpec } from './tx';

/** The transactions of one block, decoded one at a time on demand. */
export interface BlockTransactions {
  /** How many transactions the block holds. */
  readonly count: number;
  /** The code TRANSACTIONS_FILTER records for transaction `index` (255 when it records none). */
  validationCode(index: number): number;
  /** Transaction `index`'s id: three small parses instead of a full decode. */
  txId(index: number): string;
  /** Transaction `index`, decoded in full. */
  decode(index: number): DecodedTx;
}

/**
 * The transactions of a serialized `common.Block`.
 *
 * @example
 * const txs = blockTransactions(raw.bytes);
 * for (let i = 0; i < txs.count; i++)
 *   if (txs.validationCode(i) === TxValidationCode.VALID) apply(writesIn(txs.decode(i), 'anxin'));
 */
export function blockTransactions(bytes: Uint8Array): BlockTransactions {
  const block = common.Block.deserializeBinary(bytes);
  const data = block.getData()?.getDataList_asU8() ?? [];
  const filter = block.getMetadata()?.getMetadataList_asU8()[MetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const code = (index: number) => filter[index] ?? 255;
  return {
    count: data.length,
    validationCode: code,
    txId: (index) => txIdOfEnvelope(data[index]!),
    decode: (index) => decodeEnvelope(data[index]!, index, code(index)),
  };
}

/** The writes a transaction's actions made in `namespace` (a chaincode's name), in the order recorded. */
export function writesIn(tx: DecodedTx, namespace: string): KVWriteSpec[] {
  const out: KVWriteSpec[] = [];
  for (const a of tx.actions) for (const s of a.rwsets) if (s.namespace === namespace) out.push(...s.writes);
  return out;
}

/** Chaincode events of a block's valid transactions. */
export function eventsOf(block: DecodedBlock): ChaincodeEventRecord[] {
  const out: ChaincodeEventRecord[] = [];
  for (const tx of block.transactions) {
    if (tx.validationCode !== TxValidationCode.VALID) continue;
    for (const a of tx.actions) {
      if (a.event)
        out.push({
          block: block.number,
          txId: tx.txId,
          txIndex: tx.index,
          name: a.event.name,
          payload: a.event.payload,
        });
    }
  }
  return out;
}
