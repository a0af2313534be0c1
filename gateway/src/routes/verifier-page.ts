/**
 * The verifier page (GET /verify) and its files: what an employer opens on a phone to scan a
 * worker's QR code. With the employer's API key the page calls POST /v1/verify; without one
 * it verifies in the browser with the verification core's bundle, against the public trust
 * list and status lists, and its service worker (GET /verify/sw.js, scope /verify, with the
 * part it shares with the wallet's, GET /verify/shell-sw.js) keeps the page for offline use.
 * Beside its style sheet and service workers, its script and the core's bundle are built by
 * `npm run build`; one not built is a 404. Files are read once, at start.
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
  'sw.js': { type: 'text/javascript; charset=utf-8', dir: PUBLIC_DIR },
  'shell-sw.js': { type: 'text/javascript; charset=utf-8', dir: PUBLIC_DIR },
};
/** Files served under another name than they have on disk. */
const ON_DISK: Record<string, string> = { 'sw.js': 'verify-sw.js' };

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
      .filter(([name, f]) => existsSync(join(f.dir, ON_DISK[name] ?? name)))
      .map(([name, f]) => [name, { type: f.type, body: readFileSync(join(f.dir, ON_DISK[name] ?? name)) }]),
  );
  const r = Router();
  r.get('/verify', (_req, res) => send(res, 'text/html; charset=utf-8', page));
  r.get('/verify/:file', (req, res, next) => {
    const f = Object.prototype.hasOwnProperty.call(files, req.params.file) ? files[req.params.file] : undefined;
    if (!f) return next(new DomainError('not_found', `no file ${req.params.file} for the verifier page`));
    // The worker lives under /verify/ but serves the page at /verify itself.
    if (req.params.file === 'sw.js') res.setHeader('Service-Worker-Allowed', '/verify');
    send(res, f.type, f.body);
  });
  return r;
}
