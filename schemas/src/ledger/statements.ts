/**
 * Statements: every change to the ledger is one of these, as the payload of a compact
 * JWS (`typ: anxin-statement+jwt`) signed by the key that has the right to make it —
 * the issuer's key for its credentials, a registrar key for issuers and their keys. The
 * chaincode verifies each against keys already on the ledger and applies it once.
 */
export * from './statements/kinds';
export * from './statements/registry';
export * from './statements/credentials';
export * from './statements/by-kind';
export * from './statements/header';
