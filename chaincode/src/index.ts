/**
 * The Anxin chaincode. `contracts` is what fabric-chaincode-node loads (start or server
 * mode); the rest is for the embedded ledger, the gateway and the auditor's replay.
 */
import { AnxinContract } from './contract';

export const contracts = [AnxinContract];

export * from './contract';
export * from './wire';
export * from './errors';
export * from './state';
export * from './keys';
export * from './verify';
export * from './stub-state';
export * from './rules/effect';
export { initLedger } from './rules/init';
export { registerIssuer, updateIssuer, addKey, retireKey, revokeKey } from './rules/issuers';
export { anchor, changeStatus } from './rules/anchors';
export { claimStatusEntry } from './rules/status-entries';
export * from './sign';
