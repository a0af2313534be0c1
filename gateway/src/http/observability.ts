/**
 * Request ids, structured logs and Prometheus metrics. Logs carry method, route,
 * status, duration, request id and the API key id — never bodies, never the
 * Authorization header, never personal data.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  readonly idempotencyTakeOvers = new Counter({
    name: 'anxin_idempotency_takeovers_total',
    help: 'Idempotency-Key claims taken over by a retry after their holder’s lease ended (the holder had died).',
    registers: [this.registry],
  });
  readonly projectionHookFailures = new Counter({
    name: 'anxin_projection_hook_failures_total',
    help: 'Times a change the projection applied failed in one of its hooks (e.g. queueing webhook notices); the change is retried.',
    registers: [this.registry],
  });
  readonly projectionStalled = new Gauge({
    name: 'anxin_projection_stalled',
    help: '1 while the projection is held at a change whose hooks fail, else 0.',
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

  private readonly children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  /** Count and time one request (label children cached: this runs on every request). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let c = this.children.get(key);
    if (!c) {
      c = { count: this.requests.labels(method, route, String(status)), time: this.latency.labels(method, route) };
      this.children.set(key, c);
    }
    c.count.inc();
    c.time.observe(seconds);
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** The request id: the caller's when well-formed, else a new one; set on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * Count, time and log a request when its response finishes. `route` gives the route
 * pattern — never the raw path: paths carry ids, and ids must not reach logs or label sets.
 */
export function observe(
  logger: Logger,
  metrics: Metrics,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  route: () => string,
  keyId: () => string | undefined,
): void {
  const start = process.hrtime.bigint();
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const r = route();
    const method = req.method ?? '';
    metrics.observeRequest(method, r, res.statusCode, seconds);
    const level = res.statusCode >= 500 ? 'error' : 'info';
    if (logger.isLevelEnabled(level)) {
      const key = keyId();
      logger[level]({
        reqId: id,
        method,
        route: r,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        ...(key ? { keyId: key } : {}),
      });
    }
  });
}

export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const id = requestId(req, res);
    observe(
      logger,
      metrics,
      req,
      res,
      id,
      () => {
        const pattern = (req.route as { path?: unknown } | undefined)?.path;
        return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      },
      () => req.apiKeyId,
    );
    next();
  };
}
