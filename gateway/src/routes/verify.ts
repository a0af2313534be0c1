import { Router } from 'express';
import {
  verifyBatchRequestSchema,
  verifyRequestSchema,
  type VerifyBatchRequest,
  type VerifyRequest,
} from '@anxin/schemas';
import { problemDocument, problemOf, type ErrorLog } from '../http/problem';
import { HttpError } from '../http/problem-types';
import { requireScope } from '../http/auth';
import { textParser } from '../http/body';
import type { Metrics } from '../http/observability';
import { handle, validBody } from '../http/validate';
import type { AnchorProjection, Principal } from '../ports/store';
import { anchorProjection } from '../services/anchor-projection';
import type { Services } from '../services/context';
import { newChallenge, useChallenge, verifierAudience } from '../services/nonces';
import { presentationOfPrintedCard, printedCardRef } from '../services/workcard/printed';
import type { VerificationLog } from '../services/verify/log';
import type { VerifierPool } from '../services/verify/pool';
import { CHECKS, type VerificationReport } from '../verify';
import {
  issuersWithUscc,
  verifyCredential,
  type ChallengeOutcome,
  type VerifyDeps,
  type VerifyOptions,
} from '../services/verify/verify';

export function verifyDeps(s: Services): VerifyDeps {
  return {
    issuer: (id) => s.projection.issuers.get(id),
    issuersByUscc: (uscc) => issuersWithUscc(s.projection.issuers.values(), uscc),
    anchor: async (id): Promise<AnchorProjection | undefined> => {
      const projected = await s.store.getAnchor(id);
      if (projected) return projected;
      // Not projected (yet): the ledger is the authority.
      const a = await s.ledgerClient.getAnchor(id);
      return a ? anchorProjection(a, -1, { block: -1, tx: -1 }) : undefined;
    },
    now: () => s.now(),
  };
}

function outcome(r: VerificationReport): string {
  return r.verified ? 'verified' : (CHECKS.find((c) => r.checks[c] === 'fail') ?? 'failed');
}

/** What a request may ask of a verification: a challenge of this verifier's, or expectations of its own. */
export interface VerifyRequestOptions {
  /** The nonce of a challenge from POST /v1/verify/challenges. */
  challenge?: string;
  nonce?: string;
  audience?: string;
}

/**
 * Verify for `verifier`. `answered`: a challenge the caller has used already (an OpenID4VP
 * request's nonce, used once for all the presentations of its answer), judged as a challenge.
 */
export type RunVerify = (
  credential: string,
  verifier: Principal,
  opts: VerifyRequestOptions,
  answered?: ChallengeOutcome,
) => Promise<VerificationReport>;

/**
 * Verify one credential for a verifier: the challenge it names used (here, on the main
 * thread, where the store is: once, atomically, before the verification), the report (made
 * by `pool`'s threads, or inline), counted by outcome, the check logged for notification.
 */
export function verifier(s: Services, metrics: Metrics, log: VerificationLog, pool?: VerifierPool): RunVerify {
  const deps = verifyDeps(s);
  const make = pool
    ? (credential: string, opts: VerifyOptions) => pool.verify(credential, opts)
    : (credential: string, opts: VerifyOptions) => verifyCredential(credential, deps, opts);
  return async (text, who, asked, answered) => {
    // A printed card's link stands for the members printed, from the credential kept here.
    const card = printedCardRef(text);
    const credential = card ? await presentationOfPrintedCard(s, card) : text;
    const opts: VerifyOptions = answered
      ? { challenge: answered }
      : asked.challenge
        ? { challenge: await useChallenge(s, asked.challenge, who) }
        : {
            ...(asked.nonce !== undefined ? { nonce: asked.nonce } : {}),
            ...(asked.audience !== undefined ? { audience: asked.audience } : {}),
            verifierAudiences: {
              prefix: verifierAudience(s.publicUrl, { ...who, id: '' }),
              own: verifierAudience(s.publicUrl, who),
            },
          };
    const report = await make(credential, opts);
    metrics.verifications.inc({ outcome: outcome(report) });
    if (report.credential?.id && report.checks.anchored === 'pass') {
      log.record({
        credentialId: report.credential.id,
        verifier: who.id,
        at: report.checkedAt,
        verified: report.verified,
        ...(report.presentation ? { binding: report.presentation.binding } : {}),
      });
    }
    if (report.anchor && report.anchor.block < 0) (report.anchor as { block: number | null }).block = null;
    return report;
  };
}

