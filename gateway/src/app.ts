/**
 * The express app: request context, security headers, rate limits, bounded bodies,
 * the routes, and one error handler that answers problem+json.
 */
import express from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { createHash } from 'node:crypto';
import { ApiError } from './errors';
import { requestContext, type Metrics } from './http/observability';
import { errorHandler, notFound, sendProblem } from './http/problem';
import { openApiDocument, ROUTES } from './openapi';
import { apiKeyRoutes } from './routes/api-keys';
import { credentialRoutes, issuer } from './routes/credentials';
import { issuerRoutes } from './routes/issuers';
import { nonceRoutes } from './routes/nonce';
import { verifierPageRoutes } from './routes/verifier-page';
import { webhookRoutes } from './routes/webhook';
import { publicRoutes } from './routes/public';
import { verifier, verifyRequestOf, verifyRoutes } from './routes/verify';
import { helmetHeaders, jsonLane } from './http/json-lane';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from './services/context';
import type { TrustList } from './services/trust-list';
import type { VerificationLog } from './services/verify/log';
import type { VerifierPool } from './services/verify/pool';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
/** Body limit of /v1/verify/batch: room for 1000 SD-JWTs of a few kB each. */
export const BATCH_BODY_LIMIT = 8 * 1024 * 1024;

export interface AppOptions {
  bodyLimit: number;
  rateLimitPerMinute: number;
  version: string;
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  trustList: TrustList;
  verificationLog: VerificationLog;
  /** Verification threads; without it, credentials are verified on the main thread. */
  verifierPool?: VerifierPool;
}

/** The express app alone (tests walk its routes). */
export function createApp(s: Services, deps: AppDeps, opts: AppOptions): express.Express {
  return buildGatewayHandler(s, deps, opts).app;
}

/**
 * The gateway's request listener: the fast lane for plain JSON verifications, express
 * for everything else, both built from the same pieces.
 */
export function buildGatewayHandler(
  s: Services,
  deps: AppDeps,
  opts: AppOptions,
): { app: express.Express; listener: (req: IncomingMessage, res: ServerResponse) => void } {
  const app = express();
  app.disable('x-powered-by');
  // Answers are per request (reports, fresh statuses): an ETag would cost a hash per response and help no cache.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(helmet());
  const limited = (limit: number, keyGenerator: (req: express.Request) => string) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator,
      // Liveness, readiness and metrics probes are never rate-limited.
      skip: (req) => PROBES.has(req.path),
      handler: (req, res) => {
        const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const retryAfter = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
        sendProblem(
          res,
          new ApiError('rate_limited', `limit: ${limit} requests per minute`, { retryAfter }),
          req.originalUrl,
        );
      },
    });
  // Per presented key — keyed by a hash of the whole key, so a wrong secret under someone's
  // public key id spends the presenter's budget, not theirs — else per address.
  const limiter = limited(opts.rateLimitPerMinute, (req) => {
    const m = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
    return m
      ? `key:${createHash('sha256').update(m[1]!).digest('base64url').slice(0, 22)}`
      : `ip:${ipKeyGenerator(req.ip ?? '')}`;
  });
  app.use(limiter);
  // A batch of up to 1000 credentials needs more room than one request.
  app.use(
    '/v1/verify/batch',
    express.json({
      limit: Math.max(opts.bodyLimit, BATCH_BODY_LIMIT),
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(express.json({ limit: opts.bodyLimit, type: ['application/json', 'application/*+json'], strict: true }));

  // The hot path first: employers' verifications outnumber every other call.
  const run = verifier(s, deps.metrics, deps.verificationLog, deps.verifierPool);
  const issue = issuer(s, deps.metrics);
  app.use(verifyRoutes(s, deps.metrics, deps.verificationLog, opts.bodyLimit, run));
  app.use(issuerRoutes(s));
  app.use(apiKeyRoutes(s));
  app.use(credentialRoutes(s, deps.metrics, issue));
  app.use(nonceRoutes(s));
  app.use(publicRoutes(s, deps.metrics, deps.trustList, () => openApiDocument(s.publicUrl, opts.version)));
  app.use(webhookRoutes(s));
  app.use(verifierPageRoutes());

  app.use(notFound(ROUTES));
  app.use(errorHandler((e, msg) => deps.logger.error({ err: e }, msg)));

  const fast = jsonLane(
    {
      app,
      store: s.store,
      limiter,
      securityHeaders: helmetHeaders(),
      bodyLimit: opts.bodyLimit,
      logger: deps.logger,
      metrics: deps.metrics,
    },
    [
      {
        path: '/v1/verify',
        scope: 'verify',
        handle: async (body, key) => {
          const { credential, opts: o } = verifyRequestOf(body);
          return { status: 200, body: await run(credential, key.principal, o) };
        },
      },
      {
        path: '/v1/credentials',
        scope: 'issue',
        handle: async (body, key, headers) => {
          const out = await issue(body, key.principal, headers['idempotency-key']);
          return { status: 201, body: out, headers: { Location: `/v1/credentials/${out.id}` } };
        },
      },
    ],
  );
  return {
    app,
    listener: (req, res) => {
      if (!fast(req, res)) app(req, res);
    },
  };
}
