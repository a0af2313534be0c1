import express, { Router } from 'express';
import {
  verifyBatchRequestSchema,
  verifyRequestSchema,
  type VerifyBatchRequest,
  type VerifyRequest,
} from '@anxin/schemas';
import { ApiError } from '../errors';
import { requireScope } from '../http/auth';
import type { Metrics } from '../http/observability';
import { handle, validBody } from '../http/validate';
import type { AnchorProjection } from '../ports/store';
import { anchorProjection } from '../services/anchor-projection';
import type { Services } from '../services/context';
import type { VerificationLog } from '../services/verify/log';
import type { VerifierPool } from '../services/verify/pool';
import { CHECKS, type VerificationReport } from '../services/verify/report';
import { issuersWithUscc, verifyCredential, type VerifyDeps, type VerifyOptions } from '../services/verify/verify';

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

export type RunVerify = (credential: string, verifier: string, opts: VerifyOptions) => Promise<VerificationReport>;

/**
 * Verify one credential for a verifier: the report (made by `pool`'s threads, or inline),
 * counted by outcome, the check logged for notification.
 */
export function verifier(s: Services, metrics: Metrics, log: VerificationLog, pool?: VerifierPool): RunVerify {
  const deps = verifyDeps(s);
  const make = pool
    ? (credential: string, opts: VerifyOptions) => pool.verify(credential, opts)
    : (credential: string, opts: VerifyOptions) => verifyCredential(credential, deps, opts);
  return async (credential, verifierId, opts) => {
    const report = await make(credential, opts);
    metrics.verifications.inc({ outcome: outcome(report) });
    if (report.credential?.id && report.checks.anchored === 'pass') {
      log.record({
        credentialId: report.credential.id,
        verifier: verifierId,
        at: report.checkedAt,
        verified: report.verified,
      });
    }
    if (report.anchor && report.anchor.block < 0) (report.anchor as { block: number | null }).block = null;
    return report;
  };
}

/** A JSON body of POST /v1/verify, validated: the credential and the options. */
export function verifyRequestOf(body: unknown): { credential: string; opts: VerifyOptions } {
  const { credential, ...opts } = validBody<VerifyRequest>(verifyRequestSchema.$id, body);
  return { credential, opts };
}

export function verifyRoutes(
  s: Services,
  metrics: Metrics,
  log: VerificationLog,
  bodyLimit: number,
  run: RunVerify = verifier(s, metrics, log),
): Router {
  const r = Router();
  const auth = requireScope(s.store, 'verify');

  r.post(
    '/v1/verify',
    auth,
    // A QR text may also be posted as it is, as text/plain.
    express.text({ type: 'text/plain', limit: bodyLimit }),
    handle(async (req, res) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody)
        throw new ApiError('body_required', 'send { "credential": "…" } as JSON, or the credential as text/plain');
      let credential: string;
      let opts: VerifyOptions = {};
      if (req.is('text/plain')) {
        credential = req.body as string;
      } else if (req.is(['application/json', 'application/*+json'])) {
        ({ credential, opts } = verifyRequestOf(req.body));
      } else {
        throw new ApiError('unsupported_media_type', 'send application/json or text/plain');
      }
      res.json(await run(credential, req.principal!.id, opts));
    }),
  );

  r.post(
    '/v1/verify/batch',
    auth,
    handle(async (req, res) => {
      if (!req.is(['application/json', 'application/*+json'])) {
        throw new ApiError(
          req.body === undefined && !req.headers['content-type'] ? 'body_required' : 'unsupported_media_type',
          'send application/json',
        );
      }
      const { credentials, ...opts } = validBody<VerifyBatchRequest>(verifyBatchRequestSchema.$id, req.body);
      const results = await Promise.all(credentials.map((c) => run(c, req.principal!.id, opts)));
      const verified = results.filter((x) => x.verified).length;
      res.json({ summary: { total: results.length, verified, failed: results.length - verified }, results });
    }),
  );
  return r;
}
