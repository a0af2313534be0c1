/**
 * GET /c: where a printed work card's link lands when a phone camera opens it. The card's
 * reference is in the fragment, which the browser keeps across the redirect and never sends:
 * the verifier page takes it from there and verifies it like any scanned text.
 */
import { Router } from 'express';

export function printedCardRoutes(): Router {
  const r = Router();
  r.get('/c', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // Relative: under a public URL with a path prefix, the page is beside /c.
    res.redirect(302, 'verify');
  });
  return r;
}