/**
 * A JSON body of POST /v1/verify, validated: the credential and what it asks. `holderBinding`
 * is accepted and dropped: nothing a request says can let a bound credential through without
 * its key-binding JWT.
 */
export function verifyRequestOf(body: unknown): { credential: string; opts: VerifyRequestOptions } {
  const { credential, holderBinding: _ignored, ...opts } = validBody<VerifyRequest>(verifyRequestSchema.$id, body);
  return { credential, opts };
}

/**
 * A batch item whose verification could not be made — a look-up it needs failed (the store,
 * or the ledger for a credential not projected yet): the problem in place of its report.
 */
export interface BatchItemError {
  error: ReturnType<typeof problemDocument>;
}

/** One report per credential, in order, and how many verified, failed, or could not be verified. */
export interface BatchAnswer {
  summary: { total: number; verified: number; failed: number; errors?: number };
  results: Array<VerificationReport | BatchItemError>;
}

/**
 * Verify each credential of a batch on its own: one whose look-up fails gets an error entry,
 * and the others their reports. `errors` is in the summary only when there are some.
 *
 * @example
 * const answer = await verifyBatch(credentials, (c) => run(c, principal, {}), logError);
 * // answer.summary: { total: 3, verified: 1, failed: 1, errors: 1 }
 * // answer.results[2]: { error: { type, title, status: 503, code: 'ledger_unavailable', … } }
 */
export async function verifyBatch(
  credentials: readonly string[],
  verify: (credential: string) => Promise<VerificationReport>,
  log: ErrorLog,
): Promise<BatchAnswer> {
  const results = await Promise.all(
    credentials.map((c) =>
      verify(c).catch((e: unknown): BatchItemError => ({ error: problemDocument(problemOf(e, log)) })),
    ),
  );
  const verified = results.filter((x) => 'verified' in x && x.verified).length;
  const errors = results.filter((x) => 'error' in x).length;
  const failed = results.length - verified - errors;
  return { summary: { total: results.length, verified, failed, ...(errors ? { errors } : {}) }, results };
}

/** The verification routes; `logError` logs what a batch item's error entry does not show. */
export function verifyRoutes(s: Services, bodyLimit: number, run: RunVerify, logError: ErrorLog): Router {
  const r = Router();
  const auth = requireScope(s.store, 'verify');

  r.post(
    '/v1/verify',
    auth,
    // A QR text may also be posted as it is, as text/plain.
    textParser(bodyLimit),
    handle(async (req, res) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody)
        throw new HttpError('body_required', 'send { "credential": "…" } as JSON, or the credential as text/plain');
      let credential: string;
      let opts: VerifyRequestOptions = {};
      if (req.is('text/plain')) {
        credential = req.body as string;
      } else if (req.is(['application/json', 'application/*+json'])) {
        ({ credential, opts } = verifyRequestOf(req.body));
      } else {
        throw new HttpError('unsupported_media_type', 'send application/json or text/plain');
      }
      res.json(await run(credential, req.principal!, opts));
    }),
  );

  // A challenge for a presentation: the holder's device signs its key-binding JWT over the
  // nonce and aud, and the verification names the nonce (used once, by this verifier only).
  r.post(
    '/v1/verify/challenges',
    auth,
    handle(async (req, res) => {
      const c = await newChallenge(s, req.principal!);
      res.status(201).setHeader('Cache-Control', 'no-store').json(c);
    }),
  );

  r.post(
    '/v1/verify/batch',
    auth,
    handle(async (req, res) => {
      if (!req.is(['application/json', 'application/*+json'])) {
        throw new HttpError(
          req.body === undefined && !req.headers['content-type'] ? 'body_required' : 'unsupported_media_type',
          'send application/json',
        );
      }
      const {
        credentials,
        holderBinding: _ignored,
        ...opts
      } = validBody<VerifyBatchRequest>(verifyBatchRequestSchema.$id, req.body);
      res.json(await verifyBatch(credentials, (c) => run(c, req.principal!, opts), logError));
    }),
  );
  return r;
}
