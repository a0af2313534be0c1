/**
 * Re-applying each valid transaction's statement with the contract's own rules, on the
 * rebuilt state as it stood just before that transaction: the statement must verify
 * against the keys of that moment, and the rules must produce exactly the writes and
 * the event the ledger recorded.
 */
import {
  KEY_PREFIX,
  REGISTRAR_KEY,
  Rejection,
  addKey,
  anchor,
  canonicalBytes,
  changeStatus,
  compositeKey,
  initLedger,
  registerIssuer,
  retireKey,
  revokeKey,
  updateIssuer,
  type Effect,
  type LedgerState,
  type StatementMark,
  type TxContext,
} from '@anxin/chaincode/rules';
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';
import type { DecodedTx } from '@anxin/network';
import type { Finding } from './findings';
import type { World } from './world';

export const CHAINCODE = 'anxin';

/** LedgerState over the rebuilt world: reads see the state before the transaction; writes are collected. */
class ReplayState implements LedgerState {
  readonly writes = new Map<string, Buffer>();
  constructor(
    private readonly world: World,
    private readonly ns: string,
  ) {}
  private read<T>(key: string): Promise<T | undefined> {
    const v = this.world.get(this.ns, key);
    return Promise.resolve(v ? (JSON.parse(v.value.toString('utf8')) as T) : undefined);
  }
  private write(key: string, value: unknown): Promise<void> {
    this.writes.set(key, canonicalBytes(value));
    return Promise.resolve();
  }
  getRegistrar() {
    return this.read<RegistrarRecord>(REGISTRAR_KEY);
  }
  getIssuer(id: string) {
    return this.read<IssuerRecord>(compositeKey(KEY_PREFIX.issuer, id));
  }
  getAnchor(id: string) {
    return this.read<AnchorRecord>(compositeKey(KEY_PREFIX.anchor, id));
  }
  getStatement(jti: string) {
    return this.read<StatementMark>(compositeKey(KEY_PREFIX.statement, jti));
  }
  putRegistrar(r: RegistrarRecord) {
    return this.write(REGISTRAR_KEY, r);
  }
  putIssuer(r: IssuerRecord) {
    return this.write(compositeKey(KEY_PREFIX.issuer, r.id), r);
  }
  putAnchor(r: AnchorRecord) {
    return this.write(compositeKey(KEY_PREFIX.anchor, r.id), r);
  }
  putStatement(jti: string, mark: StatementMark) {
    return this.write(compositeKey(KEY_PREFIX.statement, jti), mark);
  }
}

type Rule = (s: LedgerState, arg: string, tx: TxContext) => Promise<Effect<unknown>>;

const RULES: Record<string, Rule> = {
  init: initLedger,
  registerIssuer,
  updateIssuer,
  addKey,
  retireKey,
  revokeKey,
  anchor,
  revoke: (s, a, t) => changeStatus(s, 'revoke', a, t),
  suspend: (s, a, t) => changeStatus(s, 'suspend', a, t),
  reinstate: (s, a, t) => changeStatus(s, 'reinstate', a, t),
};

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** The statements a valid transaction carried, re-applied; findings when anything differs. */
export async function recheckStatement(world: World, block: number, tx: DecodedTx): Promise<{ findings: Finding[]; kind?: string }> {
  const findings: Finding[] = [];
  const at = { block, tx: tx.index, txId: tx.txId };
  for (const a of tx.actions) {
    if (a.chaincode.name !== CHAINCODE) continue;
    const fn = a.args[0] ? text(a.args[0]) : '';
    const recorded = a.rwsets.find((s) => s.namespace === CHAINCODE)?.writes ?? [];
    const rule = RULES[fn];
    if (!rule) {
      // A read-only function committed as a transaction: harmless only if it wrote nothing.
      if (recorded.length) findings.push({ kind: 'writeSet', ...at, detail: `${fn || '(no function)'} is not a state-changing transaction, yet it wrote ${recorded.length} keys` });
      continue;
    }
    const state = new ReplayState(world, CHAINCODE);
    let effect: Effect<unknown>;
    try {
      effect = await rule(state, a.args[1] ? text(a.args[1]) : '', { txId: tx.txId, time: tx.timestamp.toISOString() });
    } catch (e) {
      if (e instanceof Rejection) {
        findings.push({ kind: 'statement', ...at, detail: `${fn}: the contract's rules refuse it at this point: ${e.code} (${e.detail})` });
        continue;
      }
      throw e;
    }
    const expected = new Map(state.writes);
    for (const w of recorded) {
      const exp = expected.get(w.key);
      if (w.isDelete || !exp || !exp.equals(Buffer.from(w.value))) {
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
      findings.push({ kind: 'writeSet', ...at, key, detail: `${fn} should have written this key`, expected: v.toString('utf8'), actual: '(no write)' });
    }
    const ev = a.event;
    const evExpected = canonicalBytes(effect.event.payload);
    if (!ev || ev.name !== effect.event.name || !Buffer.from(ev.payload).equals(evExpected)) {
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
  return { findings };
}
