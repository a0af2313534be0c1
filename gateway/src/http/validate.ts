import type { RequestHandler } from 'express';
import { validateById } from '@anxin/schemas';
import { ApiError } from '../errors';

const hasBody = (req: Parameters<RequestHandler>[0]) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** Validate the JSON body against a registered schema; 400 naming each failing field otherwise. */
export function body(schemaId: string): RequestHandler {
  return (req, _res, next) => {
    if (!hasBody(req)) return next(new ApiError('body_required', 'send a JSON body (Content-Type: application/json)'));
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(
        new ApiError(
          'unsupported_media_type',
          `send Content-Type: application/json, not ${req.headers['content-type'] ?? 'nothing'}`,
        ),
      );
    }
    const v = validateById(schemaId, req.body);
    if (!v.ok) {
      return next(
        new ApiError('validation_failed', `${v.issues[0]!.field || '(body)'} ${v.issues[0]!.message}`, {
          errors: v.issues,
        }),
      );
    }
    next();
  };
}

/** Express 5 passes rejected promises to the error handler; this keeps handlers typed and short. */
export function handle(
  fn: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => Promise<unknown>,
): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}
