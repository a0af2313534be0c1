export * from './ledger';
export * from './genesis';
export * from './stub';
export * from './blockfile';
export * from './statedb';
export * from './chaincode';
