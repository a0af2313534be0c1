/**
 * RFC 9457 problem details: every error the API answers with, one shape, one media type.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ProblemDocument } from 'http-problem-details';
import { ApiError, ERROR_TITLES } from '../errors';

export const PROBLEM_TYPE_BASE = 'https://anxin.dev/problems/';

/** Answer with a problem document. Plain node response methods only: used inside and outside express. */
export function sendProblem(res: ServerResponse, err: ApiError, instance: string): void {
  const ext: Record<string, object | string | number> = { code: err.code };
  const requestId = res.getHeader('x-request-id');
  if (typeof requestId === 'string') ext.requestId = requestId;
  if (err.extra.errors?.length) ext.errors = err.extra.errors;
  if (err.extra.reason) ext.reason = err.extra.reason;
  const doc = new ProblemDocument(
    {
      type: `${PROBLEM_TYPE_BASE}${err.code}`,
      title: ERROR_TITLES[err.code],
      status: err.status,
      ...(err.detail ? { detail: err.detail } : {}),
      instance,
    },
    ext,
  );
  if (err.extra.retryAfter !== undefined) res.setHeader('Retry-After', String(err.extra.retryAfter));
  if (err.code === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="anxin"');
  const body = JSON.stringify(doc);
  res.statusCode = err.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * No route matched: 405 with Allow when the path exists under other methods, else 404.
 * `routes` are OpenAPI-style paths, e.g. /v1/issuers/{id}.
 */
export function notFound(routes: Array<{ method: string; path: string }>): RequestHandler {
  const patterns = routes.map((r) => ({
    method: r.method.toUpperCase(),
    re: new RegExp(`^${r.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return (req, res) => {
    const allowed = [...new Set(patterns.filter((p) => p.re.test(req.path)).map((p) => p.method))];
    if (allowed.length) {
      res.setHeader('Allow', allowed.join(', '));
      return sendProblem(
        res,
        new ApiError('method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}`),
        req.originalUrl,
      );
    }
    sendProblem(res, new ApiError('not_found', `no route ${req.method} ${req.path}`), req.originalUrl);
  };
}

/** Body-parser failures and everything unexpected become problems; nothing leaks a stack. */
export function errorHandler(log: (e: unknown, msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    let api: ApiError;
    const e = err as { type?: string; status?: number; message?: string };
    if (err instanceof ApiError) api = err;
    else if (e.type === 'entity.too.large') api = new ApiError('payload_too_large', e.message);
    else if (e.type === 'entity.parse.failed') api = new ApiError('invalid_json', 'the body is not valid JSON');
    else if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      api = new ApiError('unsupported_media_type', e.message);
    } else if (e.type === 'request.aborted') {
      return;
    } else {
      log(err, 'unhandled error');
      api = new ApiError('internal', 'something went wrong; the request id identifies it in the logs');
    }
    sendProblem(res, api, req.originalUrl);
  };
}
