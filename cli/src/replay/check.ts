/**
 * The part of a replay that needs no world state, for one block at a time: decode,
 * encoding and metadata shape, data_hash, every signature (orderer, creators,
 * endorsers, with certificate chains) and, once the main thread has settled which
 * transactions are valid and what they read, the contract's rules re-applied to each
 * statement. It runs on worker threads (./worker) or, with --workers 0, in the main
 * thread: the same code either way.
 *
 * What goes back to the main thread is small and copied once: per transaction its id,
 * type, recorded validation code, time and read-write set (values in their own small
 * buffers, never views of the block), and the MSPs a config transaction declares.
 */
import { common } from '@hyperledger/fabric-protos';
import {
  MetadataIndex,
  TxValidationCode,
  blockDataHash,
  commitHashPreimage,
  decodeBlock,
  mspsFromConfig,
  updateBatchBytes,
  type DecodedBlock,
  type MspInfo,
} from '@anxin/network';
import type { Finding } from './findings';
import { MspRegistry, type MspSet } from './msp';
import { checkSignatures } from './signatures';
import { STATE_CHANGING, anxinCall, recheckStatement, type PreState } from './statements';

export interface RwSetFacts {
  namespace: string;
  reads: Array<{ key: string; version?: { block: number; tx: number } }>;
  rangeQueries: Array<{
    startKey: string;
    endKey: string;
    exhausted: boolean;
    reads: Array<{ key: string; version?: { block: number; tx: number } }>;
  }>;
  writes: Array<{ key: string; isDelete: boolean; value: Uint8Array }>;
  collections?: Array<{
    name: string;
    reads: Array<{ keyHash: string; version?: { block: number; tx: number } }>;
    writes: Array<{ keyHash: string; isDelete: boolean; valueHash: string }>;
  }>;
}

export interface TxFacts {
  index: number;
  txId: string;
  type: string;
  /** Validation code recorded in TRANSACTIONS_FILTER (255 when the filter has none for it). */
  code: number;
  /** Transaction time, ms since the epoch. */
  time: number;
  /** The Anxin function called, if any; `stateChanging` when the contract has a rule for it. */
  fn?: string;
  stateChanging?: boolean;
  /** Keys written by a function that has no rule (a query): must be none when valid. */
  rwsets: RwSetFacts[];
  /** The MSPs a CONFIG transaction declares. */
  msps?: MspInfo[];
}

export interface BlockFacts {
  number: number;
  hash: Uint8Array;
  previousHash: Uint8Array;
  /** Findings that need nothing but the block (and the MSPs it was checked against). */
  findings: Finding[];
  signatures: number;
  /** LAST_CONFIG as the metadata slot says, and as the orderer-signed metadata says. */
  lastConfigSlot?: number;
  lastConfigSigned?: number;
  txs: TxFacts[];
  /** The block's COMMIT_HASH, and (for a checked block) what the next link of the chain is computed from. */
  commitHash: CommitHashFacts;
  /** Bytes of this block handed in, for accounting. */
  size: number;
}

/**
 * A block's part in the commit-hash chain: the hash its COMMIT_HASH metadata records
 * (none when the slot is empty or does not decode) and, for a checked block, the bytes
 * the hash covers before the previous block's hash: varint(len(filter)) || filter || updates.
 */
export interface CommitHashFacts {
  recorded?: Uint8Array;
  input?: Uint8Array;
}

export interface CheckRequest {
  seq: number;
  /** The block's position in the ledger: what findings name. */
  number: number;
  bytes: Uint8Array;
  /** Check encoding and signatures (false: decode only, for blocks before --from). */
  check: boolean;
  /** Judge signatures by the MSPs of this block's own config (block 0). */
  genesis: boolean;
  fabric: boolean;
  /** Return the transactions' facts and keep the block for rechecks (default true; false: signature checks only). */
  facts?: boolean;
  /** The name the Anxin chaincode has on this ledger. */
  chaincode: string;
}

