/**
 * The Store port, one file per aggregate.
 *
 * Where ports live: a port is a narrow type in `ports/` of the package whose adapters
 * implement it, and its adapters sit beside each other in that same package. So this
 * port is here and its adapters in gateway/src/adapters/store/; the Ledger port is in
 * network/ports/ledger/, its adapters in network/embedded and network/fabric. Other
 * packages import a port from its package's entry (`@anxin/gateway/store`,
 * `@anxin/network`), never from a file path.
 */
export * from './api-keys';
export * from './credentials';
export * from './custodial-keys';
export * from './idempotency';
export * from './identity';
export * from './nonces';
export * from './notifications';
export * from './offers';
export * from './presentation-requests';
export * from './printed-cards';
export * from './projection';
export * from './resealing';
export * from './retention';
export * from './sealed';
export * from './status-entries';
export * from './store';
export * from './verifications';
export * from './webhooks';
