/**
 * Test fixtures shared by every suite (chaincode, network, gateway, CLI):
 *
 * - tmp:        `tempDir()`
 * - keys:       `newRegistrar()`, `newIssuerKey(issuerId, alg)`, `newKeyPair()`, `importFixtureKey()`
 * - statements: `statements.<kind>(…)` payload builders, `sign()`, `anchorSpec()`, `issuerSpec()`,
 *               and hand-made JWS variants (`alterPayload`, `malleate`, `resign`, `hs256Jws`, `noneJws`, `signRaw`)
 * - state:      `MemoryState` (LedgerState over Maps), `TxClock`, `applyStatement()`, `expectRejection()`
 * - world:      `RulesWorld`: rules over MemoryState with a registrar, issuers and anchors in one line each
 * - ledger:     `openLedger()`, `registerIssuer()`, `anchorCredential()`, `expectRejected()`, `expectCommitError()`, `json()`
 * - fabric:     `auditChain()`: an independent check of raw Fabric blocks (hash chain, data hashes,
 *               signatures, certificates against the config block's MSP roots)
 */
export * from './tmp';
export * from './small-disk';
export * from './keys';
export * from './statements';
export * from './state';
export * from './world';
export * from './ledger';
export * from './fabric';
