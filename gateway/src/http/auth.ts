/**
 * Authentication: `Authorization: Bearer <api key>`. The key's id finds its record; the
 * whole key is checked against the stored hash in constant time. Scopes decide what a
 * key may do; the principal decides whose records it may touch.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { apiKeyId, apiKeyMatches } from '../crypto/apikeys';
import { DomainError } from '../errors';
import { HttpError } from './problem-types';
import type { ApiKeyRecord, Principal, Scope, Store } from '../ports/store';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    apiKeyId?: string;
    /** Set once, before the rate limiter: the limiter picks the budget by it, the routes reuse it. */
    caller?: Caller;
  }
}

/** Who a request's Authorization header names: its valid key, or why it names none. */
export type Caller = { key: ApiKeyRecord } | { failure: HttpError };

export async function authenticate(store: Store, header: string | undefined): Promise<ApiKeyRecord> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) throw new HttpError('unauthorized', 'send Authorization: Bearer <api key>');
  const id = apiKeyId(m[1]!);
  const record = id ? await store.getApiKey(id) : undefined;
  if (!record || record.revokedAt || !apiKeyMatches(m[1]!, record.hash)) {
    throw new HttpError('unauthorized', 'the API key is unknown or revoked');
  }
  return record;
}

/**
 * The caller behind an Authorization header. An unknown, revoked or malformed key (or none)
 * is a `failure`, not an exception: the rate limiter still has to count the request.
 *
 * @example
 * const caller = await identify(store, req.headers.authorization);
 * if ('failure' in caller) throw caller.failure;
 */
export async function identify(store: Store, header: string | undefined): Promise<Caller> {
  try {
    return { key: await authenticate(store, header) };
  } catch (e) {
    if (e instanceof HttpError) return { failure: e };
    throw e;
  }
}

/** Express middleware: identify the caller once, before the rate limiter. */
export function identifyCaller(store: Store): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    identify(store, req.headers.authorization).then((caller) => {
      req.caller = caller;
      if ('key' in caller) req.apiKeyId = caller.key.id;
      next();
    }, next);
  };
}

/** The caller's key if it carries `scope` (admin keys pass every scope check); else the problem why not. */
export function keyWithScope(caller: Caller, scope: Scope): ApiKeyRecord {
  if ('failure' in caller) throw caller.failure;
  if (!caller.key.scopes.includes(scope) && !caller.key.scopes.includes('admin')) {
    throw new DomainError('forbidden', `this API key lacks the ${scope} scope`);
  }
  return caller.key;
}

/** Require an API key carrying `scope`. */
export function requireScope(store: Store, scope: Scope): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    (req.caller ? Promise.resolve(req.caller) : identify(store, req.headers.authorization))
      .then((caller) => {
        const key = keyWithScope(caller, scope);
        req.principal = key.principal;
        req.apiKeyId = key.id;
        next();
      })
      .catch(next);
  };
}
