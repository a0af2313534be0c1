import { join } from 'node:path';

/** The gateway's static files (the verifier page), beside dist/ in the package. */
export const PUBLIC_DIR = join(__dirname, '..', 'public');

/** The browser bundles `npm run build` makes (scripts/bundle.mjs): the page's script and the verification core. */
export const BUNDLE_DIR = join(__dirname, 'public');
