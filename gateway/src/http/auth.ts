/**
 * Authentication: `Authorization: Bearer <api key>`. The key's id finds its record; the
 * whole key is checked against the stored hash in constant time. Scopes decide what a
 * key may do; the principal decides whose records it may touch.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { apiKeyId, apiKeyMatches } from '../crypto/apikeys';
import { ApiError } from '../errors';
import type { ApiKeyRecord, Principal, Scope, Store } from '../ports/store';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    apiKeyId?: string;
  }
}

export async function authenticate(store: Store, header: string | undefined): Promise<ApiKeyRecord> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) throw new ApiError('unauthorized', 'send Authorization: Bearer <api key>');
  const id = apiKeyId(m[1]!);
  const record = id ? await store.getApiKey(id) : undefined;
  if (!record || record.revokedAt || !apiKeyMatches(m[1]!, record.hash)) {
    throw new ApiError('unauthorized', 'the API key is unknown or revoked');
  }
  return record;
}

/** Require an API key carrying `scope` (admin keys pass every scope check). */
export function requireScope(store: Store, scope: Scope): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    authenticate(store, req.headers.authorization)
      .then((key) => {
        if (!key.scopes.includes(scope) && !key.scopes.includes('admin')) {
          throw new ApiError('forbidden', `this API key lacks the ${scope} scope`);
        }
        req.principal = key.principal;
        req.apiKeyId = key.id;
        next();
      })
      .catch(next);
  };
}
