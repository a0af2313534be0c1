/**
 * Request ids, structured logs and Prometheus metrics. Logs carry method, route,
 * status, duration, request id and the API key id — never bodies, never the
 * Authorization header, never personal data.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import pino, { type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'anxin-gateway' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.idNumber'],
      censor: '[redacted]',
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'anxin_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'anxin_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'anxin_verifications_total',
    help: 'Credential verifications by outcome (verified, or the first failing check).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly issuances = new Counter({
    name: 'anxin_issuances_total',
    help: 'Credentials issued and anchored, by type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly ledgerHeight = new Gauge({
    name: 'anxin_ledger_height',
    help: 'Blocks on the ledger, as last seen.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // The route pattern, never the raw path: paths carry ids, and ids must not reach logs or label sets.
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.latency.observe({ method: req.method, route }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      if (logger.isLevelEnabled(level)) {
        logger[level]({
          reqId: id,
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1e4) / 10,
          ...(req.apiKeyId ? { keyId: req.apiKeyId } : {}),
        });
      }
    });
    next();
  };
}
