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

/** What /metrics reads at each scrape, once the gateway is running. */
export interface MetricSources {
  /** How far the projection is behind the ledger (rejects when the ledger does not answer). */
  lag(): Promise<{ height: number; blocks: number; seconds: number }>;
  /** Webhook notices in the outbox, by state. */
  outbox(): Promise<Record<string, number>>;
}

/**
 * The gateway's Prometheus metrics: every name is `anxin_*`, and README.md's table
 * ("Metrics") says what each means. Gauges that depend on the ledger or the store are read
 * at each scrape; should one of those not answer, the gauge keeps its last value (and the
 * scrape still succeeds: /readyz is what says the ledger or the store is gone).
 */
export class Metrics {
  readonly registry = new Registry();
  private sources?: MetricSources;
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
  readonly projectionStopped = new Gauge({
    name: 'anxin_projection_stopped',
    help: '1 while the projection has stopped following the ledger (it starts over by itself), else 0.',
    registers: [this.registry],
  });
  readonly projectionLagBlocks = new Gauge({
    name: 'anxin_projection_lag_blocks',
    help: 'Blocks on the ledger the projection has not applied yet.',
    registers: [this.registry],
    collect: () => this.measureLag(),
  });
  readonly projectionLagSeconds = new Gauge({
    name: 'anxin_projection_lag_seconds',
    help: 'Age of the oldest block the projection has not applied yet (0 when caught up).',
    registers: [this.registry],
  });
  readonly ledgerHeight = new Gauge({
    name: 'anxin_ledger_height',
    help: 'Blocks on the ledger, as last seen.',
    registers: [this.registry],
  });
  readonly ledgerCommitSeconds = new Histogram({
    name: 'anxin_ledger_commit_duration_seconds',
    help: 'Time from submitting a transaction to the ledger until it is committed (or refused), by function and outcome.',
    labelNames: ['function', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly webhookOutbox = new Gauge({
    name: 'anxin_webhook_outbox',
    help: 'Webhook notices in the outbox, by state (pending: waiting for an attempt; delivered; failed: given up).',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.measureOutbox(),
  });
  readonly webhookDeliveryFailures = new Counter({
    name: 'anxin_webhook_delivery_failures_total',
    help: 'Webhook delivery attempts that failed, by outcome (retrying, or given_up after the last attempt).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'anxin_store_errors_total',
    help: 'Store operations that failed, by operation (the Store port method).',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly verifyThreadRestarts = new Counter({
    name: 'anxin_verify_thread_restarts_total',
    help: 'Verification threads that died and were replaced (or given up, when they cannot start).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const state of ['pending', 'delivered', 'failed']) this.webhookOutbox.set({ state }, 0);
    for (const outcome of ['retrying', 'given_up']) this.webhookDeliveryFailures.inc({ outcome }, 0);
  }

  /** Read the ledger and the store at each scrape from now on. */
  watch(sources: MetricSources): void {
    this.sources = sources;
  }

  private async measureLag(): Promise<void> {
    try {
      const lag = await this.sources?.lag();
      if (!lag) return;
      this.projectionLagBlocks.set(lag.blocks);
      this.projectionLagSeconds.set(lag.seconds);
      this.ledgerHeight.set(lag.height);
    } catch {
      // The ledger does not answer: the last values stay (and /readyz says ledger_unavailable).
    }
  }

  private async measureOutbox(): Promise<void> {
    try {
      const counts = await this.sources?.outbox();
      if (!counts) return;
      for (const state of ['pending', 'delivered', 'failed']) this.webhookOutbox.set({ state }, counts[state] ?? 0);
    } catch {
      // The store does not answer: the last values stay (and /readyz says store_unavailable).
    }
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
