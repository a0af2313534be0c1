/**
 * RFC 9457 problem details: every error the API answers with, one shape, one media type.
 * The express error handler and the JSON lane both answer through `problemOf` and
 * `sendProblem`, so an error reads the same on either path.
 */
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ProblemDocument } from 'http-problem-details';
import { DomainError, type DomainErrorData } from '../errors';
import { parserProblem } from './body';
import { HttpError, PROBLEM_TYPES, PROBLEM_TYPE_BASE, type ProblemCode } from './problem-types';

/** What a problem document is made of: a `DomainError` or an `HttpError`. */
export interface Problem {
  code: ProblemCode;
  detail?: string | undefined;
  extra: DomainErrorData;
}

/** Logs what the client is never shown. */
export type ErrorLog = (e: unknown, msg: string) => void;

/**
 * The problem an error is: a refusal (DomainError, HttpError) as its code says; anything
 * else is unexpected — logged, and answered as `internal` without a word of what it was.
 *
 * @example
 * sendProblem(res, problemOf(e, (err, msg) => logger.error({ err }, msg)), req.originalUrl);
 */
export function problemOf(e: unknown, log: ErrorLog): Problem {
  if (e instanceof DomainError || e instanceof HttpError) return e;
  log(e, 'unhandled error');
  return new HttpError('internal', 'something went wrong; the request id identifies it in the logs');
}

/** The problem document of `p`: type, title, detail, instance, status, then the extensions. */
export function problemDocument(p: Problem, instance?: string, requestId?: string): ProblemDocument {
  const ext: Record<string, unknown> = { ...p.extra.members, code: p.code };
  if (requestId !== undefined) ext.requestId = requestId;
  if (p.extra.errors?.length) ext.errors = p.extra.errors;
  if (p.extra.reason) ext.reason = p.extra.reason;
  if (p.extra.anchored) ext.anchored = p.extra.anchored;
  const { status, title } = PROBLEM_TYPES[p.code];
  return new ProblemDocument(
    {
      type: `${PROBLEM_TYPE_BASE}${p.code}`,
      title,
      status,
      ...(p.detail ? { detail: p.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
    },
    ext as Record<string, object>,
  );
}

/** Answer with a problem document. Plain node response methods only: used inside and outside express. */
export function sendProblem(res: ServerResponse, p: Problem, instance: string): void {
  const requestId = res.getHeader('x-request-id');
  const doc = problemDocument(p, instance, typeof requestId === 'string' ? requestId : undefined);
  if (p.extra.retryAfter !== undefined) res.setHeader('Retry-After', String(p.extra.retryAfter));
  if (p.code === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="anxin"');
  const body = JSON.stringify(doc);
  res.statusCode = doc.status;
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
        new HttpError('method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}`),
        req.originalUrl,
      );
    }
    sendProblem(res, new DomainError('not_found', `no route ${req.method} ${req.path}`), req.originalUrl);
  };
}

/** The code for an error that carries only an HTTP status (from express, its router or a parser). */
const CODE_OF_STATUS: Record<number, ProblemCode> = {
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
export function errorHandler(log: ErrorLog): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    const e = (err ?? {}) as { type?: string; status?: number; message?: string };
    if (e.type === 'request.aborted' && !(err instanceof DomainError || err instanceof HttpError)) return;
    sendProblem(res, clientProblem(err, e) ?? problemOf(err, log), req.originalUrl);
  };
}

/** The problem of a foreign error that says it is the client's fault (a parser's, the router's). */
function clientProblem(err: unknown, e: { type?: string; status?: number; message?: string }): Problem | undefined {
  if (err instanceof DomainError || err instanceof HttpError) return undefined;
  const named = parserProblem(e);
  if (named) return named;
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    if (err instanceof URIError)
      return new HttpError('malformed_path', 'the path has a % that does not start a UTF-8 escape');
    return { code: CODE_OF_STATUS[e.status] ?? 'bad_request', extra: {} };
  }
  return undefined;
}
