/**
 * A verifier's webhook: PUT to set where status changes of credentials it checked are
 * POSTed, GET to read it with the latest deliveries, DELETE to stop them. One per principal.
 */
import { Router } from 'express';
import { webhookRequestSchema, type WebhookRequest } from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import { body, handle, validBody } from '../http/validate';
import type { Services } from '../services/context';
import { NOTIFICATION_TYP } from '../services/notify';
import { webhookUrlProblem } from '../services/webhook-target';

const RECENT = 20;

export function webhookRoutes(s: Services): Router {
  const r = Router();

  r.put(
    '/v1/webhook',
    requireScope(s.store, 'verify'),
    body(webhookRequestSchema.$id),
    handle(async (req, res) => {
      const { url } = validBody<WebhookRequest>(webhookRequestSchema.$id, req.body);
      const problem = webhookUrlProblem(url);
      if (problem)
        throw new DomainError('validation_failed', `/url ${problem}`, {
          errors: [{ field: '/url', code: 'url', message: problem }],
        });
      const hook = { verifier: req.principal!.id, url, createdAt: s.now().toISOString() };
      await s.store.putWebhook(hook);
      res.json({ ...hook, typ: NOTIFICATION_TYP, keys: `${s.publicUrl}/.well-known/jwks.json` });
    }),
  );

  r.get(
    '/v1/webhook',
    requireScope(s.store, 'verify'),
    handle(async (req, res) => {
      const verifier = req.principal!.id;
      const hook = await s.store.getWebhook(verifier);
      const recent = await s.store.listNotifications(verifier, RECENT);
      res.json({
        webhook: hook ?? null,
        recent: recent.map(
          ({ id, credentialId, state, attempts, createdAt, nextAttemptAt, lastError, deliveredAt }) => ({
            id,
            credentialId,
            state,
            attempts,
            createdAt,
            ...(state === 'pending' ? { nextAttemptAt } : {}),
            ...(lastError ? { lastError } : {}),
            ...(deliveredAt ? { deliveredAt } : {}),
          }),
        ),
      });
    }),
  );

  r.delete(
    '/v1/webhook',
    requireScope(s.store, 'verify'),
    handle(async (req, res) => {
      if (!(await s.store.deleteWebhook(req.principal!.id))) throw new DomainError('not_found', 'no webhook is set');
      res.status(204).end();
    }),
  );

  return r;
}
