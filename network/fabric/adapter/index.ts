export * from './config';
export * from './fabric-ledger';
export { toLedgerError } from './errors';
export { Qscc, TxLocator, txIndexIn, type TxLocation } from './locate';