export type CheckResult = ({ ok: true } & BlockFacts) | { ok: false; error: string; number?: number };

export interface RecheckTx {
  index: number;
  pre: PreState;
}

export interface RecheckResult {
  findings: Finding[];
  kinds: Record<string, number>;
}

/** Bytes equal, whatever the view. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * The block rebuilt from the fields Fabric defines and nothing else, serialized: equal to
 * the bytes read only when they hold no unknown field, no duplicate, no odd encoding
 * (protobuf parsers keep unknown fields and re-emit them, so a plain round trip would not do).
 */
function canonicalBlock(block: common.Block): Uint8Array {
  const h = block.getHeader();
  const header = new common.BlockHeader();
  header.setNumber(h?.getNumber() ?? 0);
  header.setPreviousHash(h?.getPreviousHash_asU8() ?? new Uint8Array());
  header.setDataHash(h?.getDataHash_asU8() ?? new Uint8Array());
  const data = new common.BlockData();
  data.setDataList(block.getData()?.getDataList_asU8() ?? []);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList(block.getMetadata()?.getMetadataList_asU8() ?? []);
  const out = new common.Block();
  if (h) out.setHeader(header);
  if (block.getData()) out.setData(data);
  if (block.getMetadata()) out.setMetadata(metadata);
  return out.serializeBinary();
}

/** A Metadata message rebuilt from its known fields. */
function canonicalMetadata(m: common.Metadata): Uint8Array {
  const out = new common.Metadata();
  out.setValue(m.getValue_asU8());
  out.setSignaturesList(
    m.getSignaturesList().map((s) => {
      const c = new common.MetadataSignature();
      c.setSignatureHeader(s.getSignatureHeader_asU8());
      c.setSignature(s.getSignature_asU8());
      // identifier_header (Fabric 3) is unknown to the older fabric-protos that fabric-shim brings along;
      // when that copy registered the classes last, the field is not readable here (and never set before Fabric 3).
      const idh = (s as { getIdentifierHeader_asU8?: () => Uint8Array }).getIdentifierHeader_asU8?.();
      if (idh?.length) c.setIdentifierHeader(idh);
      return c;
    }),
  );
  return out.serializeBinary();
}

/** Metadata the signatures do not cover must still be exactly what it should be. */
function checkMetadata(
  b: DecodedBlock,
  n: number,
  block: common.Block,
  fabric: boolean,
  out: Finding[],
): { slot?: number } {
  const meta = block.getMetadata()?.getMetadataList_asU8() ?? [];
  let slot: number | undefined;
  if (b.txFilter.length !== b.transactions.length) {
    out.push({
      kind: 'metadata',
      block: n,
      detail: 'TRANSACTIONS_FILTER does not have one code per transaction',
      expected: String(b.transactions.length),
      actual: String(b.txFilter.length),
    });
  }
  if (meta.length !== 5 && !(fabric && meta.length < 5))
    out.push({ kind: 'metadata', block: n, detail: `the block has ${meta.length} metadata slots; Fabric defines 5` });
  // An empty slot is Metadata{} holding LastConfig{index: 0}: protobuf leaves defaults out.
  const lc = meta[MetadataIndex.LAST_CONFIG] ?? new Uint8Array();
  try {
    const m = common.Metadata.deserializeBinary(lc);
    if (!same(canonicalMetadata(m), lc)) throw new Error('not canonical');
    if (m.getSignaturesList().length) throw new Error('signed');
    const idx = common.LastConfig.deserializeBinary(m.getValue_asU8());
    const c = new common.LastConfig();
    c.setIndex(idx.getIndex());
    if (!same(c.serializeBinary(), m.getValue_asU8())) throw new Error('not canonical');
    slot = idx.getIndex();
  } catch {
    out.push({ kind: 'metadata', block: n, detail: 'LAST_CONFIG metadata does not decode to exactly one index' });
  }
  const sig = meta[MetadataIndex.SIGNATURES];
  if (sig?.length) {
    const m = common.Metadata.deserializeBinary(sig);
    if (!same(canonicalMetadata(m), sig))
      out.push({ kind: 'encoding', block: n, detail: 'SIGNATURES metadata is not canonically encoded' });
  } else if (!fabric && n > 0) {
    out.push({ kind: 'metadata', block: n, detail: 'the SIGNATURES metadata slot is empty' });
  }
  if (!fabric && meta[MetadataIndex.ORDERER]?.length)
    out.push({
      kind: 'metadata',
      block: n,
      detail: `metadata slot ${MetadataIndex.ORDERER} should be empty on this ledger`,
    });
  return slot === undefined ? {} : { slot };
}

