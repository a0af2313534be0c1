/**
 * The state-changing transactions and the rule behind each: what the contract runs, and
 * what an auditor re-runs.
 */
import type { LedgerState, TxContext } from '../state';
import type { StatementFunction } from '../wire';
import { anchor, changeStatus } from './anchors';
import type { Effect } from './effect';
import { initLedger } from './init';
import { addKey, registerIssuer, retireKey, revokeKey, updateIssuer } from './issuers';
import { rotateRegistrar } from './registrar';

export type Rule = (state: LedgerState, arg: string, tx: TxContext) => Promise<Effect<unknown>>;

export const STATEMENT_RULES: Readonly<Record<StatementFunction, Rule>> = {
  init: initLedger,
  registerIssuer,
  updateIssuer,
  addKey,
  retireKey,
  revokeKey,
  rotateRegistrar,
  anchor,
  revoke: (s, a, t) => changeStatus(s, 'revoke', a, t),
  suspend: (s, a, t) => changeStatus(s, 'suspend', a, t),
  reinstate: (s, a, t) => changeStatus(s, 'reinstate', a, t),
};

/** The rule behind a transaction function, if it is a state-changing one (`fn` as a transaction names it). */
export function ruleFor(fn: string): Rule | undefined {
  return Object.hasOwn(STATEMENT_RULES, fn) ? STATEMENT_RULES[fn as StatementFunction] : undefined;
}
