/**
 * Recovery on open: the state database brought up to the block files, which are the
 * source of truth. Every complete block past the savepoint is applied, its chain link and
 * data hash checked as it goes; a block cut short by a crash at the very end is cut off;
 * anything else that does not hold together is damage, and opening fails loudly.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '../blocks/der';
import { decodeBlock, type DecodedBlock } from '../blocks/decode';
import { LedgerError } from '../ports/ledger';
import { blockFileName, listBlockFiles, readBlockAt, scanBlockFiles, truncateBlockFiles } from './blockfile';
import type { StateDb, TxRecord } from './statedb';

/** Writes of a decoded block's valid transactions, for recovery. */
function txRecordsOf(block: DecodedBlock): TxRecord[] {
  return block.transactions.map((tx) => ({
    txId: tx.txId,
    index: tx.index,
    code: tx.validationCode,
    timestamp: tx.timestamp,
    writes: tx.actions.flatMap((a) => a.rwsets.flatMap((s) => s.writes.map((w) => ({ ns: s.namespace, ...w })))),
  }));
}

/**
 * Bring the state database up to the block files: apply every complete block past the
 * savepoint, check the chain links as it goes, cut a torn tail.
 */
export function recover(chainDir: string, db: StateDb): { height: number; lastHash: Buffer; previousHash: Buffer } {
  checkGenesis(chainDir, db);
  const last = db.lastBlock();
  let from = { file: 0, offset: 0 };
  let height = 0;
  let lastHash: Buffer = Buffer.alloc(0);
  let previousHash: Buffer = Buffer.alloc(0);
  if (last) {
    let bytes: Buffer;
    try {
      bytes = readBlockAt(chainDir, last);
    } catch (e) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${last.number}, acknowledged, cannot be read: ${(e as Error).message}: the data directory is damaged`,
      );
    }
    const problem = blockIntegrity(bytes, last.number, last.hash);
    if (problem)
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${last.number} on disk does not match the index (${problem}): the data directory is damaged`,
      );
    const decoded = decodeBlock(bytes);
    from = { file: last.file, offset: last.offset + last.length };
    height = last.number + 1;
    lastHash = decoded.hash;
    previousHash = decoded.previousHash;
  }
  const it = scanBlockFiles(chainDir, from);
  for (;;) {
    const step = it.next();
    if (step.done) {
      if (step.value) truncateBlockFiles(chainDir, step.value.file, step.value.offset);
      break;
    }
    const s = step.value;
    let decoded: DecodedBlock | undefined;
    try {
      decoded = decodeBlock(s.bytes);
    } catch {
      decoded = undefined;
    }
    if (!decoded) {
      // Only the very last frame of the newest file can be a write cut short by a crash;
      // anything earlier that does not parse is damage, and acknowledged blocks follow it.
      if (!isLastFrame(chainDir, s)) {
        throw new LedgerError(
          'UNAVAILABLE',
          `block ${height} in the block files does not parse, and blocks follow it: the data directory is damaged`,
        );
      }
      truncateBlockFiles(chainDir, s.file, s.offset - lengthPrefixSize(s.length));
      break;
    }
    if (decoded.number !== height || (height > 0 && !decoded.previousHash.equals(lastHash))) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block files do not chain at block ${height}: the data directory is damaged`,
      );
    }
    if (!blockDataHash(decoded.data).equals(decoded.dataHash)) {
      throw new LedgerError(
        'UNAVAILABLE',
        `block ${height} does not match its data hash: the data directory is damaged`,
      );
    }
    db.commit({ number: decoded.number, hash: decoded.hash, location: s, txs: txRecordsOf(decoded) });
    previousHash = lastHash;
    lastHash = decoded.hash;
    height += 1;
  }
  if (height > 0 && !db.meta(GENESIS_DIGEST)) checkGenesis(chainDir, db);
  return { height, lastHash, previousHash };
}

/** The index's record of block 0: SHA-256 of all its bytes (metadata too, which its header hash does not cover). */
const GENESIS_DIGEST = 'genesis.sha256';

/**
 * Block 0 names the network (its channel, its organisations' roots): it must be exactly
 * the block the index recorded when it was first committed — its header hash, its data
 * hash, and every byte (the digest the index keeps). Records the digest when the index has
 * none yet.
 */
function checkGenesis(chainDir: string, db: StateDb): void {
  const loc = db.block(0);
  if (!loc) return;
  let bytes: Buffer;
  try {
    bytes = readBlockAt(chainDir, loc);
  } catch (e) {
    throw new LedgerError(
      'UNAVAILABLE',
      `block 0 (the genesis block) cannot be read: ${(e as Error).message}: the data directory is damaged`,
    );
  }
  const problem = blockIntegrity(bytes, 0, loc.hash);
  const digest = createHash('sha256').update(bytes).digest();
  const recorded = db.meta(GENESIS_DIGEST);
  if (problem || (recorded && !recorded.equals(digest)))
    throw new LedgerError(
      'UNAVAILABLE',
      `block 0 (the genesis block) differs from the one this ledger was created with (${problem ?? 'its bytes changed'}): the data directory is damaged`,
    );
  if (!recorded) db.setMeta(GENESIS_DIGEST, digest);
}

/** Whether a block's bytes hold together: its data hash matches its header, and its header hash the index's. */
export function blockIntegrity(bytes: Uint8Array, number: number, indexedHash: Buffer): string | undefined {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(bytes);
  } catch {
    return 'it does not parse';
  }
  const h = block.getHeader();
  if (!h) return 'it has no header';
  if (h.getNumber() !== number) return `it is numbered ${h.getNumber()}`;
  const dataHash = Buffer.from(h.getDataHash_asU8());
  if (!blockDataHash(block.getData()?.getDataList_asU8() ?? []).equals(dataHash))
    return 'its data does not match its data hash';
  if (!blockHeaderHash(number, h.getPreviousHash_asU8(), dataHash).equals(indexedHash))
    return 'its header hash differs from the index';
  return undefined;
}

function isLastFrame(chainDir: string, s: { file: number; offset: number; length: number }): boolean {
  const files = listBlockFiles(chainDir);
  if (files[files.length - 1] !== s.file) return false;
  return statSync(join(chainDir, blockFileName(s.file))).size === s.offset + s.length;
}

function lengthPrefixSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}
