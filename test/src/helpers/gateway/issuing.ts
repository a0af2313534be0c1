/**
 * Issuing in the tests: the registered issuer, what to issue and how, what came back, and
 * the request body for the schemas' example of a type.
 */
import type { JsonWebKey } from 'node:crypto';
import type { CredentialType } from '@anxin/schemas';
import { DAY, exampleHolder, exampleSubject, isoFromNow, type Format } from './examples';

export interface RegisteredIssuer {
  id: string;
  apiKey: string;
  issuer: {
    id: string;
    name: string;
    kind: string;
    uscc: string;
    allowedTypes: CredentialType[];
    status: string;
    suspendedAt?: string;
    revokedSince?: string;
    keys: Array<{
      kid: string;
      keyId: string;
      alg: string;
      publicJwk: Record<string, string>;
      notBefore: string;
      retiredAt?: string;
      revokedAt?: string;
    }>;
  };
}

export interface IssueOptions {
  format?: Format;
  holder?: { name: string; idNumber: string };
  subject?: Record<string, unknown>;
  /** RFC 3339 UTC; default: one day ago (so that the example is valid now, whatever today is). */
  validFrom?: string | null;
  /** RFC 3339 UTC; default: in 180 days. `null` leaves both to the subject's own dates. */
  validUntil?: string | null;
  holderPublicJwk?: Record<string, string>;
  /** Sent as it is (tests of the proof itself); else made from `holderKey`. */
  holderProof?: string;
  /**
   * The worker's private key: the credential is bound to its public key, with a fresh proof
   * of holding it (a c_nonce from POST /v1/nonce, signed by the key).
   */
  holderKey?: JsonWebKey;
  idempotencyKey?: string;
  /** Renewal: the credential this one replaces, and whether it is revoked as superseded. */
  replaces?: string;
  supersede?: boolean;
}

export interface Issued {
  id: string;
  format: Format;
  /** The credential as issued: what its holder keeps (an SD-JWT with every disclosure). */
  credential: string;
  /**
   * What a holder shows of it: the credential itself, or for an SD-JWT every disclosure but
   * the holder's ledger commitment (salt, ref), which no presentation may carry.
   */
  presentation: string;
  digest: string;
  anchor: { txId: string; block: number; anchoredAt: string };
  /** What was sent. */
  request: Record<string, unknown>;
  holder: { name: string; idNumber: string };
}

/** The request body issuing the schemas' example of `type`. */
export function issueBody(type: CredentialType, opts: IssueOptions = {}): Record<string, unknown> {
  const validFrom = opts.validFrom === undefined ? isoFromNow(-DAY) : opts.validFrom;
  const validUntil = opts.validUntil === undefined ? isoFromNow(180 * DAY) : opts.validUntil;
  return {
    type,
    holder: opts.holder ?? exampleHolder(),
    subject: opts.subject ?? exampleSubject(type),
    ...(validFrom ? { validFrom } : {}),
    ...(validUntil ? { validUntil } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.holderPublicJwk ? { holderPublicJwk: opts.holderPublicJwk } : {}),
    ...(opts.holderProof ? { holderProof: opts.holderProof } : {}),
    ...(opts.replaces ? { replaces: opts.replaces } : {}),
    ...(opts.supersede !== undefined ? { supersede: opts.supersede } : {}),
  };
}
