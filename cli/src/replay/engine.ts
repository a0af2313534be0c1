/**
 * The auditor's replay. For every block from 0, in order:
 *   1. encoding, number, header chain (previous_hash), data_hash;
 *   2. signatures — orderer, creators, endorsers, with certificates chained to the MSP
 *      roots of the config in force;
 *   3. each transaction's validation code, by re-running MVCC validation itself;
 *   4. each valid statement, re-applied with the contract's rules to the state of that
 *      moment: same writes, same event;
 *   5. at the end, the rebuilt world state against the ledger's current state and,
 *      optionally, the store's projection.
 * Trust nothing but mathematics: every finding names block, transaction and key.
 *
 * Threads. Everything that needs no world state — decoding, encoding, data_hash, every
 * signature and certificate chain, and the statement rechecks (given the values the
 * transaction read) — runs on worker threads (./pool, ./check), several blocks ahead.
 * The main thread only does what must be sequential: the chain link, MVCC validation,
 * the world state, and handing each valid statement the values it read.
 */
import { TxValidationCode, validationCodeName, type MspInfo } from '@anxin/network';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import type { Store } from '@anxin/gateway/store';
import { createHash } from 'node:crypto';
import type { CheckResult, RecheckResult, RecheckTx } from './check';
import type { Finding } from './findings';
import { CheckPool, type Dispatched } from './pool';
import { DEFAULT_CHAINCODE, SourceError, type BlockSource, type RawBlock } from './source';
import { anxinReads } from './statements';
import { World } from './world';

export interface ReplayOptions {
  from?: number;
  to?: number;
  /** Worker threads for the state-free checks; 0 = all in the main thread. */
  workers?: number;
  store?: Store;
  /** Called after each block. */
  onBlock?(p: { block: number; first: number; last: number; transactions: number }): void;
  /** List at most this many findings (the rest are counted, not listed). */
  maxFindings?: number;
  /** Blocks in flight on the workers ahead of the main thread (default 6 per worker). */
  window?: number;
  /** Keep the rebuilt world state in the result (`world`, not enumerable: not in JSON). */
  keepWorld?: boolean;
  /** The name the Anxin chaincode has on this ledger (default: what the source says, else 'anxin'). */
  chaincode?: string;
}

export interface ReplaySummary {
  source: string;
  blocks: { from: number; to: number; checked: number };
  transactions: { total: number; valid: number; invalid: Record<string, number> };
  statements: Record<string, number>;
  /** Signatures verified: Fabric's (orderer, creators, endorsers) plus the statements' JWS. */
  signaturesVerified: number;
  signatures: { fabric: number; statements: number };
  credentials: { total: number; byType: Record<string, number>; byStatus: Record<string, number> };
  issuers: {
    total: number;
    byStatus: Record<string, number>;
    keys: { total: number; retired: number; compromised: number };
  };
  /** What the replay's trust rests on: block 0's hash and the MSP roots it names. Compare them with a trusted copy. */
  trustAnchors: { genesisBlockHash: string | null; msps: Array<{ mspId: string; rootCertSha256: string[] }> };
  /** Whether the rebuilt state is the whole state at the end of the range (every block from 0 read, no gap). */
  stateComplete: boolean;
  stateCompared: boolean;
  storeCompared: boolean;
  /** Why some checks could not run (e.g. a partial range), if any. */
  notes: string[];
  workers: number;
  elapsedMs: number;
  /** CPU time of the whole process (every thread) during the replay, ms. */
  cpuMs: number;
  txPerSecond: number;
}

export interface ReplayResult {
  ok: boolean;
  findings: Finding[];
  findingsTotal: number;
  summary: ReplaySummary;
  /** The rebuilt world state, with `keepWorld`. */
  world?: World;
}

export class ReplayUsageError extends Error {}

