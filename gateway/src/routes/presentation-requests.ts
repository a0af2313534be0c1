/**
 * OpenID4VP 1.0, cross-device, the verifier's side:
 *  - POST /v1/presentation-requests (verify): a request for a job preset or a DCQL query;
 *  - GET  /v1/presentation-requests/:id (verify, own): pending, or the outcome with a report per credential;
 *  - GET  /oid4vp/requests/:id (public): the signed request object (request_uri);
 *  - POST /oid4vp/responses/:id (public): the wallet's answer (response_uri, direct_post);
 *  - GET  /verifier/did.json (public): the DID document whose keys sign the requests.
 * The protocol endpoints answer errors as OAuth does (`{ error, error_description }`), the
 * verifier's API as problem+json.
 */
import express, { Router, type Response } from 'express';
import QRCode from 'qrcode';
import { createPresentationRequestSchema, type CreatePresentationRequest } from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { HttpError } from '../http/problem-types';
import { handle, validBody } from '../http/validate';
import type { Services } from '../services/context';
import { useChallenge } from '../services/nonces';
import {
  InvalidAnswer,
  judgeAnswer,
  presentationsOf,
  typeOfVct,
  verifierDidDocument,
  type PresentationRequestRecord,
  type PresentationRequests,
} from '../services/presentation-requests';
import type { RunVerify } from './verify';

const ID = /^[A-Za-z0-9_-]{22}$/;
/** A wallet's answer: a few SD-JWT presentations, form-encoded. */
const ANSWER_LIMIT = 256 * 1024;

/** An OAuth error answer (RFC 6749 §5.2), never cached. */
function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
}

/** What the verifier reads of its request: where it stands, what it asked, and the outcome once there is one. */
function view(requests: PresentationRequests, r: PresentationRequestRecord) {
  return {
    id: r.id,
    status: requests.statusOf(r),
    ...(r.preset ? { preset: r.preset } : {}),
    job: r.job,
    fields: r.fields,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...(r.outcome ? { result: r.outcome } : {}),
    ...(r.declined ? { declined: r.declined } : {}),
  };
}

/** The answer to an answer that came too late: the request was answered (or refused) meanwhile, or expired. */
async function notWaiting(res: Response, requests: PresentationRequests, id: string): Promise<void> {
  const now = await requests.get(id);
  oauthError(res, 400, 'invalid_request', `the request is ${now ? requests.statusOf(now) : 'expired'}, not waiting`);
}