/**
 * The hash the COMMIT_HASH slot records: Metadata{value: 32 bytes}, canonically encoded and
 * unsigned, or a finding. An empty slot records none.
 */
function recordedCommitHash(block: common.Block, n: number, out: Finding[] | undefined): Uint8Array | undefined {
  const slot = block.getMetadata()?.getMetadataList_asU8()[MetadataIndex.COMMIT_HASH];
  if (!slot?.length) return undefined;
  try {
    const m = common.Metadata.deserializeBinary(slot);
    if (!same(canonicalMetadata(m), slot) || m.getSignaturesList().length || m.getValue_asU8().length !== 32)
      throw new Error('not one hash');
    return own(m.getValue_asU8());
  } catch {
    out?.push({
      kind: 'metadata',
      block: n,
      detail: 'COMMIT_HASH metadata does not decode to exactly one SHA-256 hash',
    });
    return undefined;
  }
}

/** What the commit hash of block `b` covers before the previous hash: the filter as recorded and the valid transactions' writes. */
function commitHashInput(b: DecodedBlock): Uint8Array {
  const valid = b.transactions
    .filter((t) => t.validationCode === TxValidationCode.VALID)
    .map((t) => ({ index: t.index, rwsets: t.actions.flatMap((a) => a.rwsets) }));
  return commitHashPreimage(b.txFilter, updateBatchBytes(b.number, valid));
}

function own(b: Uint8Array): Uint8Array {
  return b.slice();
}

/** The facts of a decoded block the main thread needs, copied out of the block's buffer. */
function factsOf(b: DecodedBlock, chaincode: string): TxFacts[] {
  return b.transactions.map((t) => {
    const call = t.type === 'ENDORSER_TRANSACTION' ? anxinCall(t, chaincode) : undefined;
    const facts: TxFacts = {
      index: t.index,
      txId: t.txId,
      type: t.type,
      code: t.validationCode,
      time: t.timestamp.getTime(),
      rwsets: t.actions.flatMap((a) =>
        a.rwsets.map((s) => ({
          namespace: s.namespace,
          reads: s.reads,
          rangeQueries: s.rangeQueries,
          writes: s.writes.map((w) => ({ key: w.key, isDelete: w.isDelete, value: own(w.value) })),
          ...(s.collections ? { collections: s.collections } : {}),
        })),
      ),
    };
    if (call) {
      facts.fn = call.fn;
      facts.stateChanging = STATE_CHANGING.has(call.fn);
    }
    if (t.config) facts.msps = mspsFromConfig(t.config);
    return facts;
  });
}

/**
 * One thread's checker: keeps the MSP registry of the config in force and the decoded
 * blocks waiting for their statement rechecks.
 */
export class BlockChecker {
  private registry: { version: number; msps: MspRegistry } | undefined;
  private readonly waiting = new Map<number, { b: DecodedBlock; n: number; chaincode: string }>();

  setMsps(version: number, set: MspSet): void {
    if (this.registry?.version !== version) this.registry = { version, msps: new MspRegistry(set) };
  }

  get mspVersion(): number | undefined {
    return this.registry?.version;
  }

