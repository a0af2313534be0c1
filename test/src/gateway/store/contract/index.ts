/**
 * The Store contract: one suite, run against every adapter of the port
 * (store.sqlite.test.ts, store.mongodb.test.ts), in one file per aggregate of the port
 * (gateway/src/ports/store) beside this one.
 *
 * `open` must return a store over the same backing every time it is called (same file,
 * same database), so that "close, reopen, the data is still there" can be checked; every
 * test uses fresh random ids, so tests never see each other's rows. `cleanup` runs once
 * after the suite and removes the backing.
 *
 * With `skip` set, every test of the suite is registered as skipped under the same titles:
 * the suite's `name` says why.
 */
import { after, afterEach, before, describe, it } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import { apiKeysContract } from './api-keys';
import type { StoreContractContext } from './context';
import { credentialsContract } from './credentials';
import { custodialKeysContract } from './custodial-keys';
import { idempotencyContract } from './idempotency';
import { identityContract } from './identity';
import { lifecycleContract } from './lifecycle';
import { noncesContract } from './nonces';
import { offersContract } from './offers';
import { presentationRequestsContract } from './presentation-requests';
import { printedCardsContract } from './printed-cards';
import { projectionContract } from './projection';
import { resealingContract } from './resealing';
import { retentionContract } from './retention';
import { statusEntriesContract } from './status-entries';
import { verificationsContract } from './verifications';
import { webhooksContract } from './webhooks';

export interface StoreContractOptions {
  /** Register every test as skipped (the suite name should say why). */
  skip?: boolean;
}

export function storeContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  options: StoreContractOptions = {},
): void {
  describe(name, function () {
    let store: Store | undefined;
    const ctx: StoreContractContext = {
      test: options.skip ? it.skip : it,
      get store(): Store {
        if (!store) throw new Error('the store is not open yet');
        return store;
      },
      open,
      extra: [],
    };

    if (!options.skip) {
      before(async () => {
        store = await open();
      });
      afterEach(async () => {
        for (const s of ctx.extra.splice(0)) await s.close();
      });
      after(async () => {
        try {
          await store?.close();
        } finally {
          await cleanup();
        }
      });
    }

    lifecycleContract(ctx);
    apiKeysContract(ctx);
    custodialKeysContract(ctx);
    credentialsContract(ctx);
    idempotencyContract(ctx);
    projectionContract(ctx);
    verificationsContract(ctx);
    webhooksContract(ctx);
    noncesContract(ctx);
    offersContract(ctx);
    presentationRequestsContract(ctx);
    printedCardsContract(ctx);
    retentionContract(ctx);
    resealingContract(ctx);
    statusEntriesContract(ctx);
    identityContract(ctx);
  });
}
