/**
 * `@anxin/gateway/server`: the parts `startGateway` assembles — the express app, its
 * problem+json error handler and metrics, the services the routes call (trust list,
 * verification log and threads, notifier, retention, nonces) and the key-encryption key —
 * for those who assemble a gateway differently, as the test suite and the benchmarks do.
 * The gateway as a whole is `@anxin/gateway`; its executable is `@anxin/gateway/main`.
 */
export { createApp, BATCH_BODY_LIMIT, type AppDeps, type AppOptions } from './app';
export { errorHandler, problemOf, type ErrorLog, type Problem } from './http/problem';
export { Metrics, createLogger } from './http/observability';
export { verifyDeps } from './routes/verify';
export { PAGE_CSP } from './routes/verifier-page';
export type { Services, FaultPoint } from './services/context';
export { TrustList, TRUST_LIST_TYP } from './services/trust-list';
export { VerificationLog } from './services/verify/log';
export { VerifierPool, type RegistrySource } from './services/verify/pool';
export { Notifier, NOTIFICATION_TYP, type NotifierOptions } from './services/notify';
export { Retention, type RetentionRun } from './services/retention';
export { webhookUrlProblem } from './services/webhook-target';
export { CHALLENGE_TTL_S, C_NONCE_TTL_S } from './services/nonces';
export type { HookFailure } from './services/projection';
export { Kek, KekError, loadOrCreateKek, type KekErrorCode } from './crypto/kek';
export { signStatementFast } from './crypto/jws';
export { Projection } from './services/projection';
export { StatusEntryAllocator, StatusListPublisher, STATUS_LIST_FILL } from './services/status-lists';
export { apiKeyId, apiKeyMatches } from './crypto/apikeys';
export { loadKekRing, readKek } from './crypto/kek';
export { indexHolderKeys } from './services/holder/index-keys';
