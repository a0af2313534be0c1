export * from './fabric-ledger';
export { rejectionOf, toLedgerError } from './errors';
export { Qscc, TxLocator, txIndexIn, type TxLocation } from './locate';
