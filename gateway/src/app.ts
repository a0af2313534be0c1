/**
 * The express app: request context, security headers, rate limits, bounded bodies,
 * the routes, and one error handler that answers problem+json.
 */
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { requestContext, type Metrics } from './http/observability';
import { decodablePath, jsonParser } from './http/body';
import { identifyCaller } from './http/auth';
import { errorHandler, notFound } from './http/problem';
import { rateLimiter } from './http/rate-limit';
import { openApiDocument } from './openapi';
import { ROUTES } from './openapi/routes';
import { apiKeyRoutes } from './routes/api-keys';
import { credentialRoutes, issuer } from './routes/credentials';
import { issuerRoutes } from './routes/issuers';
import { registrarRoutes } from './routes/registrar';
import { nonceRoutes } from './routes/nonce';
import { oid4vciRoutes } from './routes/oid4vci';
import { verifierPageRoutes } from './routes/verifier-page';
import { walletPageRoutes } from './routes/wallet-page';
import { printedCardRoutes } from './routes/printed-cards';
import { webhookRoutes } from './routes/webhook';
import { holderRoutes } from './routes/holder';
import { expiringRoutes } from './routes/expiring';
import { operationRoutes } from './routes/operations';
import { publicRoutes } from './routes/public';
import { discoveryRoutes } from './routes/discovery';
import { verifier, verifyRequestOf, verifyRoutes } from './routes/verify';
import { presentationRequestRoutes } from './routes/presentation-requests';
import { PresentationRequests } from './services/presentation-requests';
import { helmetHeaders, jsonLane } from './http/json-lane';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from './services/context';
import { ProjectionLag } from './services/operations/projection-lag';
import { readiness, type ReadinessLimits } from './services/operations/readiness';
import type { TrustList } from './services/trust-list';
import type { StatusListPublisher } from './services/status-lists';
import { statusListRoutes } from './routes/status-lists';
import type { VerificationLog } from './services/verify/log';
import type { VerifierPool } from './services/verify/pool';

/** Body limit of /v1/verify/batch: room for 1000 SD-JWTs of a few kB each. */
export const BATCH_BODY_LIMIT = 8 * 1024 * 1024;

export interface AppOptions {
  bodyLimit: number;
  /** Requests per minute per valid API key. */
  rateLimitPerMinute: number;
  /** Requests per minute per client address, for requests without a valid API key. */
  rateLimitPerAddressPerMinute: number;
  version: string;
  /** /readyz: how far behind the ledger the projection may be (default 100 blocks, 60 s). */
  readiness?: ReadinessLimits;
  /** /metrics: only with this bearer token; or not here at all (it has a listener of its own). */
  metrics?: { token?: string; elsewhere?: boolean };
  /** OpenID4VCI token requests per minute per client address (default 20). */
  tokenRateLimitPerAddressPerMinute?: number;
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  trustList: TrustList;
  statusLists: StatusListPublisher;
  verificationLog: VerificationLog;
  /** Verification threads; without it, credentials are verified on the main thread. */
  verifierPool?: VerifierPool;
  /** How far the projection is behind (made from the services when not given). */
  lag?: ProjectionLag;
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
  const lag = deps.lag ?? new ProjectionLag(s.ledger, s.projection, () => s.now());
  app.use(
    operationRoutes({
      metrics: deps.metrics,
      ready: () =>
        readiness(
          { store: s.store, ledger: s.ledger, projection: s.projection, lag },
          opts.readiness ?? { maxLagBlocks: 100, maxLagSeconds: 60 },
        ),
      ...(opts.metrics?.token ? { metricsToken: opts.metrics.token } : {}),
      ...(opts.metrics?.elsewhere ? { metricsElsewhere: true } : {}),
    }),
  );
  const limiter = rateLimiter({ perKey: opts.rateLimitPerMinute, perAddress: opts.rateLimitPerAddressPerMinute });
  app.use(identifyCaller(s.store), limiter);
  app.use(decodablePath());
  // A batch of up to 1000 credentials needs more room than one request.
  app.use('/v1/verify/batch', jsonParser(Math.max(opts.bodyLimit, BATCH_BODY_LIMIT)));
  app.use(jsonParser(opts.bodyLimit));

  // The hot path first: employers' verifications outnumber every other call.
  const run = verifier(s, deps.metrics, deps.verificationLog, deps.verifierPool);
  const issue = issuer(s, deps.metrics);
  const logError = (e: unknown, msg: string) => deps.logger.error({ err: e }, msg);
  app.use(verifyRoutes(s, opts.bodyLimit, run, logError));
  app.use(issuerRoutes(s));
  app.use(registrarRoutes(s));
  app.use(apiKeyRoutes(s));
  // Before /v1/credentials/:id, which would take 'expiring' for an id.
  app.use(expiringRoutes(s));
  app.use(credentialRoutes(s, deps.metrics, issue));
  app.use(holderRoutes(s));
  app.use(nonceRoutes(s));
  app.use(
    oid4vciRoutes(s, deps.metrics, {
      ...(opts.tokenRateLimitPerAddressPerMinute
        ? { tokenRequestsPerAddressPerMinute: opts.tokenRateLimitPerAddressPerMinute }
        : {}),
    }),
  );
  app.use(publicRoutes(s, deps.metrics, deps.trustList, () => openApiDocument(s.publicUrl, opts.version)));
  app.use(statusListRoutes(deps.statusLists));
  app.use(webhookRoutes(s));
  app.use(discoveryRoutes(s));
  app.use(verifierPageRoutes());
  app.use(walletPageRoutes());
  app.use(presentationRequestRoutes(s, new PresentationRequests(s), run));
  app.use(printedCardRoutes());

  app.use(notFound(ROUTES));
  app.use(errorHandler(logError));

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
