import { Router } from 'express';
import {
  compromisedKeyRequestSchema,
  createIssuerRequestSchema,
  rotateKeyRequestSchema,
  updateIssuerRequestSchema,
  type CompromisedKeyRequest,
  type CreateIssuerRequest,
  type RotateKeyRequest,
  type UpdateIssuerRequest,
} from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle } from '../http/validate';
import type { Services } from '../services/context';
import {
  issuerOrThrow,
  keyCompromised,
  publicIssuer,
  registerIssuer,
  rotateKey,
  updateIssuer,
} from '../services/issuers';

export function issuerRoutes(s: Services): Router {
  const r = Router();
  const admin = requireScope(s.store, 'admin');

  r.post(
    '/v1/issuers',
    admin,
    body(createIssuerRequestSchema.$id),
    handle(async (req, res) => {
      const { issuer, apiKey } = await registerIssuer(s, req.body as CreateIssuerRequest);
      res
        .status(201)
        .location(`/v1/issuers/${encodeURIComponent(issuer.id)}`)
        .json({ issuer: publicIssuer(issuer), apiKey });
    }),
  );

  r.get(
    '/v1/issuers',
    handle(async (_req, res) => {
      const issuers = [...s.projection.issuers.values()].sort((a, b) => a.id.localeCompare(b.id)).map(publicIssuer);
      res.json({ issuers });
    }),
  );

  r.get(
    '/v1/issuers/:id',
    handle(async (req, res) => {
      res.json(publicIssuer(await issuerOrThrow(s, req.params.id as string)));
    }),
  );

  r.patch(
    '/v1/issuers/:id',
    admin,
    body(updateIssuerRequestSchema.$id),
    handle(async (req, res) => {
      const b = req.body as UpdateIssuerRequest;
      if (b.since !== undefined && Date.parse(b.since) > s.now().getTime()) {
        throw new DomainError('validation_failed', 'since is in the future', {
          errors: [{ field: '/since', code: 'past', message: 'must not be in the future' }],
        });
      }
      res.json(publicIssuer(await updateIssuer(s, req.params.id as string, b)));
    }),
  );

  r.post(
    '/v1/issuers/:id/keys',
    admin,
    body(rotateKeyRequestSchema.$id),
    handle(async (req, res) => {
      const b = req.body as RotateKeyRequest;
      res.status(201).json(publicIssuer(await rotateKey(s, req.params.id as string, b.alg, b.retirePrevious ?? true)));
    }),
  );

  r.post(
    '/v1/issuers/:id/keys/:keyId/compromised',
    admin,
    body(compromisedKeyRequestSchema.$id),
    handle(async (req, res) => {
      const b = req.body as CompromisedKeyRequest;
      if (Date.parse(b.compromisedSince) > s.now().getTime()) {
        throw new DomainError('validation_failed', 'compromisedSince is in the future', {
          errors: [{ field: '/compromisedSince', code: 'past', message: 'must not be in the future' }],
        });
      }
      res.json(
        publicIssuer(await keyCompromised(s, req.params.id as string, req.params.keyId as string, b.compromisedSince)),
      );
    }),
  );
  return r;
}
