/**
 * Chooses the Store adapter from configuration. Each adapter is loaded only when chosen,
 * so an embedded (SQLite) gateway never loads mongoose and vice versa.
 */
import type { Store } from '../../ports/store';

export type StoreConfig = (
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'mongodb';
      uri: string;
      /** Database name; default: the one in the URI, else DEFAULT_MONGODB_DB. */
      dbName?: string;
    }
) & {
  /** Read only, as an auditor does: nothing created, migrated or written. */
  readonly?: boolean;
};

/** Database used when neither the URI nor the configuration names one (MongoDB's own default, `test`, would be a surprise). */
export const DEFAULT_MONGODB_DB = 'anxin';

/** The database named in a MongoDB URI's path, if any. */
export function mongoDbNameOf(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/i.exec(uri);
  const name = m?.[1] ? decodeURIComponent(m[1]) : '';
  return name || undefined;
}

/**
 * Opens the store the configuration names, loading only its adapter.
 *
 * @example
 * const store = await openStore({ kind: 'sqlite', path: './data/store.sqlite' });
 */
export async function openStore(cfg: StoreConfig): Promise<Store> {
  switch (cfg.kind) {
    case 'sqlite': {
      const { SqliteStore } = await import('./sqlite/index.js');
      return new SqliteStore(cfg.path, { readonly: !!cfg.readonly });
    }
    case 'mongodb': {
      const { MongoStore } = await import('./mongo/index.js');
      return MongoStore.open(cfg.uri, {
        dbName: cfg.dbName ?? mongoDbNameOf(cfg.uri) ?? DEFAULT_MONGODB_DB,
        readonly: !!cfg.readonly,
      });
    }
    default: {
      const never: never = cfg;
      throw new Error(`unknown store kind: ${JSON.stringify((never as { kind?: unknown }).kind)}`);
    }
  }
}
