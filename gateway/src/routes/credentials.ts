import { Router } from 'express';
import {
  issueCredentialRequestSchema,
  printableCardQuerySchema,
  statusChangeRequestSchema,
  type PrintableCardQuery,
  type StatusChangeRequest,
} from '@anxin/schemas';
import { ApiError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle, jsonBody, validBody } from '../http/validate';
import type { Principal } from '../ports/store';
import type { Services } from '../services/context';
import { issueCredential, type IssueRequest } from '../services/credentials/issue';
import { changeStatus, recentVerifiers, type StatusAction } from '../services/credentials/status';
import type { Metrics } from '../http/observability';
import { parseCredential } from '../services/verify/parse';
import { printableCardSvg } from '../services/workcard/card';
import { WorkCardError, presentCredential } from '../services/workcard/present';
import { renderQr, workCardText } from '../services/workcard/qr';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw new ApiError('validation_failed', 'Idempotency-Key must be 8–128 characters of A–Z a–z 0–9 . _ : -', {
      errors: [{ field: 'Idempotency-Key', code: 'pattern', message: 'is not a valid idempotency key' }],
    });
  }
  return header;
}

/** POST /v1/credentials: validate the body, issue, count. Shared by the express route and the JSON lane. */
export function issuer(s: Services, metrics: Metrics) {
  return async (body: unknown, principal: Principal, idempotency: string | string[] | undefined) => {
    const request = validBody<IssueRequest>(issueCredentialRequestSchema.$id, body);
    const out = await issueCredential(s, principal, request, idempotencyKey(idempotency));
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
      if (!rec || rec.issuer !== req.principal!.id)
        throw new ApiError('not_found', `no credential ${req.params.id as string} of yours`);
      const anchor = await s.store.getAnchor(rec.id);
      res.json({
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
      const id = req.params.id as string;
      const rec = await s.store.getCredential(id);
      if (!rec || rec.issuer !== req.principal!.id) throw new ApiError('not_found', `no credential ${id} of yours`);
      if (rec.state !== 'anchored')
        throw new ApiError('card_unavailable', 'the credential is not anchored yet: finish its issuance first');
      if (rec.format !== 'dc+sd-jwt')
        throw new ApiError(
          'card_unavailable',
          'a printed card shows chosen fields of an SD-JWT VC (issued with "format": "dc+sd-jwt"); a vc+jwt credential would print every field, the full ID number included',
        );
      const credential = s.kek.open(rec.sealed, rec.id).toString('utf8');
      const parsed = parseCredential(credential);
      if (!('format' in parsed) || parsed.format !== 'dc+sd-jwt')
        throw new Error(`stored credential ${id} does not parse`);
      if (parsed.payload.cnf)
        throw new ApiError(
          'card_unavailable',
          "the credential is bound to the worker's device key: the worker shows it from the device (anxin card present); paper cannot sign",
        );
      let presented;
      try {
        presented = await presentCredential(credential, { disclose: q.disclose.split(',') });
      } catch (e) {
        if (e instanceof WorkCardError && e.kind === 'member')
          throw new ApiError('validation_failed', e.message, {
            errors: [{ field: 'disclose', code: 'member', message: e.message }],
          });
        throw e;
      }
      const qrText = workCardText(presented.presentation, `${s.publicUrl}/verify`);
      res.setHeader('Cache-Control', 'no-store');
      const name = `work-card-${id.replace(/^urn:uuid:/, '').replace(/[^A-Za-z0-9-]/g, '')}`;
      try {
        if (q.format === 'png') {
          const png = await renderQr(qrText, 'png');
          res.setHeader('Content-Disposition', `inline; filename="${name}.png"`);
          return res.type('image/png').send(png);
        }
        const exp = parsed.payload.exp;
        const svg = await printableCardSvg({
          presentation: presented,
          qrText,
          credentialId: id,
          type: rec.type,
          issuer: {
            id: rec.issuer,
            name: (parsed.payload.issuer_name as string | undefined) ?? s.projection.issuers.get(rec.issuer)?.name,
          },
          ...(typeof exp === 'number' ? { validUntil: new Date(exp * 1000).toISOString() } : {}),
        });
        res.setHeader('Content-Disposition', `inline; filename="${name}.svg"`);
        res.type('image/svg+xml').send(svg);
      } catch (e) {
        if (e instanceof WorkCardError)
          throw new ApiError('validation_failed', e.message, {
            errors: [{ field: 'disclose', code: 'too_much', message: e.message }],
          });
        throw e;
      }
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
      if (!rec) throw new ApiError('not_found', `credential ${id} is not anchored`);
      const issuer = s.projection.issuers.get(rec.issuer);
      res.set('Cache-Control', 'no-store').json({
        id: rec.id,
        type: rec.type,
        issuer: { id: rec.issuer, ...(issuer ? { name: issuer.name, status: issuer.status } : {}) },
        status: rec.status,
        ...(rec.statusReason ? { statusReason: rec.statusReason } : {}),
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
      if (!a || a.issuer !== req.principal!.id) throw new ApiError('not_found', `no credential ${id} of yours`);
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
