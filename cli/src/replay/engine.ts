/**
 * The auditor's replay. For every block from 0, in order:
 *   1. encoding, number, header chain (previous_hash), data_hash;
 *   2. signatures — orderer, creators, endorsers, with certificates chained to the MSP
 *      roots of the config in force — checked on worker threads;
 *   3. each transaction's validation code, by re-running MVCC validation itself;
 *   4. each valid statement, re-applied with the contract's rules to the state of that
 *      moment: same writes, same event;
 *   5. at the end, the rebuilt world state against the ledger's current state and,
 *      optionally, the store's projection.
 * Trust nothing but mathematics: every finding names block, transaction and key.
 */
import { common } from '@hyperledger/fabric-protos';
import {
  MetadataIndex,
  TxValidationCode,
  blockDataHash,
  decodeBlock,
  mspsFromConfig,
  validationCodeName,
  type DecodedBlock,
} from '@anxin/network';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import type { Store } from '@anxin/gateway';
import type { Finding } from './findings';
import type { MspSet } from './msp';
import { SignaturePool } from './pool';
import type { BlockSource } from './source';
import { CHAINCODE, recheckStatement } from './statements';
import { World } from './world';

export interface ReplayOptions {
  from?: number;
  to?: number;
  workers?: number;
  store?: Store;
  /** Called after each block. */
  onBlock?(p: { block: number; last: number; transactions: number }): void;
  /** Stop after this many findings (the rest are counted, not listed). */
  maxFindings?: number;
}

export interface ReplaySummary {
  source: string;
  blocks: { from: number; to: number; checked: number };
  transactions: { total: number; valid: number; invalid: Record<string, number> };
  statements: Record<string, number>;
  signaturesVerified: number;
  credentials: { total: number; byType: Record<string, number>; byStatus: Record<string, number> };
  issuers: { total: number; byStatus: Record<string, number>; keys: { total: number; retired: number; compromised: number } };
  stateCompared: boolean;
  storeCompared: boolean;
  elapsedMs: number;
  txPerSecond: number;
}

export interface ReplayResult {
  ok: boolean;
  findings: Finding[];
  findingsTotal: number;
  summary: ReplaySummary;
}

const ANCHOR_PREFIX = `${CHAINCODE}\u0000\u0000anchor\u0000`;
const ISSUER_PREFIX = `${CHAINCODE}\u0000\u0000issuer\u0000`;

function canonicalEncoding(bytes: Uint8Array): boolean {
  try {
    return Buffer.from(common.Block.deserializeBinary(bytes).serializeBinary()).equals(Buffer.from(bytes));
  } catch {
    return false;
  }
}

