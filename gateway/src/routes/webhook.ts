/**
 * A verifier's webhook: PUT to set where status changes of credentials it checked are
 * POSTed, GET to read it with the latest deliveries, DELETE to stop them. One per principal.
 */
import { Router, type RequestHandler } from 'express';
import { webhookRequestSchema, type WebhookRequest } from '@anxin/schemas';
import { DomainError } from '../errors';
import { requireScope } from '../http/auth';
import type { Scope } from '../ports/store';
import { body, handle, validBody } from '../http/validate';
import type { Services } from '../services/context';
import { EXPIRING_TYP, NOTIFICATION_TYP, webhookOwner } from '../services/notify';
import { webhookUrlProblem } from '../services/webhook-target';

const RECENT = 20;

/** A key with any of `scopes`: verifiers set theirs for status changes, issuers for what expires soon. */
function requireScopeOf(s: Services, scopes: Scope[]): RequestHandler {
  const checks = scopes.map((scope) => requireScope(s.store, scope));
  return (req, res, next) => {
    const attempt = (i: number): void => {
      void checks[i]!(req, res, (e?: unknown) => (e && i + 1 < checks.length ? attempt(i + 1) : next(e)));
    };
    attempt(0);
  };
}

export function webhookRoutes(s: Services): Router {
  const r = Router();

  r.put(
    '/v1/webhook',
    requireScopeOf(s, ['verify', 'issue']),
    body(webhookRequestSchema.$id),
    handle(async (req, res) => {
      const { url } = validBody<WebhookRequest>(webhookRequestSchema.$id, req.body);
      const problem = webhookUrlProblem(url);
      if (problem)
        throw new DomainError('validation_failed', `/url ${problem}`, {
          errors: [{ field: '/url', code: 'url', message: problem }],
        });
      const hook = { verifier: webhookOwner(req.principal!), url, createdAt: s.now().toISOString() };
      await s.store.putWebhook(hook);
      res.json({
        ...hook,
        // An issuer is told what of its own expires soon; a verifier, status changes of what it checked.
        typ: req.principal!.type === 'issuer' ? EXPIRING_TYP : NOTIFICATION_TYP,
        keys: `${s.publicUrl}/.well-known/jwks.json`,
      });
    }),
  );

  r.get(
    '/v1/webhook',
    requireScopeOf(s, ['verify', 'issue']),
    handle(async (req, res) => {
      const verifier = webhookOwner(req.principal!);
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
    requireScopeOf(s, ['verify', 'issue']),
    handle(async (req, res) => {
      if (!(await s.store.deleteWebhook(webhookOwner(req.principal!))))
        throw new DomainError('not_found', 'no webhook is set');
      res.status(204).end();
    }),
  );

  return r;
}
