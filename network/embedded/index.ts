export * from './ledger';
export type { EmbeddedLedgerOptions } from './options';
export * from './genesis';
export * from './stub';
export * from './blockfile';
export * from './statedb';
export * from './chaincode';
