/**
 * `@anxin/gateway/credentials`: how a credential is built and signed in each format
 * (vc+jwt, dc+sd-jwt), the validity a subject implies, and the status-notification window.
 * The issuing service itself is reached over HTTP; these are its pure parts.
 *
 * @example
 * import { buildCredential, signVcJwt } from '@anxin/gateway/credentials';
 */
export * from './services/credentials/build';
export { signVcJwt, issueSdJwt, rawSigner } from './services/credentials/formats';
export { NOTIFY_WINDOW_DAYS } from './services/credentials/status';
