/**
 * The worker's wallet (GET /wallet) and its files: a phone web app that receives credentials
 * (OpenID4VCI), keeps them with a device key made in the browser, and shows them
 * (OpenID4VP, or a static QR code offline). Its shell (page, style sheet, manifest, icons,
 * service worker and the part it shares with the verifier page's, shell-sw.js) is in
 * public/; its script and the script's lazily loaded parts are built by `npm run build` into
 * dist/public/wallet/ (scripts/bundle.mjs). Files are read once, at start; a file not built
 * is a 404.
 *
 * Its Content-Security-Policy is the verifier page's: scripts, styles and fetches only from
 * this origin, no inline code, no eval, never framed. The camera is allowed to this origin
 * only (scanning offer and request QR codes).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Router, type Response } from 'express';
import { DomainError } from '../errors';
import { BUNDLE_DIR, PUBLIC_DIR } from '../public-dir';
import { PAGE_CSP } from './verifier-page';

/** The wallet's script and its chunks, as `npm run build` writes them. */
export const WALLET_BUNDLE_DIR = join(BUNDLE_DIR, 'wallet');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
};

/** The shell's files in public/, by the name they are served under (/wallet/<name>). */
const SHELL: Record<string, string> = {
  'wallet.css': 'wallet.css',
  'sw.js': 'wallet-sw.js',
  'shell-sw.js': 'shell-sw.js',
  'manifest.webmanifest': 'wallet.webmanifest',
  'icon.svg': 'wallet-icon.svg',
  'icon-192.png': 'wallet-icon-192.png',
  'icon-512.png': 'wallet-icon-512.png',
};

function send(res: Response, type: string, body: Buffer): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  res.type(type).send(body);
}

/** Every file the wallet serves, read once: name → type and bytes. */
function walletFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const [name, onDisk] of Object.entries(SHELL)) {
    const path = join(PUBLIC_DIR, onDisk);
    if (existsSync(path)) files.set(name, { type: TYPES[extname(name)]!, body: readFileSync(path) });
  }
  if (existsSync(WALLET_BUNDLE_DIR))
    for (const name of readdirSync(WALLET_BUNDLE_DIR))
      if (extname(name) === '.js' || extname(name) === '.css')
        files.set(name, { type: TYPES[extname(name)]!, body: readFileSync(join(WALLET_BUNDLE_DIR, name)) });
  return files;
}

/**
 * GET /wallet and GET /wallet/<file>.
 *
 * @example app.use(walletPageRoutes());
 */
export function walletPageRoutes(): Router {
  const page = readFileSync(join(PUBLIC_DIR, 'wallet.html'));
  const files = walletFiles();
  const r = Router();
  r.get('/wallet', (_req, res) => send(res, 'text/html; charset=utf-8', page));
  r.get('/wallet/:asset', (req, res, next) => {
    const f = files.get(req.params.asset);
    if (!f) return next(new DomainError('not_found', `no file ${req.params.asset} for the wallet`));
    // The worker lives under /wallet/ but serves the page at /wallet itself.
    if (req.params.asset === 'sw.js') res.setHeader('Service-Worker-Allowed', '/wallet');
    send(res, f.type, f.body);
  });
  return r;
}
