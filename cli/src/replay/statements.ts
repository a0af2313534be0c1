/**
 * Re-applying each valid transaction's statement with the contract's own rules
 * (`@anxin/chaincode/rules`), on the state as it stood just before that transaction: the
 * statement must verify against the keys of that moment, and the rules must produce
 * exactly the writes and the event the ledger recorded.
 *
 * The state of that moment is given as the values of the keys the transaction's read
 * set names (Fabric records every key a chaincode reads; for a valid transaction MVCC
 * guarantees those are the committed values). The rules may read nothing else: a read
 * outside the read set is itself a finding. So a recheck needs no world state and runs
 * on a worker thread, in parallel with the others.
 */
import {
  KeyValueLedgerState,
  Rejection,
  STATEMENT_FUNCTIONS,
  canonicalBytes,
  ruleFor,
  type Effect,
} from '@anxin/chaincode/rules';
import type { DecodedTx } from '@anxin/network';
import type { Finding } from './findings';

/** A key the transaction read, with its committed value before it (null: absent). */
export type PreState = Array<[key: string, value: Uint8Array | null]>;

/** The contract's rules read a key the transaction's read set does not record: itself a finding. */
class OutsideReadSet extends Error {
  readonly code = 'READ_OUTSIDE_READ_SET';
  constructor(readonly key: string) {
    super(`read of ${key} outside the read set`);
    this.name = 'OutsideReadSet';
  }
}

/** LedgerState over the pre-state: reads see the state before the transaction; writes are collected. */
class ReplayState extends KeyValueLedgerState {
  readonly writes = new Map<string, Buffer>();
  private readonly pre: Map<string, Uint8Array | null>;
  constructor(pre: PreState) {
    super();
    this.pre = new Map(pre);
  }
  protected readRaw(key: string): Promise<Uint8Array | undefined> {
    if (!this.pre.has(key)) return Promise.reject(new OutsideReadSet(key));
    return Promise.resolve(this.pre.get(key) ?? undefined);
  }
  protected writeRaw(key: string, value: Buffer): Promise<void> {
    this.writes.set(key, value);
    return Promise.resolve();
  }
}

/** Functions that change state (the others are queries, which must write nothing). */
export const STATE_CHANGING = new Set<string>(STATEMENT_FUNCTIONS);

const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/**
 * The Anxin chaincode call of a transaction (`chaincode`: the name it has on this ledger):
 * its function name, or undefined when it calls no Anxin function.
 */
export function anxinCall(
  tx: DecodedTx,
  chaincode: string,
): { fn: string; action: DecodedTx['actions'][number] } | undefined {
  const a = tx.actions.find((x) => x.chaincode.name === chaincode);
  return a ? { fn: a.args[0] ? text(a.args[0]) : '', action: a } : undefined;
}

/** The Anxin keys a transaction's read set names (what its pre-state must hold). */
export function anxinReads(
  tx: { rwsets: Array<{ namespace: string; reads: Array<{ key: string }> }> },
  chaincode: string,
): string[] {
  const keys: string[] = [];
  for (const s of tx.rwsets) if (s.namespace === chaincode) for (const r of s.reads) keys.push(r.key);
  return keys;
}

/** The statement a valid transaction carried, re-applied on its pre-state; findings when anything differs. */
export async function recheckStatement(
  block: number,
  tx: DecodedTx,
  pre: PreState,
  chaincode: string,
): Promise<{ findings: Finding[]; kind?: string }> {
  const findings: Finding[] = [];
  const at = { block, tx: tx.index, txId: tx.txId };
  const call = anxinCall(tx, chaincode);
  if (!call) return { findings };
  const { fn, action: a } = call;
  const recorded = a.rwsets.find((s) => s.namespace === chaincode)?.writes ?? [];
  const rule = ruleFor(fn);
  if (!rule) {
    // A query function committed as a transaction: harmless only if it wrote nothing.
    if (recorded.length)
      findings.push({
        kind: 'writeSet',
        ...at,
        detail: `${fn || '(no function)'} is not a state-changing transaction, yet it wrote ${recorded.length} keys`,
      });
    return { findings };
  }
  const state = new ReplayState(pre);
  let effect: Effect<unknown>;
  try {
    effect = await rule(state, a.args[1] ? text(a.args[1]) : '', { txId: tx.txId, time: tx.timestamp.toISOString() });
  } catch (e) {
    if (e instanceof Rejection) {
      findings.push({
        kind: 'statement',
        ...at,
        detail: `${fn}: the contract's rules refuse it at this point: ${e.code} (${e.detail})`,
      });
      return { findings, kind: fn };
    }
    if (e instanceof OutsideReadSet) {
      findings.push({
        kind: 'statement',
        ...at,
        key: e.key,
        detail: `${fn}: the contract's rules read a key the transaction's read set does not record`,
      });
      return { findings, kind: fn };
    }
    findings.push({
      kind: 'statement',
      ...at,
      detail: `${fn}: the contract's rules fail on it: ${(e as Error).message}`,
    });
    return { findings, kind: fn };
  }
  const expected = new Map(state.writes);
  for (const w of recorded) {
    const exp = expected.get(w.key);
    if (w.isDelete || !exp || !exp.equals(w.value)) {
      findings.push({
        kind: 'writeSet',
        ...at,
        key: w.key,
        detail: `${fn} wrote something its statement does not produce`,
        expected: exp ? exp.toString('utf8') : '(no write)',
        actual: w.isDelete ? '(delete)' : text(w.value),
      });
    }
    expected.delete(w.key);
  }
  for (const [key, v] of expected) {
    findings.push({
      kind: 'writeSet',
      ...at,
      key,
      detail: `${fn} should have written this key`,
      expected: v.toString('utf8'),
      actual: '(no write)',
    });
  }
  const ev = a.event;
  const evExpected = canonicalBytes(effect.event.payload);
  if (ev && (ev.txId !== tx.txId || ev.chaincodeId !== chaincode)) {
    findings.push({
      kind: 'event',
      ...at,
      detail: `${fn}: the event names another transaction or chaincode`,
      expected: `${tx.txId} ${chaincode}`,
      actual: `${ev.txId} ${ev.chaincodeId}`,
    });
  }
  const expectedResult = canonicalBytes(effect.result);
  // The contract answers with canonical JSON; any other encoding of the same value is accepted too.
  const sameResult = () => {
    if (expectedResult.equals(a.response.payload)) return true;
    try {
      return canonicalBytes(JSON.parse(text(a.response.payload))).equals(expectedResult);
    } catch {
      return false;
    }
  };
  if (a.response.status !== 200 || !sameResult()) {
    findings.push({
      kind: 'response',
      ...at,
      detail: `${fn}: the endorsed response is not what the statement produces`,
      expected: `200 ${expectedResult.toString('utf8')}`,
      actual: `${a.response.status} ${text(a.response.payload)}`,
    });
  }
  if (!ev || ev.name !== effect.event.name || !evExpected.equals(ev.payload)) {
    findings.push({
      kind: 'event',
      ...at,
      detail: `${fn}: the event differs from what the statement produces`,
      expected: `${effect.event.name} ${evExpected.toString('utf8')}`,
      actual: ev ? `${ev.name} ${text(ev.payload)}` : '(none)',
    });
  }
  return { findings, kind: fn };
}
