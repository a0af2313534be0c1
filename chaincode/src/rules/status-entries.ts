/**
 * Status list entries: a credential anchored with an entry takes that (list, index) for
 * good. A list belongs to the issuer that first used it, so every list is signed by one
 * issuer; an index once given is never given again, so no published status ever speaks
 * for two credentials. The replay re-runs this rule, and so sees the same refusals.
 */
import type { StatusEntry } from '@anxin/schemas';
import { Rejection } from '../errors';
import type { LedgerState, TxContext } from '../state';

/**
 * Take `entry` for credential `credentialId` of `issuer`, or refuse: STATUS_LIST_NOT_OWN when
 * the list is another issuer's, STATUS_ENTRY_TAKEN when the index was given out before.
 *
 * @example
 * await claimStatusEntry(state, 'urn:anxin:issuer:x', { list: 'q3Vb7TnWc1aE0sLk', idx: 7 }, id, tx);
 */
export async function claimStatusEntry(
  state: LedgerState,
  issuer: string,
  entry: StatusEntry,
  credentialId: string,
  tx: TxContext,
): Promise<void> {
  const list = await state.getStatusList(entry.list);
  if (list && list.issuer !== issuer) {
    throw new Rejection('STATUS_LIST_NOT_OWN', `status list ${entry.list} belongs to another issuer`);
  }
  const slot = await state.getStatusSlot(entry.list, entry.idx);
  if (slot) {
    throw new Rejection('STATUS_ENTRY_TAKEN', `entry ${entry.idx} of status list ${entry.list} was given out before`);
  }
  if (!list) await state.putStatusList(entry.list, { issuer, openedAt: tx.time });
  await state.putStatusSlot(entry.list, entry.idx, { credentialId });
}
