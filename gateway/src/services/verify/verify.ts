/**
 * Verification in Node: the verification core's decision (../../verify), with node:crypto
 * in place of the portable cryptography — the same answer, faster on the hot path (see
 * ./node-crypto.ts). What the gateway's routes, its verification threads and
 * `@anxin/gateway` call.
 */
import {
  verifyCredential as verifyWithCore,
  type VerificationReport,
  type VerifyDeps,
  type VerifyOptions,
} from '../../verify';
import { NODE_CRYPTO } from './node-crypto';

export {
  issuersWithUscc,
  KB_MAX_AGE_S,
  maskIdNumber,
  type ChallengeOutcome,
  type VerifyDeps,
  type VerifyOptions,
} from '../../verify';

/**
 * Verify one presented credential, as the core does, with node:crypto's cryptography unless
 * `deps` names its own. Never throws for bad input: the report says why.
 *
 * @example
 * const report = await verifyCredential(text, verifyDeps(services));
 * if (!report.verified) console.log(report.reasons[0].code); // e.g. 'revoked'
 */
export function verifyCredential(
  input: string,
  deps: VerifyDeps,
  opts: VerifyOptions = {},
): Promise<VerificationReport> {
  return verifyWithCore(input, deps.crypto ? deps : { ...deps, crypto: NODE_CRYPTO }, opts);
}
