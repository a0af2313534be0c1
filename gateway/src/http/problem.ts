/**
 * RFC 9457 problem details: every error the API answers with, one shape, one media type.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ProblemDocument } from 'http-problem-details';
import { ApiError, ERROR_TITLES, type ErrorCode } from '../errors';
import { parserProblem } from './body';

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

/** The code for an error that carries only an HTTP status (from express, its router or a parser). */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * Body-parser failures and everything unexpected become problems; nothing leaks a stack.
 * An error that says it is the client's (a 4xx status) stays a 4xx: the router's
 * undecodable `%` in a path parameter is malformed_path, a parser's is its own code.
 */
export function errorHandler(log: (e: unknown, msg: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    const e = (err ?? {}) as { type?: string; status?: number; message?: string };
    const named = parserProblem(e);
    let api: ApiError;
    if (err instanceof ApiError) api = err;
    else if (e.type === 'request.aborted') return;
    else if (named) api = named;
    else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      api =
        err instanceof URIError
          ? new ApiError('malformed_path', 'the path has a % that does not start a UTF-8 escape')
          : new ApiError(CODE_OF_STATUS[e.status] ?? 'bad_request');
    } else {
      log(err, 'unhandled error');
      api = new ApiError('internal', 'something went wrong; the request id identifies it in the logs');
    }
    sendProblem(res, api, req.originalUrl);
  };
}
