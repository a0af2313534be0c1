/**
 * Request bodies and paths as sent: JSON is UTF-8 (RFC 8259 §8.1), a body whose bytes or
 * content coding cannot be read is the client's fault (400 malformed_body), and so is a path
 * whose percent-escapes are not UTF-8 (400 malformed_path). The express parsers and the JSON
 * lane decode through the same rules, so neither path turns a bad byte into U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { HttpError } from './problem-types';

export const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The body's text, when its bytes are UTF-8.
 *
 * @example
 * const body = JSON.parse(utf8Text(await readBody(req, length)));
 */
export function utf8Text(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new HttpError('malformed_body', 'the body is not valid UTF-8');
  return bytes.toString('utf8');
}

/** body-parser's `verify` hook: called with the raw bytes, before they are decoded. */
function onlyUtf8(_req: IncomingMessage, _res: unknown, bytes: Buffer, charset: string): void {
  if (charset !== 'utf-8') {
    throw new HttpError('unsupported_media_type', `JSON is sent as UTF-8 (charset=utf-8 or none), not ${charset}`);
  }
  utf8Text(bytes);
}

/** A text body in UTF-8 is checked like JSON; other charsets a client declares are decoded as declared. */
function utf8WhenDeclared(_req: IncomingMessage, _res: unknown, bytes: Buffer, charset: string): void {
  if (charset === 'utf-8') utf8Text(bytes);
}

/** The problem a body-parser error names by its `type`, if it names one. */
export function parserProblem(err: { type?: string; message?: string }): HttpError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new HttpError('payload_too_large', err.message);
    case 'entity.parse.failed':
      return new HttpError('invalid_json', 'the body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('unsupported_media_type', err.message);
  }
  return undefined;
}

/**
 * What a body-parser failure means to the client. Errors the parsers mark 4xx without a
 * type of their own — a gzip, deflate or br stream that does not inflate, a body shorter
 * than its Content-Length — are the body's fault: malformed_body.
 */
function bodyProblem(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'request.aborted') return err;
  const named = parserProblem(e);
  if (named) return named;
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpError('malformed_body', 'the body cannot be read: its bytes or its Content-Encoding are corrupt');
  }
  return err;
}

/** A body parser whose failures are problems with stable codes. */
function mapped(parser: RequestHandler): RequestHandler {
  return (req, res, next) => parser(req, res, (err?: unknown) => (err ? next(bodyProblem(err)) : next()));
}

/** JSON bodies up to `limit` bytes, UTF-8 only, gzip/deflate/br inflated. */
export function jsonParser(limit: number): RequestHandler {
  return mapped(express.json({ limit, type: JSON_TYPES, strict: true, verify: onlyUtf8 }));
}

/** text/plain bodies up to `limit` bytes (QR texts posted as they are). */
export function textParser(limit: number): RequestHandler {
  return mapped(express.text({ type: 'text/plain', limit, verify: utf8WhenDeclared }));
}

/** 400 malformed_path when the path's percent-escapes do not decode to UTF-8 (`/v1/issuers/%`). */
export function decodablePath(): RequestHandler {
  return (req, _res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(new HttpError('malformed_path', 'the path has a % that does not start a UTF-8 escape'));
    }
    next();
  };
}
