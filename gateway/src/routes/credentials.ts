import { Router } from 'express';
import {
  issueCredentialRequestSchema,
  printableCardQuerySchema,
  statusChangeRequestSchema,
  type PrintableCardQuery,
  type StatusChangeRequest,
} from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle, jsonBody, validBody } from '../http/validate';
import type { Principal } from '../ports/store';
import type { Services } from '../services/context';
import { issueCredential, type IssueRequest } from '../services/credentials/issue';
import { changeStatus, recentVerifiers, type StatusAction } from '../services/credentials/status';
import type { Metrics } from '../http/observability';
import { printableCard } from '../services/workcard/print';
import { revokePrintedCard } from '../services/workcard/printed';
import { actsForIssuer } from '../services/ownership';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError('validation_failed', 'Idempotency-Key must be 8–128 characters of A–Z a–z 0–9 . _ : -', {
      errors: [{ field: 'Idempotency-Key', code: 'pattern', message: 'is not a valid idempotency key' }],
    });
  }
  return header;
}

/** POST /v1/credentials: validate the body, issue, count. Shared by the express route and the JSON lane. */
export function issuer(s: Services, metrics: Metrics) {
  return async (body: unknown, principal: Principal, idempotency: string | string[] | undefined) => {
    const request = validBody<IssueRequest>(issueCredentialRequestSchema.$id, body);
    const out = await issueCredential(s, principal, request, idempotencyKey(idempotency), {
      tookOver: () => metrics.idempotencyTakeOvers.inc(),
    });
    metrics.issuances.inc({ type: request.type });
    return out;
  };
}

export function credentialRoutes(s: Services, metrics: Metrics, issue = issuer(s, metrics)): Router {
  const r = Router();

  r.post(
    '/v1/credentials',
    requireScope(s.store, 'issue'),
    // The schema is checked by `issue`, on this path and on the JSON lane alike.
    jsonBody(),
    handle(async (req, res) => {
      const out = await issue(req.body, req.principal!, req.headers['idempotency-key']);
      res.status(201).location(`/v1/credentials/${out.id}`).json(out);
    }),
  );

  r.get(
    '/v1/credentials/:id',
    requireScope(s.store, 'issue'),
    handle(async (req, res) => {
      const rec = await s.store.getCredential(req.params.id as string);
      // Another issuer's credential is indistinguishable from a missing one.
      if (!rec || !actsForIssuer(req.principal!, rec.issuer))
        throw new DomainError('not_found', `no credential ${req.params.id as string} of yours`);
      const anchor = await s.store.getAnchor(rec.id);
      res.json({
        ...(anchor?.replaces ? { replaces: anchor.replaces } : {}),
        ...(anchor?.replacedBy ? { replacedBy: anchor.replacedBy } : {}),
        id: rec.id,
        type: rec.type,
        format: rec.format,
        issuer: rec.issuer,
        credential: s.kek.open(rec.sealed, rec.id).toString('utf8'),
        digest: rec.digest,
        state: rec.state,
        createdAt: rec.createdAt,
        ...(rec.anchor ? { anchor: rec.anchor } : {}),
        ...(anchor
          ? { status: anchor.status, ...(anchor.statusReason ? { statusReason: anchor.statusReason } : {}) }
          : {}),
      });
    }),
  );

  r.get(
    '/v1/credentials/:id/card',
    requireScope(s.store, 'issue'),
    handle(async (req, res) => {
      const q = validBody<PrintableCardQuery>(printableCardQuerySchema.$id, { ...req.query });
      const card = await printableCard(s, req.principal!, req.params.id as string, q);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Disposition', `inline; filename="${card.filename}"`);
      // What the issuer names to withdraw this card (POST …/cards/:card/revoke).
      res.setHeader('Anxin-Card-Id', card.cardId);
      res.type(card.type).send(card.body);
    }),
  );

  r.post(
    '/v1/credentials/:id/cards/:card/revoke',
    requireScope(s.store, 'revoke'),
    handle(async (req, res) => {
      res.json(await revokePrintedCard(s, req.principal!, req.params.id as string, req.params.card as string));
    }),
  );

  for (const action of ['revoke', 'suspend', 'reinstate'] as StatusAction[]) {
    r.post(
      `/v1/credentials/:id/${action}`,
      requireScope(s.store, 'revoke'),
      body(statusChangeRequestSchema.$id),
      handle(async (req, res) => {
        const b = req.body as StatusChangeRequest;
        res.json(await changeStatus(s, req.principal!, req.params.id as string, action, b.reason));
      }),
    );
  }

  r.get(
    '/v1/credentials/:id/status',
    handle(async (req, res) => {
      const id = req.params.id as string;
      const a = (await s.store.getAnchor(id)) ?? undefined;
      const onLedger = a ? undefined : await s.ledgerClient.getAnchor(id);
      const rec = a ?? onLedger;
      if (!rec) throw new DomainError('not_found', `credential ${id} is not anchored`);
      const issuer = s.projection.issuers.get(rec.issuer);
      res.set('Cache-Control', 'no-store').json({
        id: rec.id,
        type: rec.type,
        issuer: { id: rec.issuer, ...(issuer ? { name: issuer.name, status: issuer.status } : {}) },
        status: rec.status,
        ...(rec.statusReason ? { statusReason: rec.statusReason } : {}),
        // The renewal chain the ledger records: a verifier follows it to the credential in force.
        ...(rec.replaces ? { replaces: rec.replaces } : {}),
        ...(rec.replacedBy ? { replacedBy: rec.replacedBy } : {}),
        validFrom: rec.validFrom,
        ...(rec.validUntil ? { validUntil: rec.validUntil } : {}),
        digest: rec.digest,
        anchor: { txId: rec.txId, block: a && a.block >= 0 ? a.block : null, anchoredAt: rec.anchoredAt },
        updatedAt: rec.updatedAt,
      });
    }),
  );

  r.get(
    '/v1/credentials/:id/verifiers',
    requireScope(s.store, 'revoke'),
    handle(async (req, res) => {
      const id = req.params.id as string;
      const a = await s.store.getAnchor(id);
      if (!a || !actsForIssuer(req.principal!, a.issuer))
        throw new DomainError('not_found', `no credential ${id} of yours`);
      res.json({
        id,
        verifiers: (await recentVerifiers(s, id)).map((v) => ({
          verifier: v.verifier,
          lastCheckedAt: v.at,
          verified: v.verified,
        })),
      });
    }),
  );
  return r;
}
