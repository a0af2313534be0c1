/** What every aggregate's part of the Store contract is given by the suite that runs it. */
import type { it } from 'mocha';
import type { Store } from '@anxin/gateway/store';

export interface StoreContractContext {
  /** `it`, or `it.skip` when the whole suite is registered as skipped. */
  readonly test: typeof it | typeof it.skip;
  /** The store the suite opened, once it has (read it inside a hook or a test). */
  readonly store: Store;
  /** Opens another store over the same backing (same file, same database). */
  readonly open: () => Promise<Store>;
  /** Stores opened by a test (reopen), closed after it. */
  readonly extra: Store[];
}
