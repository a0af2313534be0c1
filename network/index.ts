export * from './msp';
export * from './blocks';
export * from './ports/ledger';