/** Counts in a stable order: the known keys first, in this order, then the rest by name. */
function ordered(map: Record<string, number>, first: readonly string[]): Record<string, number> {
  const keys = [
    ...first.filter((k) => k in map),
    ...Object.keys(map)
      .filter((k) => !first.includes(k))
      .sort(),
  ];
  return Object.fromEntries(keys.map((k) => [k, map[k]!]));
}
const KIND_ORDER = [
  'init',
  'registerIssuer',
  'updateIssuer',
  'addKey',
  'retireKey',
  'revokeKey',
  'anchor',
  'suspend',
  'reinstate',
  'revoke',
];
const STATUS_ORDER = ['active', 'suspended', 'revoked'];

/** Codes the replay re-derives itself. */
const REDERIVABLE: number[] = [
  TxValidationCode.VALID,
  TxValidationCode.MVCC_READ_CONFLICT,
  TxValidationCode.PHANTOM_READ_CONFLICT,
  TxValidationCode.DUPLICATE_TXID,
];

function count(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

function rootFingerprints(msps: MspInfo[]): ReplaySummary['trustAnchors']['msps'] {
  return msps.map((m) => ({
    mspId: m.mspId,
    rootCertSha256: m.rootCerts.map((pem) => {
      const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
      return createHash('sha256').update(der).digest('hex');
    }),
  }));
}

interface Queued {
  raw: RawBlock;
  check: boolean;
  genesis: boolean;
  d: Dispatched;
}

export async function replay(source: BlockSource, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const start = source.start ?? 0;
  const from = Math.max(opts.from ?? start, start);
  const last = Math.min(opts.to ?? source.height - 1, source.height - 1);
  if (from > last)
    throw new ReplayUsageError(
      `nothing to replay: blocks ${from}–${last} (the source holds blocks ${start}–${source.height - 1})`,
    );
  const maxFindings = opts.maxFindings ?? 1000;
  const chaincode = opts.chaincode ?? source.chaincode ?? DEFAULT_CHAINCODE;
  const ANCHOR_PREFIX = `${chaincode}\u0000\u0000anchor\u0000`;
  const ISSUER_PREFIX = `${chaincode}\u0000\u0000issuer\u0000`;
  const workers = opts.workers ?? 0;
  const keepFindings = Math.max(maxFindings, 10_000);
  const findings: Finding[] = [];
  let findingsTotal = 0;
  const report = (f: Finding) => {
    findingsTotal++;
    if (findings.length < keepFindings) findings.push(f);
  };
  const notes: string[] = [];

  const world = new World();
  const pool = new CheckPool(workers);
  const window = Math.max(1, opts.window ?? Math.max(2, workers * 6));
  const queue: Queued[] = [];
  const rechecks: Array<Promise<void>> = [];
  let mspKnown = false;
  let mspVersion = 0;
  let lastConfig = 0;
  let previousHash: Uint8Array | undefined;
  let expected = 0;
  const tx = { total: 0, valid: 0, invalid: {} as Record<string, number> };
  const statements: Record<string, number> = {};
  let signatures = 0;
  let checked = 0;
  let stateKnown = true;
  let genesisHash: string | null = null;
  let trustMsps: MspInfo[] = [];

  const dispatch = (raw: RawBlock, genesis: boolean): Queued => {
    const check = raw.number >= from;
    return {
      raw,
      check,
      genesis,
      d: pool.check({ number: raw.number, bytes: raw.bytes, check, genesis, fabric: source.fabric, chaincode }),
    };
  };

  let statementSignatures = 0;
  const onRecheck = (r: RecheckResult) => {
    r.findings.forEach(report);
    for (const [k, v] of Object.entries(r.kinds)) {
      count(statements, k, v);
      if (k !== 'init') statementSignatures += v; // init carries keys, not a signed statement
    }
  };

  /** Everything sequential about one block, once its state-free checks are back. */
  const processNext = async (): Promise<void> => {
    const q = queue.shift()!;
    const n = q.raw.number;
    let r: CheckResult;
    try {
      r = await q.d.result;
    } catch (e) {
      throw new Error(`block ${n} could not be checked: ${(e as Error).message}`);
    }
    if (n !== expected) {
      if (n < start || expected < start) {
        // Context blocks (a partial export's config) and the range that follows them: a gap by design.
        stateKnown = stateKnown && n === expected;
      } else {
        report({
          kind: 'source',
          block: expected,
          detail:
            n > expected
              ? `block ${expected}${n - 1 > expected ? `–${n - 1}` : ''} is missing: the next block read is numbered ${n}`
              : `block ${n} comes again after block ${expected - 1}`,
        });
        stateKnown = false;
      }
      previousHash = undefined;
    }
    expected = n + 1;
    if (!r.ok) {
      report({ kind: 'encoding', block: n, detail: `the block does not decode: ${r.error}` });
      previousHash = undefined;
      stateKnown = false;
      if (q.check) pool.drop(q.d);
      return;
    }
    if (q.check) {
      checked++;
      signatures += r.signatures;
      r.findings.forEach(report);
      if (r.number !== n)
        report({
          kind: 'source',
          block: n,
          detail: 'the block at this position carries another number',
          expected: String(n),
          actual: String(r.number),
        });
      if (n === 0 && r.previousHash.length)
        report({
          kind: 'chain',
          block: 0,
          detail: 'block 0 names a previous block',
          expected: '(empty)',
          actual: hex(r.previousHash),
        });
      if (previousHash && !eq(r.previousHash, previousHash)) {
        report({
          kind: 'chain',
          block: n,
          detail: 'previous_hash is not the hash of the previous header',
          expected: hex(previousHash),
          actual: hex(r.previousHash),
        });
      }
      // A config block names itself as the last config; any other block the one before it.
      const configHere = r.txs.some((t) => t.msps && t.code === TxValidationCode.VALID);
      const lc = configHere ? n : lastConfig;
      if (r.lastConfigSlot !== undefined && r.lastConfigSlot !== lc)
        report({
          kind: 'metadata',
          block: n,
          detail: 'LAST_CONFIG names another block',
          expected: String(lc),
          actual: String(r.lastConfigSlot),
        });
      if (r.lastConfigSigned !== undefined && r.lastConfigSigned !== lc)
        report({
          kind: 'metadata',
          block: n,
          detail: 'the signed metadata names another config block',
          expected: String(lc),
          actual: String(r.lastConfigSigned),
        });
    }
    if (n === 0) genesisHash = hex(r.hash);
    previousHash = r.hash;

    // Validation codes and statements, in block order, on the rebuilt state.
    const updated = new Set<string>();
    const todo: RecheckTx[] = [];
    const at = (t: { index: number; txId: string }) => ({ block: n, tx: t.index, txId: t.txId });
    let configChanged: MspInfo[] | undefined;
    for (const t of r.txs) {
      const recorded = t.code;
      if (q.check) {
        tx.total++;
        if (recorded === TxValidationCode.VALID) tx.valid++;
        else count(tx.invalid, validationCodeName(recorded));
      }
      let valid = recorded === TxValidationCode.VALID;
      if (q.check && stateKnown) {
        const derived = world.validate(t, updated);
        if (derived !== recorded) {
          if (recorded === TxValidationCode.VALID || REDERIVABLE.includes(recorded)) {
            report({
              kind: 'validationCode',
              ...at(t),
              detail: 'TRANSACTIONS_FILTER disagrees with re-validation',
              expected: validationCodeName(derived),
              actual: validationCodeName(recorded),
            });
          } else if (!source.fabric) {
            report({
              kind: 'validationCode',
              ...at(t),
              detail: 'this ledger never gives this validation code',
              expected: validationCodeName(derived),
              actual: validationCodeName(recorded),
            });
          }
          // Codes this replay cannot re-derive (e.g. Fabric's endorsement policy) are accepted as invalid, never as valid.
          valid = derived === TxValidationCode.VALID && recorded === TxValidationCode.VALID;
        }
        if (valid && t.fn !== undefined) {
          if (t.stateChanging) {
            const pre = anxinReads(t, chaincode).map((k): [string, Uint8Array | null] => [
              k,
              world.get(chaincode, k)?.value ?? null,
            ]);
            todo.push({ index: t.index, pre });
          } else {
            const wrote = t.rwsets.filter((s) => s.namespace === chaincode).reduce((s, x) => s + x.writes.length, 0);
            if (wrote)
              report({
                kind: 'writeSet',
                ...at(t),
                detail: `${t.fn || '(no function)'} is not a state-changing transaction, yet it wrote ${wrote} keys`,
              });
          }
        }
      }
      if (t.msps && valid) {
        if (!mspKnown) {
          trustMsps = t.msps;
          mspKnown = true;
          mspVersion++;
          pool.setMsps(mspVersion, { msps: t.msps });
        } else if (n > 0) {
          configChanged = t.msps;
        }
        lastConfig = n;
      }
      if (valid) for (const k of World.writtenKeys(t)) updated.add(k);
      world.apply(t, n, valid);
    }
    if (!mspKnown) {
      // The first block declared no MSPs: nothing later can be judged by a root.
      mspKnown = true;
      mspVersion++;
      pool.setMsps(mspVersion, { msps: [] });
    }
    if (q.check) {
      const p = pool
        .recheck(q.d, todo)
        .then(onRecheck, (e: Error) =>
          report({ kind: 'statement', block: n, detail: `statements could not be re-checked: ${e.message}` }),
        );
      rechecks.push(p);
      if (rechecks.length > 4 * window) await Promise.all(rechecks.splice(0, 2 * window));
    }
    if (configChanged) {
      // A new configuration: blocks already sent out were judged by the old one. Send them again.
      mspVersion++;
      pool.setMsps(mspVersion, { msps: configChanged });
      for (const other of queue) {
        const old = other.d;
        if (other.check)
          old.result.then(
            () => pool.drop(old),
            () => undefined,
          );
        Object.assign(other, dispatch(other.raw, false));
      }
    }
    opts.onBlock?.({ block: n, first: from, last, transactions: tx.total });
  };

  try {
    try {
      for await (const raw of source.blocks(0)) {
        if (raw.number > last) break;
        // Until the first block's MSPs are known, nothing else can be judged: one block at a time.
        if (!mspKnown) while (queue.length) await processNext();
        queue.push(dispatch(raw, !mspKnown));
        while (queue.length >= (mspKnown ? window : 1)) await processNext();
      }
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      while (queue.length) await processNext();
      report({ kind: 'source', block: expected, detail: e.message });
      stateKnown = false;
    }
    while (queue.length) await processNext();
    if (expected <= last) {
      report({
        kind: 'source',
        block: expected,
        detail: expected === last ? `block ${last} is missing` : `blocks ${expected}–${last} are missing`,
      });
      stateKnown = false;
    }
    await Promise.all(rechecks);
  } finally {
    await pool.close();
  }

  // The rebuilt state against the ledger's own, and against the store's projection.
  const complete = from === 0 && last === source.height - 1 && stateKnown;
  if (start > 0)
    notes.push(
      `the source starts at block ${start}: validation codes, statements and state need every block from 0, so only encoding, hashes and signatures were checked`,
    );
  else if (from > 0) notes.push(`blocks before ${from} were read to rebuild the state but not checked`);
  if (last < source.height - 1) notes.push(`blocks after ${last} were not read`);
  let stateCompared = false;
  if (complete && source.state) {
    stateCompared = true;
    for (const [k, v] of world.state) {
      const theirs = source.state.get(k);
      const [ns, key] = [k.slice(0, k.indexOf('\u0000')), k.slice(k.indexOf('\u0000') + 1)];
      if (!theirs)
        report({
          kind: 'state',
          key,
          detail: `the ledger's state lacks this ${ns} key`,
          expected: text(v.value),
          actual: '(absent)',
        });
      else if (!eq(theirs.value, v.value))
        report({
          kind: 'state',
          key,
          detail: `the ledger's state holds another value`,
          expected: text(v.value),
          actual: text(theirs.value),
        });
      else if (theirs.version.block !== v.version.block || theirs.version.tx !== v.version.tx) {
        report({
          kind: 'state',
          key,
          detail: 'the ledger records another version',
          expected: `${v.version.block}:${v.version.tx}`,
          actual: `${theirs.version.block}:${theirs.version.tx}`,
        });
      }
    }
    for (const [k, theirs] of source.state) {
      if (!world.state.has(k))
        report({
          kind: 'state',
          key: k.slice(k.indexOf('\u0000') + 1),
          detail: 'the ledger holds a key no valid transaction wrote',
          expected: '(absent)',
          actual: text(theirs.value),
        });
    }
  } else if (complete && !source.state) {
    notes.push(
      "the source has no copy of the ledger's current state to compare with (only an embedded data directory has one)",
    );
  }

  const anchors: Array<AnchorRecord & { version: { block: number; tx: number } }> = [];
  const issuers: Array<IssuerRecord & { version: { block: number; tx: number } }> = [];
  const parse = <T>(k: string, v: Uint8Array): T | undefined => {
    try {
      const x = JSON.parse(text(v)) as unknown;
      if (x && typeof x === 'object') return x as T;
    } catch {
      // reported below
    }
    report({
      kind: 'state',
      key: k.slice(k.indexOf('\u0000') + 1),
      detail:
        'the rebuilt state holds a record that is not JSON (written by a transaction the checks above already flag)',
    });
    return undefined;
  };
  for (const [k, v] of world.state) {
    if (k.startsWith(ANCHOR_PREFIX)) {
      const a = parse<AnchorRecord>(k, v.value);
      if (a) anchors.push({ ...a, version: v.version });
    } else if (k.startsWith(ISSUER_PREFIX)) {
      const i = parse<IssuerRecord>(k, v.value);
      if (i) issuers.push({ ...i, version: v.version });
    }
  }

  let storeCompared = false;
  if (opts.store && !complete)
    notes.push('the store was not compared: that needs a complete replay from block 0 to the end');
  if (opts.store && complete) {
    storeCompared = true;
    const height = last + 1;
    const cp = await opts.store.getCheckpoint('projection');
    if (!cp || cp.block < height) {
      report({
        kind: 'store',
        detail: `the store's projection has applied the ledger only up to block ${cp ? cp.block - 1 : -1}; the ledger has ${height} blocks`,
        expected: String(height),
        actual: String(cp?.block ?? 0),
      });
    }
    const fields = [
      'type',
      'issuer',
      'kid',
      'digest',
      'holderRef',
      'validFrom',
      'validUntil',
      'status',
      'statusReason',
      'anchoredAt',
      'txId',
      'updatedAt',
    ] as const;
    let newer = 0;
    for (const a of anchors) {
      const p = await opts.store.getAnchor(a.id);
      if (!p) {
        if (cp && a.version.block < cp.block)
          report({ kind: 'store', key: a.id, detail: "the store's projection lacks this anchor" });
        continue;
      }
      if (p.updatedBlock > a.version.block || (p.updatedBlock === a.version.block && p.updatedTx > a.version.tx)) {
        if (p.updatedBlock >= height) {
          newer++; // changed after the height this replay covers (a running gateway)
          continue;
        }
      }
      const proj = p as unknown as Record<string, unknown>;
      const led = a as unknown as Record<string, unknown>;
      for (const f of fields) {
        if (proj[f] !== led[f]) {
          report({
            kind: 'store',
            key: a.id,
            detail: `the store's projection differs in ${f}`,
            expected: String(led[f] ?? '(none)'),
            actual: String(proj[f] ?? '(none)'),
          });
        }
      }
      const anchoring = world.txs.get(a.txId);
      if (anchoring && p.block !== anchoring.block) {
        report({
          kind: 'store',
          key: a.id,
          detail: "the store's projection names another anchoring block",
          expected: String(anchoring.block),
          actual: String(p.block),
        });
      }
      if (p.updatedBlock !== a.version.block || p.updatedTx !== a.version.tx) {
        report({
          kind: 'store',
          key: a.id,
          detail: "the store's projection names another last change",
          expected: `${a.version.block}:${a.version.tx}`,
          actual: `${p.updatedBlock}:${p.updatedTx}`,
        });
      }
    }
    const projected = await opts.store.listIssuers();
    for (const i of issuers) {
      const { version, ...record } = i;
      const p = projected.find((x) => x.issuer.id === i.id);
      if (!p) report({ kind: 'store', key: i.id, detail: "the store's projection lacks this issuer" });
      else if (p.updatedBlock >= height) newer++;
      else if (JSON.stringify(p.issuer) !== JSON.stringify(record)) {
        report({
          kind: 'store',
          key: i.id,
          detail: "the store's projection of this issuer differs",
          expected: JSON.stringify(record),
          actual: JSON.stringify(p.issuer),
        });
      } else if (p.updatedBlock !== version.block || p.updatedTx !== version.tx) {
        report({
          kind: 'store',
          key: i.id,
          detail: "the store's projection names another last change",
          expected: `${version.block}:${version.tx}`,
          actual: `${p.updatedBlock}:${p.updatedTx}`,
        });
      }
    }
    for (const p of projected) {
      if (p.updatedBlock < height && !issuers.some((i) => i.id === p.issuer.id))
        report({ kind: 'store', key: p.issuer.id, detail: 'the store knows an issuer the ledger does not' });
    }
    if (newer)
      notes.push(
        `${newer} records in the store were changed after block ${height - 1} (the replay's end) and were not compared`,
      );
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
    for (const k of Array.isArray(i.keys) ? i.keys : []) {
      keys.total++;
      if (k.retiredAt) keys.retired++;
      if (k.revokedAt) keys.compromised++;
    }
  }
  // Findings in ledger order, whatever order the workers answered in.
  const order = (f: Finding) => [f.block ?? Number.MAX_SAFE_INTEGER, f.tx ?? -1];
  findings.sort((a, b) => {
    const [ab, at] = order(a);
    const [bb, bt] = order(b);
    return ab! - bb! || at! - bt!;
  });
  const elapsedMs = Math.round(performance.now() - started);
  const result: ReplayResult = {
    ok: findingsTotal === 0,
    findings: findings.slice(0, maxFindings),
    findingsTotal,
    summary: {
      source: source.describe,
      blocks: { from, to: last, checked },
      transactions: { ...tx, invalid: ordered(tx.invalid, []) },
      statements: ordered(statements, KIND_ORDER),
      signaturesVerified: signatures + statementSignatures,
      signatures: { fabric: signatures, statements: statementSignatures },
      credentials: { total: anchors.length, byType: ordered(byType, []), byStatus: ordered(byStatus, STATUS_ORDER) },
      issuers: { total: issuers.length, byStatus: ordered(issuerStatus, STATUS_ORDER), keys },
      trustAnchors: { genesisBlockHash: genesisHash, msps: rootFingerprints(trustMsps) },
      stateComplete: stateKnown && start === 0,
      stateCompared,
      storeCompared,
      notes,
      workers,
      elapsedMs,
      cpuMs: Math.round(((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpuStarted))),
      txPerSecond: elapsedMs ? Math.round((tx.total / elapsedMs) * 1000) : 0,
    },
  };
  if (opts.keepWorld) Object.defineProperty(result, 'world', { value: world, enumerable: false });
  return result;
}
