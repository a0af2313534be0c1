/**
 * The contract's rules without the Fabric runtime: the ledger's wire format (keys, names,
 * transaction functions), statement signing and verification, the rules over the
 * LedgerState interface, rejection codes and how a refusal is read back. For the gateway,
 * the CLI, the ledgers and the auditor's replay, which must not load fabric-shim into
 * their process.
 */
export * from './wire';
export * from './errors';
export * from './canonical';
export * from './state';
export * from './kv-state';
export * from './rules/table';
export * from './keys';
export * from './verify';
export * from './sign';
export * from './rules/effect';
export { initLedger } from './rules/init';
export { registerIssuer, updateIssuer, addKey, retireKey, revokeKey } from './rules/issuers';
export { rotateRegistrar, MAX_REGISTRAR_KEYS } from './rules/registrar';
export { anchor, changeStatus } from './rules/anchors';
export { claimStatusEntry } from './rules/status-entries';
