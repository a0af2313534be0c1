import { join } from 'node:path';

/** The gateway's static files (the verifier page), beside dist/ in the package. */
export const PUBLIC_DIR = join(__dirname, '..', 'public');
