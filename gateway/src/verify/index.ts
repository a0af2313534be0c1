/**
 * The verification core: the decision whether a presented credential verifies, and why —
 * runtime-agnostic (no Node built-in, no I/O, no environment, no clock; WebCrypto through
 * jose). The issuer registry, the ledger's anchors and the time are injected
 * (`VerifyDeps`). Imported as `@anxin/gateway/verify`; bundled for the browser as
 * `/verify/verify-core.js`.
 */
export { verifyCredential, FRAGMENTS } from './compose';
export {
  issuersWithUscc,
  type ChallengeOutcome,
  type RuntimeCrypto,
  type Sha256,
  type SignatureCheck,
  type VerifyDeps,
  type VerifyOptions,
} from './deps';
export type { AnchorProjection } from './anchor';
export { KB_MAX_AGE_S } from './checks/holder-binding';
export { maskIdNumber } from './facts';
export { MAX_CREDENTIAL_CHARS, parseCredential, unwrapQr, type ParseFailure, type Parsed } from './parse';
export {
  COMPACT_LINK_PREFIX,
  COMPACT_QR_PREFIX,
  CompactQrError,
  compactQrText,
  expandQrText,
  isCompactQrText,
} from './qr-text';
export * from './report';
export { VC_JWT_TYP, SD_JWT_TYP, VCT_BASE } from './formats';
export { holderRef, portableSha256, sdHasher, sha256Hex } from './bytes';
export { webCryptoSignature } from './signature';
export {
  TOKEN_STATUS_LIST_TYP,
  readStatusList,
  statusPointers,
  type ListOutcome,
  type ListReading,
  type ListedStatus,
  type StatusPointer,
} from './status-list';