  check(req: CheckRequest): CheckResult {
    let block: common.Block;
    let b: DecodedBlock;
    try {
      block = common.Block.deserializeBinary(req.bytes);
      b = decodeBlock(req.bytes);
    } catch (e) {
      const at = (e as { at?: { block?: number } }).at;
      return { ok: false, error: (e as Error).message, ...(at?.block !== undefined ? { number: at.block } : {}) };
    }
    const findings: Finding[] = [];
    let signatures = 0;
    let slot: number | undefined;
    let txs: TxFacts[] = [];
    const commitHash: CommitHashFacts = {};
    const wantFacts = req.facts !== false;
    try {
      if (wantFacts || req.genesis) txs = factsOf(b, req.chaincode);
    } catch (e) {
      return { ok: false, error: `the block's contents do not decode: ${(e as Error).message}` };
    }
    if (req.check) {
      try {
        if (!same(canonicalBlock(block), req.bytes))
          findings.push({
            kind: 'encoding',
            block: req.number,
            detail: 'the block bytes are not the canonical encoding of the block',
          });
        const dh = blockDataHash(b.data);
        if (!dh.equals(b.dataHash))
          findings.push({
            kind: 'dataHash',
            block: req.number,
            detail: 'data_hash does not match the envelopes',
            expected: dh.toString('hex'),
            actual: b.dataHash.toString('hex'),
          });
        slot = checkMetadata(b, req.number, block, req.fabric, findings).slot;
        const recorded = recordedCommitHash(block, req.number, findings);
        if (recorded) commitHash.recorded = recorded;
        commitHash.input = commitHashInput(b);
        let msps = this.registry?.msps;
        if (req.genesis) {
          const cfg = txs.find((t) => t.msps)?.msps;
          msps = new MspRegistry({ msps: cfg ?? [] });
          if (!cfg)
            findings.push({
              kind: 'metadata',
              block: req.number,
              detail: 'the first block is not a config block: there are no MSP roots to check signatures against',
            });
        }
        if (!msps) throw new Error('no MSPs to check signatures against');
        const r = checkSignatures(b, msps, { firstConfig: req.genesis, at: req.number });
        signatures = r.signatures;
        findings.push(...r.findings);
      } catch (e) {
        findings.push({
          kind: 'encoding',
          block: req.number,
          detail: `the block could not be checked: ${(e as Error).message}`,
        });
      }
      if (wantFacts) this.waiting.set(req.seq, { b, n: req.number, chaincode: req.chaincode });
    } else {
      const recorded = recordedCommitHash(block, req.number, undefined);
      if (recorded) commitHash.recorded = recorded;
    }
    return {
      ok: true,
      number: b.number,
      hash: own(b.hash),
      previousHash: own(b.previousHash),
      findings,
      signatures,
      ...(slot !== undefined ? { lastConfigSlot: slot } : {}),
      ...(b.lastConfig !== undefined ? { lastConfigSigned: b.lastConfig } : {}),
      txs,
      commitHash,
      size: req.bytes.length,
    };
  }

  /** Re-apply the statements of the given (valid) transactions of a checked block; then forget the block. */
  async recheck(seq: number, txs: RecheckTx[]): Promise<RecheckResult> {
    const w = this.waiting.get(seq);
    this.waiting.delete(seq);
    const out: RecheckResult = { findings: [], kinds: {} };
    if (!w) {
      if (txs.length)
        out.findings.push({ kind: 'source', detail: `internal: block ${seq} is not waiting for rechecks` });
      return out;
    }
    const results = await Promise.all(
      txs.map((t) => recheckStatement(w.n, w.b.transactions[t.index]!, t.pre, w.chaincode)),
    );
    for (const r of results) {
      out.findings.push(...r.findings);
      if (r.kind) out.kinds[r.kind] = (out.kinds[r.kind] ?? 0) + 1;
    }
    return out;
  }

  drop(seq: number): void {
    this.waiting.delete(seq);
  }
}
