/**
 * The operator's probes: /healthz (the process is alive: nothing else is asked), /readyz
 * (it can serve now: store, ledger and projection; 503 with a problem document naming
 * each cause otherwise) and /metrics. Mounted before authentication: a probe never waits
 * for the store to look up an API key.
 */
import { Router } from 'express';
import { DomainError } from '../errors';
import { serveMetrics } from '../http/metrics-endpoint';
import type { Metrics } from '../http/observability';
import { handle } from '../http/validate';
import type { Readiness } from '../services/operations/readiness';

export interface OperationsOptions {
  metrics: Metrics;
  ready(): Promise<Readiness>;
  /** Only a request with this bearer token may read /metrics. */
  metricsToken?: string;
  /** /metrics has a listener of its own: not served here. */
  metricsElsewhere?: boolean;
}

export function operationRoutes(o: OperationsOptions): Router {
  const r = Router();

  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  r.get(
    '/readyz',
    handle(async (_req, res) => {
      const { ready, causes, ledger, store, projection } = await o.ready();
      res.setHeader('Cache-Control', 'no-store');
      if (ready) {
        res.json({ status: 'ready', ledger, store, projection });
        return;
      }
      const first = causes[0]!;
      throw new DomainError(first.code, causes.map((c) => c.detail).join('; '), {
        members: { causes, ledger, store, projection },
      });
    }),
  );

  r.get('/metrics', (req, res, next) => {
    if (o.metricsElsewhere) return next(new DomainError('not_found', '/metrics is served on its own address'));
    serveMetrics(req, res, o.metrics, o.metricsToken);
  });

  return r;
}
