/**
 * The Ledger port: the interface and its error codes, one file each.
 *
 * Where ports live: a port is a narrow type in `ports/` of the package whose adapters
 * implement it, and its adapters sit beside each other in that same package. So this
 * port is here and its adapters are network/embedded and network/fabric; the Store port is
 * in gateway/src/ports/store/, its adapters in gateway/src/adapters/store/. Other packages
 * import a port from its package's entry (`@anxin/network`, `@anxin/gateway/store`),
 * never from a file path.
 */
export * from './errors';
export * from './ledger';
