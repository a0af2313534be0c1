import { Router } from 'express';
import { createApiKeyRequestSchema, type CreateApiKeyRequest } from '@anxin/schemas';
import { generateApiKey } from '../crypto/apikeys';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle } from '../http/validate';
import type { Scope } from '../ports/store';
import type { Services } from '../services/context';

export function apiKeyRoutes(s: Services): Router {
  const r = Router();
  const admin = requireScope(s.store, 'admin');

  r.post(
    '/v1/api-keys',
    admin,
    body(createApiKeyRequestSchema.$id),
    handle(async (req, res) => {
      const b = req.body as CreateApiKeyRequest;
      if (b.principal.type === 'issuer' && !s.projection.issuers.has(b.principal.id)) {
        throw new DomainError('not_found', `no issuer ${b.principal.id}`);
      }
      if (b.scopes.includes('admin') && b.principal.type !== 'admin') {
        throw new DomainError('validation_failed', 'only an admin principal may hold the admin scope', {
          errors: [{ field: '/scopes', code: 'admin', message: 'admin scope needs principal.type admin' }],
        });
      }
      const k = generateApiKey();
      const createdAt = s.now().toISOString();
      await s.store.putApiKey({
        id: k.id,
        hash: k.hash,
        principal: b.principal,
        scopes: b.scopes as Scope[],
        ...(b.label ? { label: b.label } : {}),
        createdAt,
      });
      res.status(201).json({ id: k.id, apiKey: k.key, principal: b.principal, scopes: b.scopes, createdAt });
    }),
  );

  r.get(
    '/v1/api-keys',
    admin,
    handle(async (_req, res) => {
      const keys = await s.store.listApiKeys();
      res.json({ apiKeys: keys.map(({ hash: _hash, ...k }) => k) });
    }),
  );

  r.delete(
    '/v1/api-keys/:id',
    admin,
    handle(async (req, res) => {
      const k = await s.store.getApiKey(req.params.id as string);
      if (!k) throw new DomainError('not_found', `no API key ${req.params.id as string}`);
      if (!k.revokedAt) await s.store.putApiKey({ ...k, revokedAt: s.now().toISOString() });
      res.status(204).end();
    }),
  );
  return r;
}
