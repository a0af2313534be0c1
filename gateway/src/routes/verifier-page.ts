/**
 * The verifier page (GET /verify) and its files: what an employer opens on a phone to scan a
 * worker's QR code. The page calls POST /v1/verify with the employer's own API key; it adds
 * no way to verify without one. Beside its style sheet, its script and the verification
 * core's bundle (for verifying in the page) are built by `npm run build`; one not built is
 * a 404. Files are read once, at start.
 *
 * Its Content-Security-Policy is tighter than the API's: scripts and styles only from this
 * origin, no inline code, fetches only to this origin, never framed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import { DomainError } from '../errors';

import { BUNDLE_DIR, PUBLIC_DIR } from '../public-dir';

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

const FILES: Record<string, { type: string; dir: string }> = {
  'verify.js': { type: 'text/javascript; charset=utf-8', dir: BUNDLE_DIR },
  'verify-core.js': { type: 'text/javascript; charset=utf-8', dir: BUNDLE_DIR },
  'verify.css': { type: 'text/css; charset=utf-8', dir: PUBLIC_DIR },
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
    Object.entries(FILES)
      .filter(([name, f]) => existsSync(join(f.dir, name)))
      .map(([name, f]) => [name, { type: f.type, body: readFileSync(join(f.dir, name)) }]),
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
