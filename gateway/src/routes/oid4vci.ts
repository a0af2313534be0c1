/**
 * OpenID4VCI 1.0, the issuer's side: credential offers (made with an issuer's API key, read
 * by the wallet without one), the Credential Issuer and authorization server metadata, the
 * token endpoint (pre-authorized code + PIN) and the credential endpoint. The nonce endpoint
 * is POST /v1/nonce (routes/nonce.ts). The token and credential endpoints answer errors as
 * OAuth does (RFC 6749 §5.2 JSON), which wallets read; the rest as problem+json.
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { createCredentialOfferRequestSchema, offerQrQuerySchema } from '@anxin/schemas';
import { requireScope } from '../http/auth';
import { body, handle, validBody } from '../http/validate';
import type { Metrics } from '../http/observability';
import type { Services } from '../services/context';
import type { IssueRequest } from '../services/credentials/issue';
import { issueOfferedCredential } from '../services/oid4vci/credential';
import { OAuthError } from '../services/oid4vci/errors';
import { OID4VCI_PATHS, authorizationServerMetadata, credentialIssuerMetadata } from '../services/oid4vci/metadata';
import { createOffer, offerDocument, ownOfferLink } from '../services/oid4vci/offers';
import { exchangePreAuthorizedCode } from '../services/oid4vci/token';
import { renderQr } from '../services/workcard/qr';

/** Token requests per minute per client address: a PIN is not guessed from one address. */
export const TOKEN_REQUESTS_PER_ADDRESS_PER_MINUTE = 20;

/** An OAuth endpoint's handler: its refusals as RFC 6749 JSON, never cached. */
function oauth(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((e: unknown) => {
      if (!(e instanceof OAuthError)) return next(e);
      res.setHeader('Cache-Control', 'no-store');
      if (e.error === 'invalid_token') res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
      res.status(e.status).json(e.body());
    });
  };
}

/** A public metadata document: any origin may read it. */
function document(res: Response, doc: unknown): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'public, max-age=300');
  res.json(doc);
}

export function oid4vciRoutes(
  s: Services,
  metrics: Metrics,
  opts: { tokenRequestsPerAddressPerMinute?: number } = {},
): Router {
  const r = Router();

  r.post(
    OID4VCI_PATHS.offers,
    requireScope(s.store, 'issue'),
    body(createCredentialOfferRequestSchema.$id),
    handle(async (req, res) => {
      const offer = await createOffer(s, req.principal!, req.body as IssueRequest & { expiresInSeconds?: number });
      res.status(201).setHeader('Cache-Control', 'no-store').location(offer.credential_offer_uri).json(offer);
    }),
  );

  r.get(
    `${OID4VCI_PATHS.offers}/:id`,
    handle(async (req, res) => {
      const doc = await offerDocument(s, req.params.id as string);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.json(doc);
    }),
  );

  r.get(
    `${OID4VCI_PATHS.offers}/:id/qr`,
    requireScope(s.store, 'issue'),
    handle(async (req, res) => {
      const q = validBody<{ format?: 'svg' | 'png' }>(offerQrQuerySchema.$id, { ...req.query });
      const link = await ownOfferLink(s, req.principal!, req.params.id as string);
      res.setHeader('Cache-Control', 'no-store');
      if (q.format === 'png') res.type('image/png').send(await renderQr(link, 'png'));
      else res.type('image/svg+xml').send(await renderQr(link, 'svg'));
    }),
  );

  r.get(OID4VCI_PATHS.issuerMetadata, (_req, res) => document(res, credentialIssuerMetadata(s.publicUrl)));
  r.get(OID4VCI_PATHS.authorizationServerMetadata, (_req, res) =>
    document(res, authorizationServerMetadata(s.publicUrl)),
  );

  const tokenLimit = rateLimit({
    windowMs: 60_000,
    limit: opts.tokenRequestsPerAddressPerMinute ?? TOKEN_REQUESTS_PER_ADDRESS_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `token:${ipKeyGenerator(req.ip ?? '')}`,
    handler: (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Retry-After', '60');
      res.status(429).json(new OAuthError('slow_down', 'too many token requests from this address').body());
    },
  });
  r.post(
    OID4VCI_PATHS.token,
    tokenLimit,
    express.urlencoded({ extended: false, limit: 4096, parameterLimit: 20 }),
    oauth(async (req, res) => {
      if (!req.is('application/x-www-form-urlencoded'))
        throw new OAuthError('invalid_request', 'send the token request as application/x-www-form-urlencoded');
      const token = await exchangePreAuthorizedCode(s, (req.body ?? {}) as Record<string, unknown>);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json(token);
    }),
  );

  r.post(
    OID4VCI_PATHS.credential,
    oauth(async (req, res) => {
      const out = await issueOfferedCredential(s, req.headers.authorization, req.body, {
        tookOver: () => metrics.idempotencyTakeOvers.inc(),
      });
      // A retry answers the credential already issued: not another issuance.
      if (out.fresh) metrics.issuances.inc({ type: out.type });
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ credentials: out.credentials });
    }),
  );
  return r;
}
