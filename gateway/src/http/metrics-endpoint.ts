/**
 * GET /metrics: the Prometheus exposition, open by default (as any probe on the gateway's own
 * address), or only to a request carrying ANXIN_METRICS_TOKEN as its bearer token. The same
 * handler serves it beside the API or on a listener of its own (ANXIN_METRICS_HOST/PORT).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError } from '../errors';
import type { Metrics } from './observability';
import { sendProblem } from './problem';
import { HttpError } from './problem-types';

/** Whether `header` is `Bearer <token>`, compared in constant time (digests: equal lengths whatever was sent). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && !!m;
}

/**
 * Answer a GET /metrics request (any other method or path: a problem).
 *
 * @example
 * http.createServer((req, res) => serveMetrics(req, res, metrics, config.metrics.token));
 */
export function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: Metrics, token?: string): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    return sendProblem(res, new DomainError('not_found', `no route ${req.method ?? ''} ${path ?? ''}`), req.url ?? '/');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET');
    return sendProblem(res, new HttpError('method_not_allowed', 'use GET'), '/metrics');
  }
  if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
    return sendProblem(res, new HttpError('unauthorized', 'send Authorization: Bearer <metrics token>'), '/metrics');
  }
  metrics.registry.metrics().then(
    (text) => {
      res.statusCode = 200;
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    () => sendProblem(res, new HttpError('internal', 'the metrics could not be gathered'), '/metrics'),
  );
}
