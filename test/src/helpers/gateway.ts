/**
 * End-to-end test helpers for the gateway:
 *
 * - test-gateway: `TestGateway` — a real gateway on port 0, started, restarted, stopped, driven over HTTP
 * - http:         `apiRequest()`, `ApiResponse`, `Loose`
 * - examples:     the schemas' example subjects and holders, `KIND_FOR_TYPE`, instants from now
 * - issuing:      `RegisteredIssuer`, `IssueOptions`, `Issued`, `issueBody()`
 * - expect:       `Report`, `CHECK_ORDER`, `expectVerified()`, `expectFailed()`, `expectProblem()`
 * - device-key:   `deviceKey()`, a worker's key pair
 * - ledgers:      `describeOnLedgers()`: a suite on the embedded ledger, and on Fabric when available
 * - blocks:       anchors written, read from the ledger's blocks over HTTP
 * - surgery:      decode, alter and forge JWSs, SD-JWTs and disclosures
 * - oid4vci:      credential offers, and presentations signed by a wallet's DeviceKey
 * - stranger:     `fetchPublic()`, `decodeBitstring()`: what an independent verifier reads with
 */
export * from './gateway/test-gateway';
export * from './gateway/http';
export * from './gateway/examples';
export * from './gateway/issuing';
export * from './gateway/expect';
export * from './gateway/device-key';
export * from './gateway/ledgers';
export * from './gateway/blocks';
export * from './gateway/surgery';
export * from './gateway/oid4vci';
export * from './gateway/stranger';