/** Metadata the signatures do not cover must still be exactly what it should be. */
function checkMetadata(b: DecodedBlock, bytes: Uint8Array, lastConfig: number, fabric: boolean, out: Finding[]): void {
  const meta = common.Block.deserializeBinary(bytes).getMetadata()?.getMetadataList_asU8() ?? [];
  if (b.txFilter.length !== b.transactions.length) {
    out.push({ kind: 'metadata', block: b.number, detail: 'TRANSACTIONS_FILTER does not have one code per transaction', expected: String(b.transactions.length), actual: String(b.txFilter.length) });
  }
  const lc = meta[MetadataIndex.LAST_CONFIG];
  if (lc?.length) {
    try {
      const m = common.Metadata.deserializeBinary(lc);
      if (!Buffer.from(m.serializeBinary()).equals(Buffer.from(lc))) throw new Error('not canonical');
      const idx = common.LastConfig.deserializeBinary(m.getValue_asU8());
      if (!Buffer.from(idx.serializeBinary()).equals(Buffer.from(m.getValue_asU8()))) throw new Error('not canonical');
      if (idx.getIndex() !== lastConfig) {
        out.push({ kind: 'metadata', block: b.number, detail: 'LAST_CONFIG names another block', expected: String(lastConfig), actual: String(idx.getIndex()) });
      }
    } catch {
      out.push({ kind: 'metadata', block: b.number, detail: 'LAST_CONFIG metadata does not decode' });
    }
  }
  if (b.lastConfig !== undefined && b.lastConfig !== lastConfig) {
    out.push({ kind: 'metadata', block: b.number, detail: 'the signed metadata names another config block', expected: String(lastConfig), actual: String(b.lastConfig) });
  }
  const sig = meta[MetadataIndex.SIGNATURES];
  if (sig?.length && !Buffer.from(common.Metadata.deserializeBinary(sig).serializeBinary()).equals(Buffer.from(sig))) {
    out.push({ kind: 'encoding', block: b.number, detail: 'SIGNATURES metadata is not canonically encoded' });
  }
  if (!fabric) {
    for (const i of [MetadataIndex.ORDERER, MetadataIndex.COMMIT_HASH]) {
      if (meta[i]?.length) out.push({ kind: 'metadata', block: b.number, detail: `metadata slot ${i} should be empty on this ledger` });
    }
  }
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export async function replay(source: BlockSource, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const started = Date.now();
  const from = opts.from ?? 0;
  const last = Math.min(opts.to ?? source.height - 1, source.height - 1);
  const maxFindings = opts.maxFindings ?? 1000;
  const findings: Finding[] = [];
  let findingsTotal = 0;
  const report = (f: Finding) => {
    findingsTotal++;
    if (findings.length < maxFindings) findings.push(f);
  };

  const world = new World();
  const pool = new SignaturePool(opts.workers ?? 0);
  const pending: Array<Promise<void>> = [];
  let mspSet: MspSet = { msps: [] };
  let mspVersion = 0;
  let lastConfig = 0;
  let previousHash: Buffer | undefined;
  let expected = 0;
  const tx = { total: 0, valid: 0, invalid: {} as Record<string, number> };
  const statements: Record<string, number> = {};
  let signatures = 0;
  let checked = 0;
  let stateKnown = true;

  try {
    for await (const raw of source.blocks(0)) {
      if (raw.number > last) break;
      const checking = raw.number >= from;
      if (raw.number !== expected) {
        report({ kind: 'source', block: expected, detail: `block ${expected} is missing: the next block read is numbered ${raw.number}` });
        expected = raw.number;
        stateKnown = false;
      }
      let b: DecodedBlock;
      try {
        b = decodeBlock(raw.bytes);
      } catch (e) {
        report({ kind: 'encoding', block: raw.number, detail: `the block does not decode: ${(e as Error).message}` });
        expected++;
        previousHash = undefined;
        stateKnown = false;
        continue;
      }
      if (checking) {
        if (!canonicalEncoding(raw.bytes)) report({ kind: 'encoding', block: b.number, detail: 'the block bytes are not the canonical encoding of the block' });
        if (b.number !== raw.number) report({ kind: 'source', block: raw.number, detail: 'the block at this position carries another number', expected: String(raw.number), actual: String(b.number) });
        if (previousHash && !b.previousHash.equals(previousHash)) {
          report({ kind: 'chain', block: b.number, detail: 'previous_hash is not the hash of the previous header', expected: previousHash.toString('hex'), actual: b.previousHash.toString('hex') });
        }
        const dh = blockDataHash(b.data);
        if (!dh.equals(b.dataHash)) report({ kind: 'dataHash', block: b.number, detail: 'data_hash does not match the envelopes', expected: dh.toString('hex'), actual: b.dataHash.toString('hex') });
        const metaFindings: Finding[] = [];
        checkMetadata(b, raw.bytes, lastConfig, source.fabric, metaFindings);
        metaFindings.forEach(report);
        // Signatures are judged by the config in force before this block.
        const firstConfig = b.number === 0;
        if (b.number === 0 && !mspSet.msps.length) {
          const cfg = b.transactions.find((t) => t.config)?.config;
          if (cfg) mspSet = { msps: mspsFromConfig(cfg) };
          mspVersion++;
        }
        const n = b.number;
        pending.push(
          pool.check(raw.bytes, mspSet, mspVersion, firstConfig).then(
            (r) => {
              signatures += r.signatures;
              r.findings.forEach(report);
            },
            (e: Error) => report({ kind: 'encoding', block: n, detail: `signatures could not be checked: ${e.message}` }),
          ),
        );
        if (pending.length > 256) await Promise.all(pending.splice(0, 128));
        checked++;
      }
      previousHash = b.hash;
      expected = b.number + 1;

      // Validation codes and statements, in block order, on the rebuilt state.
      const updated = new Set<string>();
      for (const t of b.transactions) {
        const recorded = t.validationCode;
        if (checking) {
          tx.total++;
          if (recorded === TxValidationCode.VALID) tx.valid++;
          else count(tx.invalid, validationCodeName(recorded));
        }
        let valid = recorded === TxValidationCode.VALID;
        if (checking && stateKnown) {
          const derived = world.validate(t, updated);
          if (derived !== recorded) {
            // Codes this replay cannot re-derive (e.g. endorsement policy) are accepted as invalid, never as valid.
            const rederivable = [TxValidationCode.VALID, TxValidationCode.MVCC_READ_CONFLICT, TxValidationCode.PHANTOM_READ_CONFLICT, TxValidationCode.DUPLICATE_TXID] as number[];
            if (recorded === TxValidationCode.VALID || rederivable.includes(recorded)) {
              report({
                kind: 'validationCode',
                block: b.number,
                tx: t.index,
                txId: t.txId,
                detail: 'TRANSACTIONS_FILTER disagrees with re-validation',
                expected: validationCodeName(derived),
                actual: validationCodeName(recorded),
              });
            }
            valid = derived === TxValidationCode.VALID && recorded === TxValidationCode.VALID;
          }
          if (valid && t.type === 'ENDORSER_TRANSACTION') {
            const r = await recheckStatement(world, b.number, t);
            r.findings.forEach(report);
            if (r.kind) count(statements, r.kind);
          }
        }
        if (t.config && t.validationCode === TxValidationCode.VALID && b.number > 0) {
          mspSet = { msps: mspsFromConfig(t.config) };
          mspVersion++;
          lastConfig = b.number;
        }
        if (valid) for (const k of World.writtenKeys(t)) updated.add(k);
        world.apply(t, b.number, valid);
      }
      opts.onBlock?.({ block: b.number, last, transactions: tx.total });
    }
    if (expected <= last) report({ kind: 'source', block: expected, detail: `blocks ${expected}–${last} are missing` });
    await Promise.all(pending);
  } finally {
    await pool.close();
  }

  // The rebuilt state against the ledger's own, and against the store's projection.
  const complete = from === 0 && last === source.height - 1 && stateKnown;
  let stateCompared = false;
  if (complete && source.state) {
    stateCompared = true;
    for (const [k, v] of world.state) {
      const theirs = source.state.get(k);
      const [ns, key] = [k.slice(0, k.indexOf('\u0000')), k.slice(k.indexOf('\u0000') + 1)];
      if (!theirs) report({ kind: 'state', key, detail: `the ledger's state lacks this ${ns} key`, expected: v.value.toString('utf8'), actual: '(absent)' });
      else if (!theirs.value.equals(v.value)) report({ kind: 'state', key, detail: `the ledger's state holds another value`, expected: v.value.toString('utf8'), actual: theirs.value.toString('utf8') });
      else if (theirs.version.block !== v.version.block || theirs.version.tx !== v.version.tx) {
        report({ kind: 'state', key, detail: 'the ledger records another version', expected: `${v.version.block}:${v.version.tx}`, actual: `${theirs.version.block}:${theirs.version.tx}` });
      }
    }
    for (const [k, theirs] of source.state) {
      if (!world.state.has(k)) report({ kind: 'state', key: k.slice(k.indexOf('\u0000') + 1), detail: 'the ledger holds a key no valid transaction wrote', expected: '(absent)', actual: theirs.value.toString('utf8') });
    }
  }

  const anchors: AnchorRecord[] = [];
  const issuers: IssuerRecord[] = [];
  for (const [k, v] of world.state) {
    if (k.startsWith(ANCHOR_PREFIX)) anchors.push(JSON.parse(v.value.toString('utf8')) as AnchorRecord);
    else if (k.startsWith(ISSUER_PREFIX)) issuers.push(JSON.parse(v.value.toString('utf8')) as IssuerRecord);
  }

  let storeCompared = false;
  if (opts.store && complete) {
    storeCompared = true;
    const fields = ['type', 'issuer', 'kid', 'digest', 'holderRef', 'validFrom', 'validUntil', 'status', 'statusReason', 'anchoredAt', 'txId', 'updatedAt'] as const;
    for (const a of anchors) {
      const p = await opts.store.getAnchor(a.id);
      if (!p) {
        report({ kind: 'store', key: a.id, detail: "the store's projection lacks this anchor" });
        continue;
      }
      const proj = p as unknown as Record<string, unknown>;
      const led = a as unknown as Record<string, unknown>;
      for (const f of fields) {
        if (proj[f] !== led[f]) {
          report({ kind: 'store', key: a.id, detail: `the store's projection differs in ${f}`, expected: String(led[f] ?? '(none)'), actual: String(proj[f] ?? '(none)') });
        }
      }
    }
    const projected = await opts.store.listIssuers();
    for (const i of issuers) {
      const p = projected.find((x) => x.issuer.id === i.id);
      if (!p) report({ kind: 'store', key: i.id, detail: "the store's projection lacks this issuer" });
      else if (JSON.stringify(p.issuer) !== JSON.stringify(i)) {
        report({ kind: 'store', key: i.id, detail: "the store's projection of this issuer differs", expected: JSON.stringify(i), actual: JSON.stringify(p.issuer) });
      }
    }
    for (const p of projected) {
      if (!issuers.some((i) => i.id === p.issuer.id)) report({ kind: 'store', key: p.issuer.id, detail: 'the store knows an issuer the ledger does not' });
    }
  }

  const byType: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const a of anchors) {
    count(byType, a.type);
    count(byStatus, a.status);
  }
  const issuerStatus: Record<string, number> = {};
  const keys = { total: 0, retired: 0, compromised: 0 };
  for (const i of issuers) {
    count(issuerStatus, i.status);
    for (const k of i.keys) {
      keys.total++;
      if (k.retiredAt) keys.retired++;
      if (k.revokedAt) keys.compromised++;
    }
  }
  const elapsedMs = Date.now() - started;
  return {
    ok: findingsTotal === 0,
    findings,
    findingsTotal,
    summary: {
      source: source.describe,
      blocks: { from, to: last, checked },
      transactions: tx,
      statements,
      signaturesVerified: signatures,
      credentials: { total: anchors.length, byType, byStatus },
      issuers: { total: issuers.length, byStatus: issuerStatus, keys },
      stateCompared,
      storeCompared,
      elapsedMs,
      txPerSecond: elapsedMs ? Math.round((tx.total / elapsedMs) * 1000) : 0,
    },
  };
}
