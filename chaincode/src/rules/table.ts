/**
 * The state-changing transactions and the rule behind each: what the contract runs, and
 * what an auditor re-runs.
 */
import type { LedgerState, TxContext } from '../state';
import { anchor, changeStatus } from './anchors';
import type { Effect } from './effect';
import { initLedger } from './init';
import { addKey, registerIssuer, retireKey, revokeKey, updateIssuer } from './issuers';

export type Rule = (state: LedgerState, arg: string, tx: TxContext) => Promise<Effect<unknown>>;

export const STATEMENT_RULES: Readonly<Record<string, Rule>> = {
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
