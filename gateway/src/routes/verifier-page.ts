/**
 * The verifier page (GET /verify) and its two files: what an employer opens on a phone to
 * scan a worker's QR code. The page calls POST /v1/verify with the employer's own API key;
 * it adds no way to verify without one. Files are read once, at start.
 *
 * Its Content-Security-Policy is tighter than the API's: scripts and styles only from this
 * origin, no inline code, fetches only to this origin, never framed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import { DomainError } from '../errors';

import { PUBLIC_DIR } from '../public-dir';

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, { type: string; name: string }> = {
  'verify.js': { type: 'text/javascript; charset=utf-8', name: 'verify.js' },
  'verify.css': { type: 'text/css; charset=utf-8', name: 'verify.css' },
};

function send(res: Response, type: string, body: Buffer): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
  res.setHeader('Cache-Control', 'no-cache');
  res.type(type).send(body);
}

export function verifierPageRoutes(): Router {
  const page = readFileSync(join(PUBLIC_DIR, 'verify.html'));
  const files = Object.fromEntries(
    Object.entries(FILES).map(([k, f]) => [k, { type: f.type, body: readFileSync(join(PUBLIC_DIR, f.name)) }]),
  );
  const r = Router();
  r.get('/verify', (_req, res) => send(res, 'text/html; charset=utf-8', page));
  r.get('/verify/:file', (req, res, next) => {
    const f = Object.prototype.hasOwnProperty.call(files, req.params.file) ? files[req.params.file] : undefined;
    if (!f) return next(new DomainError('not_found', `no file ${req.params.file} for the verifier page`));
    send(res, f.type, f.body);
  });
  return r;
}
