export * from './msp';
export * from './blocks';
export * from './ledger';
