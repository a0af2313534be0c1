/**
 * The contract's rules without a ledger: a Map-backed LedgerState, a controllable
 * transaction clock, and one dispatcher that applies a statement of any kind.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  addKey,
  anchor,
  changeStatus,
  initLedger,
  Rejection,
  registerIssuer,
  retireKey,
  revokeKey,
  rotateRegistrar,
  updateIssuer,
  type Effect,
  type LedgerState,
  type RejectionCode,
  type StatementMark,
  type StatusListMark,
  type StatusSlotMark,
  type TxContext,
} from '@anxin/chaincode/rules';
import type { AnchorRecord, IssuerRecord, RegistrarRecord, StatementKind } from '@anxin/schemas';

/** LedgerState over Maps. Values are deep-copied in and out, as a real store would. */
export class MemoryState implements LedgerState {
  registrar?: RegistrarRecord;
  readonly issuers = new Map<string, IssuerRecord>();
  readonly anchors = new Map<string, AnchorRecord>();
  readonly marks = new Map<string, StatementMark>();
  readonly statusLists = new Map<string, StatusListMark>();
  readonly statusSlots = new Map<string, StatusSlotMark>();

  async getRegistrar() {
    return this.registrar && structuredClone(this.registrar);
  }
  async getIssuer(id: string) {
    const v = this.issuers.get(id);
    return v && structuredClone(v);
  }
  async getAnchor(id: string) {
    const v = this.anchors.get(id);
    return v && structuredClone(v);
  }
  async getStatement(jti: string) {
    const v = this.marks.get(jti);
    return v && structuredClone(v);
  }
  async putRegistrar(r: RegistrarRecord) {
    this.registrar = structuredClone(r);
  }
  async putIssuer(r: IssuerRecord) {
    this.issuers.set(r.id, structuredClone(r));
  }
  async putAnchor(r: AnchorRecord) {
    this.anchors.set(r.id, structuredClone(r));
  }
  async putStatement(jti: string, mark: StatementMark) {
    this.marks.set(jti, structuredClone(mark));
  }
  async getStatusList(list: string) {
    const v = this.statusLists.get(list);
    return v && structuredClone(v);
  }
  async putStatusList(list: string, mark: StatusListMark) {
    this.statusLists.set(list, structuredClone(mark));
  }
  async getStatusSlot(list: string, idx: number) {
    const v = this.statusSlots.get(`${list}/${idx}`);
    return v && structuredClone(v);
  }
  async putStatusSlot(list: string, idx: number, mark: StatusSlotMark) {
    this.statusSlots.set(`${list}/${idx}`, structuredClone(mark));
  }

  /** Everything, for comparing before/after a rejected statement. */
  snapshot(): unknown {
    return structuredClone({
      registrar: this.registrar,
      issuers: [...this.issuers.entries()],
      anchors: [...this.anchors.entries()],
      marks: [...this.marks.entries()],
      statusLists: [...this.statusLists.entries()],
      statusSlots: [...this.statusSlots.entries()],
    });
  }
}

/** Apply a statement of `kind` (or `init` with its JSON argument) through the rule the contract uses. */
export function applyStatement(
  state: LedgerState,
  kind: StatementKind | 'init',
  arg: string,
  tx: TxContext,
): Promise<Effect<unknown>> {
  switch (kind) {
    case 'init':
      return initLedger(state, arg, tx);
    case 'registerIssuer':
      return registerIssuer(state, arg, tx);
    case 'updateIssuer':
      return updateIssuer(state, arg, tx);
    case 'addKey':
      return addKey(state, arg, tx);
    case 'retireKey':
      return retireKey(state, arg, tx);
    case 'revokeKey':
      return revokeKey(state, arg, tx);
    case 'rotateRegistrar':
      return rotateRegistrar(state, arg, tx);
    case 'anchor':
      return anchor(state, arg, tx);
    case 'revoke':
    case 'suspend':
    case 'reinstate':
      return changeStatus(state, kind, arg, tx);
  }
}

/**
 * A transaction clock: `tx()` gives a fresh tx id at the current (settable) time, so
 * key windows and statement freshness can be tested without waiting.
 *
 * @example
 * const clock = new TxClock('2026-03-20T01:00:00Z');
 * clock.advance(3600);            // one hour later
 * await anchor(state, jws, clock.tx());
 */
export class TxClock {
  private ms: number;
  private n = 0;

  constructor(start: string | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : Date.parse(start);
  }

  /** Move the clock by `seconds` (may be negative). */
  advance(seconds: number): this {
    this.ms += seconds * 1000;
    return this;
  }

  /** Current time as ISO 8601 with milliseconds (what txContext gives). */
  get iso(): string {
    return new Date(this.ms).toISOString();
  }

  /** Current time in epoch seconds (for a statement's iat). */
  get iat(): number {
    return Math.floor(this.ms / 1000);
  }

  /** A transaction context at the current time with a fresh 64-hex tx id. */
  tx(): TxContext {
    const txId = createHash('sha256').update(`tx-${process.pid}-${this.ms}-${++this.n}`).digest('hex');
    return { txId, time: this.iso };
  }
}

/** Await `p` and assert it was refused with a Rejection carrying `code` (never the message text). */
export async function expectRejection(p: Promise<unknown>, code: RejectionCode): Promise<void> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected rejection ${code}, but it was accepted`).to.be.instanceOf(Rejection);
  expect((err as Rejection).code, String(err)).to.equal(code);
}
