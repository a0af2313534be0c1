/**
 * A store that tells of each operation that fails — rejects or throws — before passing the
 * failure on unchanged: the gateway counts them by operation (anxin_store_errors_total).
 * It wraps any adapter, so both count alike.
 */

/**
 * `store`, with `failed(operation, error)` called for every failing method call.
 *
 * @example
 * const store = countingFailures(await openStore(cfg), (op) => metrics.storeErrors.inc({ operation: op }));
 */
export function countingFailures<S extends object>(store: S, failed: (operation: string, error: unknown) => void): S {
  // One wrapper per method, made on first use: the hot path pays a map look-up, not a closure.
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let w = wrappers.get(prop);
      if (!w) {
        const operation = String(prop);
        const method = value as (...args: unknown[]) => unknown;
        w = (...args: unknown[]): unknown => {
          let result: unknown;
          try {
            result = method.apply(target, args);
          } catch (e) {
            failed(operation, e);
            throw e;
          }
          if (!(result instanceof Promise)) return result;
          return result.catch((e: unknown) => {
            failed(operation, e);
            throw e;
          });
        };
        wrappers.set(prop, w);
      }
      return w;
    },
  });
}
