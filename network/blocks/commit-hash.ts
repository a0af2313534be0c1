/**
 * The COMMIT_HASH block metadata a Fabric peer writes on every block after block 0: a hash
 * chain over what each block changed in the world state, so two peers (or an auditor) can
 * tell at a glance whether they committed the same thing.
 *
 *   commit_hash(n) = SHA-256( varint(len(filter)) || filter || update_bytes(n) || commit_hash(n-1) )
 *
 * with `filter` the block's TRANSACTIONS_FILTER, commit_hash(0) empty, and `update_bytes` the
 * protobuf `txmgr.Updates { repeated KVWrite kvwrites = 1 }` of the block's update batch —
 * the last write of each key by a valid transaction, at the version (block, tx) of that
 * transaction — in a fixed order: namespaces in byte order (the channel config's empty
 * namespace left out), in each the public keys in byte order, then each private collection
 * (by name) with its key hashes in byte order. The first entry of a namespace names it, and
 * the first entry of a collection names the collection; a deleted key has no value. The
 * result is written into the block as `common.Metadata { value: commit_hash }`.
 *
 * (Fabric 2.5: core/ledger/kvledger/kv_ledger.go addBlockCommitHash,
 * core/ledger/kvledger/txmgmt/txmgr/update_batch_bytes.go, and its version encoding,
 * core/ledger/internal/version Height.ToBytes.)
 */
import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { encode } from './pb';
import { cmp } from './tx';

//   txmgr.KVWrite  1 namespace, 2 collection, 3 key, 4 isDelete, 5 value, 6 version_bytes
//   txmgr.Updates  1 kvwrites

/** The writes of one valid transaction, as its read-write set records them. */
export interface CommittedTxWrites {
  /** Position in the block: with the block number, the version of what it writes. */
  index: number;
  rwsets: Array<{
    namespace: string;
    writes: Array<{ key: string; isDelete: boolean; value: Uint8Array }>;
    collections?: Array<{ name: string; writes: Array<{ keyHash: string; isDelete: boolean; valueHash: string }> }>;
  }>;
}

interface Update {
  /** null: the key is deleted. */
  value: Uint8Array | null;
  version: Buffer;
}

const EMPTY_VALUE_HASH = createHash('sha256').update(new Uint8Array(0)).digest('hex');

/** A number as Fabric's order-preserving var-uint64: one length byte, then the big-endian bytes without leading zeros. */
function orderPreservingUint(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a version number: ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([bytes.length, ...bytes]);
}

/** A version (block, tx) as Fabric's Height.ToBytes writes it. */
export function versionBytes(block: number, tx: number): Buffer {
  return Buffer.concat([orderPreservingUint(block), orderPreservingUint(tx)]);
}

const byBytes = (a: string, b: string) => cmp(a, b);

/** Keys with their UTF-8 bytes, in byte order (Go's sort of strings); each key converted once, not per comparison. */
function inByteOrder(keys: Iterable<string>): Array<[string, Buffer]> {
  return [...keys].map((k): [string, Buffer] => [k, Buffer.from(k, 'utf8')]).sort((a, b) => Buffer.compare(a[1], b[1]));
}

/**
 * The update batch bytes of a block: what the valid transactions `txs` (in block order) leave
 * in the state, in Fabric's deterministic encoding.
 *
 * @example
 * const bytes = updateBatchBytes(5, [{ index: 0, rwsets: [{ namespace: 'anxin', writes: [{ key: 'k', isDelete: false, value }] }] }]);
 */
export function updateBatchBytes(block: number, txs: CommittedTxWrites[]): Uint8Array {
  // namespace → key → last update; namespace → collection → key hash (hex) → last update
  const pub = new Map<string, Map<string, Update>>();
  const hashed = new Map<string, Map<string, Map<string, Update>>>();
  const inner = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
    let v = m.get(k);
    if (!v) m.set(k, (v = make()));
    return v;
  };
  for (const tx of txs) {
    const version = versionBytes(block, tx.index);
    for (const s of tx.rwsets) {
      for (const w of s.writes) {
        // Fabric takes an empty value for a delete (rwsetutil.IsKVWriteDelete).
        const deleted = w.isDelete || w.value.length === 0;
        inner(pub, s.namespace, () => new Map()).set(w.key, { value: deleted ? null : w.value, version });
      }
      for (const c of s.collections ?? []) {
        for (const w of c.writes) {
          const deleted = w.isDelete || w.valueHash.length === 0 || w.valueHash === EMPTY_VALUE_HASH;
          inner(
            inner(hashed, s.namespace, () => new Map()),
            c.name,
            () => new Map(),
          ).set(w.keyHash, {
            value: deleted ? null : Buffer.from(w.valueHash, 'hex'),
            version,
          });
        }
      }
    }
  }
  const namespaces = [...new Set([...pub.keys(), ...hashed.keys()])].sort(byBytes);
  return encode((u) => {
    for (const ns of namespaces) {
      // The channel configuration is kept under the empty namespace and is left out of the hash.
      if (ns === '') continue;
      let first = true;
      const entry = (key: Uint8Array, update: Update, collection: string) => {
        u.message(1, (w) => {
          if (first) w.string(1, ns);
          w.string(2, collection);
          w.bytes(3, key);
          w.bool(4, update.value === null);
          if (update.value !== null) w.bytes(5, update.value);
          w.bytes(6, update.version);
        });
        first = false;
      };
      const keys = pub.get(ns);
      if (keys) for (const [k, bytes] of inByteOrder(keys.keys())) entry(bytes, keys.get(k)!, '');
      const colls = hashed.get(ns);
      if (!colls) continue;
      for (const name of [...colls.keys()].sort(byBytes)) {
        const updates = colls.get(name)!;
        let firstOfCollection = true;
        for (const h of [...updates.keys()].sort()) {
          entry(Buffer.from(h, 'hex'), updates.get(h)!, firstOfCollection ? name : '');
          firstOfCollection = false;
        }
      }
    }
  });
}

/** Protobuf's unsigned varint of a length. */
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** What a block's commit hash covers before the previous block's: varint(len(filter)) || filter || updates. */
export function commitHashPreimage(txFilter: Uint8Array, updates: Uint8Array): Buffer {
  return Buffer.concat([varint(txFilter.length), txFilter, updates]);
}

/**
 * The commit hash of a block, chained on the previous block's (empty for block 1).
 *
 * @example
 * const hash = commitHash(previous, txFilter, updateBatchBytes(n, validTxs));
 */
export function commitHash(previous: Uint8Array, txFilter: Uint8Array, updates: Uint8Array): Buffer {
  return chainCommitHash(commitHashPreimage(txFilter, updates), previous);
}

/** SHA-256(preimage || previous): one link of the chain, from a block's preimage. */
export function chainCommitHash(preimage: Uint8Array, previous: Uint8Array): Buffer {
  return createHash('sha256').update(preimage).update(previous).digest();
}

/** The COMMIT_HASH metadata slot's bytes for a commit hash. */
export function commitHashMetadata(hash: Uint8Array): Uint8Array {
  const m = new common.Metadata();
  m.setValue(hash);
  return m.serializeBinary();
}

/**
 * The commit hash a block's COMMIT_HASH metadata carries, or undefined when the slot is
 * empty (block 0, or a ledger that never computed them). Throws when the slot does not parse.
 */
export function commitHashOfBlock(block: common.Block): Uint8Array | undefined {
  const slot = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.COMMIT_HASH];
  if (!slot?.length) return undefined;
  return common.Metadata.deserializeBinary(slot).getValue_asU8();
}
