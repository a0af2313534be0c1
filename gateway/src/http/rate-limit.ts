/**
 * Rate limits: one fixed one-minute window per budget. A request that presents a valid API
 * key spends that key's budget; every other request — no key, or a key that fails
 * authentication — spends its client address's budget, a stricter one. A key is judged
 * before its budget is chosen, so a random Bearer token neither resets the count nor gets a
 * budget of its own, and wrong-key guesses are throttled per address. The express app and
 * the JSON lane share the one limiter this returns.
 */
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from './problem-types';
import type { Caller } from './auth';
import { sendProblem } from './problem';

/** Liveness, readiness and metrics probes are never rate-limited. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export interface RateLimits {
  /** Requests per minute per valid API key. */
  perKey: number;
  /** Requests per minute per client address, for requests without a valid API key. */
  perAddress: number;
}

interface Limited {
  caller?: Caller;
  ip?: string;
  path: string;
  originalUrl: string;
  rateLimit?: { limit: number; resetTime?: Date };
}

/** The identified key, when the request presented a valid one. */
const keyOf = (req: Limited) => (req.caller && 'key' in req.caller ? req.caller.key : undefined);

/**
 * The limiter. It reads `req.caller`, set by `identifyCaller` (express) or the JSON lane,
 * and answers 429 rate_limited problem+json with Retry-After.
 *
 * @example
 * app.use(identifyCaller(store), rateLimiter({ perKey: 60_000, perAddress: 600 }));
 */
export function rateLimiter(limits: RateLimits): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    limit: (req) => (keyOf(req as Limited) ? limits.perKey : limits.perAddress),
    identifier: (req) => (keyOf(req as Limited) ? 'api-key' : 'address'),
    keyGenerator: (req) => {
      const key = keyOf(req as Limited);
      return key ? `key:${key.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    skip: (req) => PROBES.has(req.path),
    handler: (req, res) => {
      const { limit, resetTime } = (req as Limited).rateLimit ?? { limit: 0 };
      const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      const per = keyOf(req as Limited) ? 'API key' : 'client address without a valid API key';
      sendProblem(
        res,
        new HttpError('rate_limited', `limit: ${limit} requests per minute per ${per}`, { retryAfter }),
        req.originalUrl,
      );
    },
  });
}
