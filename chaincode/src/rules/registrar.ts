/**
 * The registrar's own keys: a rotateRegistrar statement, signed by a registrar key valid at
 * the transaction time, adds a key, retires one, or both. A retired key stays on the
 * record with its retiredAt, so that what it signed before is still checked against it (by
 * replay, at the point it was signed); nothing it signed is undone, because an issuer's
 * standing never depended on the registrar key that registered it.
 */
import type { RegistrarRecord } from '@anxin/schemas';
import { Rejection } from '../errors';
import { checkNewKey } from '../keys';
import type { LedgerState, TxContext } from '../state';
import { verifyStatement } from '../verify';
import type { Effect } from './effect';

/** How many registrar keys a record holds at most, retired ones included (the record's schema says so too). */
export const MAX_REGISTRAR_KEYS = 64;

type RegistrarKey = RegistrarRecord['keys'][number];

/** Whether a registrar key may sign at instant `t` (ms): added before it, not retired by then. */
function maySign(k: RegistrarKey, t: number): boolean {
  return (!k.notBefore || Date.parse(k.notBefore) <= t) && (!k.retiredAt || t < Date.parse(k.retiredAt));
}

export async function rotateRegistrar(
  state: LedgerState,
  jws: string,
  tx: TxContext,
): Promise<Effect<RegistrarRecord>> {
  const { payload } = await verifyStatement(state, jws, 'rotateRegistrar', tx);
  const registrar = (await state.getRegistrar())!;
  const keys = [...registrar.keys];
  let added: RegistrarKey | undefined;
  if (payload.add) {
    const add = payload.add;
    await checkNewKey(add);
    // Never again, once listed: a retired key must not come back with a new window.
    if (keys.some((k) => k.keyId === add.keyId)) {
      throw new Rejection('KEY_EXISTS', `registrar key ${add.keyId} is listed already`);
    }
    if (keys.length >= MAX_REGISTRAR_KEYS) {
      throw new Rejection('INVALID_TRANSITION', `the registrar has ${MAX_REGISTRAR_KEYS} keys, retired ones included`);
    }
    added = {
      keyId: add.keyId,
      kid: `registrar#${add.keyId}`,
      alg: add.alg,
      publicJwk: add.publicJwk,
      // No back-dating: a key cannot have signed anything before the ledger knew it.
      notBefore: add.notBefore && Date.parse(add.notBefore) > Date.parse(tx.time) ? add.notBefore : tx.time,
    };
    keys.push(added);
  }
  let retired: RegistrarKey | undefined;
  if (payload.retire) {
    const i = keys.findIndex((k) => k.keyId === payload.retire);
    if (i < 0) throw new Rejection('UNKNOWN_KEY', `no registrar key ${payload.retire}`);
    const k = keys[i]!;
    if (k.retiredAt) throw new Rejection('INVALID_TRANSITION', `registrar key ${k.kid} was retired at ${k.retiredAt}`);
    retired = { ...k, retiredAt: tx.time };
    keys[i] = retired;
  }
  // The registry must never be frozen: some key has to be able to sign the next statement.
  if (!keys.some((k) => maySign(k, Date.parse(tx.time)))) {
    throw new Rejection('INVALID_TRANSITION', 'no registrar key could sign after this: keep one that may sign now');
  }
  const record: RegistrarRecord = { ...registrar, keys };
  await state.putRegistrar(record);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return {
    result: record,
    event: {
      name: 'RegistrarRotated',
      payload: {
        ...(added ? { added: added.kid, notBefore: added.notBefore } : {}),
        ...(retired ? { retired: retired.kid, retiredAt: retired.retiredAt } : {}),
      },
    },
  };
}
