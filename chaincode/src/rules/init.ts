import { initArgsSchema, validator, type RegistrarRecord } from '@anxin/schemas';
import { Rejection } from '../errors';
import { checkNewKey } from '../keys';
import type { LedgerState, TxContext } from '../state';
import type { Effect } from './effect';

const checkInit = validator(initArgsSchema);

/**
 * One-time initialisation: fix the registrar keys. Refused once the ledger has them.
 */
export async function initLedger(
  state: LedgerState,
  argsJson: string,
  tx: TxContext,
): Promise<Effect<RegistrarRecord>> {
  if (await state.getRegistrar()) throw new Rejection('ALREADY_INITIALISED', 'the registrar keys are fixed already');
  let raw: unknown;
  try {
    raw = JSON.parse(argsJson);
  } catch {
    throw new Rejection('MALFORMED_ARGUMENT', 'init takes a JSON object { registrarKeys: [...] }');
  }
  const v = checkInit(raw);
  if (!v.ok) throw new Rejection('MALFORMED_ARGUMENT', `${v.issues[0]!.field} ${v.issues[0]!.message}`);
  const ids = new Set<string>();
  for (const k of v.value.registrarKeys) {
    await checkNewKey(k);
    if (ids.has(k.keyId)) throw new Rejection('KEY_EXISTS', `registrar key ${k.keyId} listed twice`);
    ids.add(k.keyId);
  }
  const record: RegistrarRecord = {
    keys: v.value.registrarKeys.map((k) => ({
      keyId: k.keyId,
      kid: `registrar#${k.keyId}`,
      alg: k.alg,
      publicJwk: k.publicJwk,
    })),
    initialisedAt: tx.time,
  };
  await state.putRegistrar(record);
  return { result: record, event: { name: 'LedgerInitialised', payload: { keys: record.keys.map((k) => k.kid) } } };
}
