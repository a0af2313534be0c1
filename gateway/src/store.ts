/**
 * `@anxin/gateway/store`: the Store port (its records and one narrow type per aggregate)
 * and `openStore`, which loads only the adapter its configuration names. The adapters
 * themselves are `@anxin/gateway/store/sqlite` and `@anxin/gateway/store/mongodb`.
 *
 * @example
 * import { openStore, type Store } from '@anxin/gateway/store';
 * const store: Store = await openStore({ kind: 'sqlite', path: './data/store.sqlite', readonly: true });
 */
export * from './ports/store';
export * from './adapters/store';
export { anchorProjection } from './services/anchor-projection';
