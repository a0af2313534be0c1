/**
 * The express app: request context, security headers, rate limits, bounded bodies,
 * the routes, and one error handler that answers problem+json.
 */
import express from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { apiKeyId } from './crypto/apikeys';
import { ApiError } from './errors';
import { requestContext, type Metrics } from './http/observability';
import { errorHandler, notFound, sendProblem } from './http/problem';
import { openApiDocument } from './openapi';
import { apiKeyRoutes } from './routes/api-keys';
import { credentialRoutes } from './routes/credentials';
import { issuerRoutes } from './routes/issuers';
import { publicRoutes } from './routes/public';
import { verifyRoutes } from './routes/verify';
import type { Services } from './services/context';
import type { TrustList } from './services/trust-list';
import type { VerificationLog } from './services/verify/log';

export interface AppOptions {
  bodyLimit: number;
  rateLimitPerMinute: number;
  version: string;
}

export function createApp(
  s: Services,
  deps: { logger: Logger; metrics: Metrics; trustList: TrustList; verificationLog: VerificationLog },
  opts: AppOptions,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(helmet());
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: opts.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // Per API key when one is presented (its public id, not the secret), else per address.
      keyGenerator: (req) => {
        const m = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
        const id = m ? apiKeyId(m[1]!) : undefined;
        return id ? `key:${id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
      },
      handler: (req, res) => {
        const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const retryAfter = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
        sendProblem(res, new ApiError('rate_limited', `limit: ${opts.rateLimitPerMinute} requests per minute`, { retryAfter }), req.originalUrl);
      },
    }),
  );
  app.use(express.json({ limit: opts.bodyLimit, type: ['application/json', 'application/*+json'], strict: true }));

  app.use(issuerRoutes(s));
  app.use(apiKeyRoutes(s));
  app.use(credentialRoutes(s, deps.metrics));
  app.use(verifyRoutes(s, deps.metrics, deps.verificationLog, opts.bodyLimit));
  app.use(publicRoutes(s, deps.metrics, deps.trustList, () => openApiDocument(s.publicUrl, opts.version)));

  app.use(notFound);
  app.use(errorHandler((e, msg) => deps.logger.error({ err: e }, msg)));
  return app;
}