export function presentationRequestRoutes(s: Services, requests: PresentationRequests, run: RunVerify): Router {
  const r = Router();
  const auth = requireScope(s.store, 'verify');

  r.post(
    '/v1/presentation-requests',
    auth,
    handle(async (req, res) => {
      const body = validBody<CreatePresentationRequest>(createPresentationRequestSchema.$id, req.body ?? {});
      if (body.dcql) {
        const unknown = body.dcql.credentials
          .flatMap((c) => c.meta.vct_values)
          .filter((v) => !typeOfVct(s.publicUrl, v));
        if (unknown.length)
          throw new DomainError('validation_failed', `not a credential type of this gateway: ${unknown.join(', ')}`, {
            errors: [{ field: '/dcql/credentials', code: 'vct', message: 'vct_values must name this gateway’s types' }],
          });
        const ids = body.dcql.credentials.map((c) => c.id);
        if (new Set(ids).size !== ids.length)
          throw new DomainError('validation_failed', 'credential query ids must be unique', {
            errors: [{ field: '/dcql/credentials', code: 'unique', message: 'duplicate id' }],
          });
      }
      if (await requests.isFull())
        throw new HttpError('rate_limited', 'too many requests are waiting for an answer; ask again shortly', {
          retryAfter: 60,
        });
      // The wallet shows the verifier by the name the administrator registered with its key.
      const label = req.apiKeyId ? (await s.store.getApiKey(req.apiKeyId))?.label : undefined;
      const created = await requests.create(
        req.principal!,
        {
          ...(body.preset ? { preset: body.preset } : {}),
          ...(body.dcql ? { dcql: body.dcql } : {}),
        },
        label,
      );
      const qr = await QRCode.toString(created.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      res
        .status(201)
        .setHeader('Cache-Control', 'no-store')
        .setHeader('Location', `/v1/presentation-requests/${created.id}`)
        .json({ ...created, qr });
    }),
  );

  r.get(
    '/v1/presentation-requests/:request',
    auth,
    handle(async (req, res) => {
      const id = req.params.request as string;
      const found = ID.test(id) ? await requests.getOwn(id, req.principal!) : undefined;
      if (!found) throw new DomainError('not_found', `no presentation request ${id} of yours`);
      res.setHeader('Cache-Control', 'no-store').json(view(requests, found));
    }),
  );

  r.get(
    '/oid4vp/requests/:request',
    handle(async (req, res) => {
      const id = req.params.request as string;
      const found = ID.test(id) ? await requests.get(id) : undefined;
      if (!found || requests.statusOf(found) !== 'pending')
        return oauthError(res, 404, 'invalid_request_uri', 'no pending request at this request_uri');
      // A wallet served from another origin may read it too: it is public, and signed.
      res
        .setHeader('Access-Control-Allow-Origin', '*')
        .setHeader('Cache-Control', 'no-store')
        .type('application/oauth-authz-req+jwt')
        .send(await requests.requestObject(found));
    }),
  );

  r.post(
    '/oid4vp/responses/:request',
    express.urlencoded({ extended: false, limit: ANSWER_LIMIT, parameterLimit: 16 }),
    handle(async (req, res) => {
      if (!req.is('application/x-www-form-urlencoded'))
        return oauthError(res, 400, 'invalid_request', 'send the response as application/x-www-form-urlencoded');
      const form = (req.body ?? {}) as Record<string, unknown>;
      const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
      const id = req.params.request as string;
      const found = ID.test(id) ? await requests.get(id) : undefined;
      if (!found) return oauthError(res, 400, 'invalid_request', 'no request is waiting at this response_uri');
      const state = text('state');
      if (state === undefined || !requests.stateMatches(found, state))
        return oauthError(res, 400, 'invalid_request', 'state does not match the request');
      if (requests.statusOf(found) !== 'pending')
        return oauthError(res, 400, 'invalid_request', `the request is ${requests.statusOf(found)}, not waiting`);
      const error = text('error');
      if (error !== undefined) {
        // The wallet (or the worker) said no: recorded, so the verifier's screen can say so.
        if (!(await requests.answer(found, { declined: { error: error.slice(0, 64), at: s.now().toISOString() } })))
          return notWaiting(res, requests, id);
        return res.status(200).setHeader('Cache-Control', 'no-store').json({});
      }
      const vpToken = text('vp_token');
      if (vpToken === undefined) return oauthError(res, 400, 'invalid_request', 'vp_token is missing');
      let presentations: Record<string, string>;
      try {
        presentations = presentationsOf(found, vpToken);
      } catch (e) {
        if (e instanceof InvalidAnswer) return oauthError(res, 400, 'invalid_request', e.message);
        throw e;
      }
      // The nonce, once and atomically: of two answers racing, one is judged.
      const used = await useChallenge(s, found.nonce, found.verifier);
      if (!used.usable) return oauthError(res, 400, 'invalid_request', `the request's nonce is ${used.why}`);
      const outcome = await judgeAnswer(
        found,
        presentations,
        (c) => run(c, found.verifier, {}, used),
        s.publicUrl,
        s.now(),
      );
      // Recorded once: an answer that lost the race (a refusal taken meanwhile) is told so.
      if (!(await requests.answer(found, { outcome }))) return notWaiting(res, requests, id);
      res.status(200).setHeader('Cache-Control', 'no-store').json({});
    }),
  );

  r.get(
    '/verifier/did.json',
    handle(async (_req, res) => {
      const keys = await s.keys.list('gateway');
      res
        .setHeader('Access-Control-Allow-Origin', '*')
        .setHeader('Cache-Control', 'public, max-age=60')
        .type('application/did+json')
        .send(JSON.stringify(verifierDidDocument(s.publicUrl, keys)));
    }),
  );

  return r;
}
