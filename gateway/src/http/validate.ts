import type { RequestHandler } from 'express';
import { validateById } from '@anxin/schemas';
import { DomainError } from '../errors';
import { HttpError } from './problem-types';

const hasBody = (req: Parameters<RequestHandler>[0]) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * A parsed JSON body checked against a registered schema: the value, typed, or a 400
 * validation_failed naming each failing field.
 *
 * @example
 * const { credential } = validBody<VerifyRequest>(verifyRequestSchema.$id, req.body);
 */
export function validBody<T>(schemaId: string, value: unknown): T {
  const v = validateById<T>(schemaId, value);
  if (!v.ok) {
    throw new DomainError('validation_failed', `${v.issues[0]!.field || '(body)'} ${v.issues[0]!.message}`, {
      errors: v.issues,
    });
  }
  return v.value;
}

/** Express middleware: a JSON body is there, sent as JSON (its schema is the handler's to check). */
export function jsonBody(): RequestHandler {
  return (req, _res, next) => {
    if (!hasBody(req)) return next(new HttpError('body_required', 'send a JSON body (Content-Type: application/json)'));
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(
        new HttpError(
          'unsupported_media_type',
          `send Content-Type: application/json, not ${req.headers['content-type'] ?? 'nothing'}`,
        ),
      );
    }
    next();
  };
}

/** Express middleware: a JSON body that satisfies a registered schema, or the problem saying why not. */
export function body(schemaId: string): RequestHandler {
  const present = jsonBody();
  return (req, res, next) =>
    present(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        validBody(schemaId, req.body);
      } catch (e) {
        return next(e);
      }
      next();
    });
}

/** Express 5 passes rejected promises to the error handler; this keeps handlers typed and short. */
export function handle(
  fn: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => Promise<unknown>,
): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
