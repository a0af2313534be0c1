#!/usr/bin/env node
/**
 * The gateway's browser bundles, built after `tsc -b` by `npm run build`, which the gateway
 * serves under the verifier page's CSP:
 *  - dist/public/verify.js — the verifier page's script (src/page), one classic script
 *    (GET /verify/verify.js);
 *  - dist/public/verify-core.js — the verification core (src/verify) as one ES module
 *    (GET /verify/verify-core.js);
 *  - dist/public/wallet/ — the worker's wallet (src/wallet/ui-main.ts) as an ES module,
 *    wallet.js, and chunks it loads when first needed (the QR decoder and encoder), each
 *    under GET /wallet/<file>.
 *
 * The core's bundle differs from the core Node runs in two things, both at build time:
 * `@anxin/schemas` is taken
 * from its TypeScript source (ES modules, so what the core does not use is left out), and
 * src/verify/validators.ts — which compiles schemas with ajv, which a CSP without
 * 'unsafe-eval' forbids — is replaced by validators generated ahead of time from the same
 * schemas (`standaloneValidators`). A Node built-in anywhere in the core's imports fails
 * the build (platform: browser).
 *
 *   node gateway/scripts/bundle.mjs [--quiet]
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const GATEWAY = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(GATEWAY, 'package.json'));
const SCHEMAS = dirname(require.resolve('@anxin/schemas/package.json'));
const SCHEMAS_SRC = join(SCHEMAS, 'src');
const CORE = join(GATEWAY, 'src', 'verify');

/** Where the bundle is written. */
export const OUT_DIR = join(GATEWAY, 'dist', 'public');
export const CORE_BUNDLE = join(OUT_DIR, 'verify-core.js');
export const PAGE_BUNDLE = join(OUT_DIR, 'verify.js');
export const WALLET_DIR = join(OUT_DIR, 'wallet');
export const WALLET_BUNDLE = join(WALLET_DIR, 'wallet.js');

/** Every schema the core validates with: each credential type's, and each member of each subject. */
function validatorRefs(schemas) {
  const refs = {};
  for (const s of Object.values(schemas.CREDENTIAL_SCHEMA_BY_TYPE)) refs[s.$id] = s.$id;
  for (const s of Object.values(schemas.SUBJECT_SCHEMA_BY_TYPE))
    for (const k of Object.keys(s.properties)) refs[`${s.$id}#/properties/${k}`] = `${s.$id}#/properties/${k}`;
  return refs;
}

/** The build-time replacements, and the source of @anxin/schemas. */
function browserCore() {
  const schemas = require('@anxin/schemas');
  const validators = `${schemas.standaloneValidators(validatorRefs(schemas))}
module.exports.validatorFor = (ref) => (Object.prototype.hasOwnProperty.call(module.exports, ref) ? module.exports[ref] : undefined);
`;
  // The keywords' checks, which the generated validators require as "@anxin/schemas".
  const checks = `export { isValidUscc, isValidIdNumber } from ${JSON.stringify(join(SCHEMAS_SRC, 'checksums.ts'))};
export { textLineProblem } from ${JSON.stringify(join(SCHEMAS_SRC, 'text-line.ts'))};
`;
  return {
    name: 'anxin-browser-core',
    setup(b) {
      b.onResolve({ filter: /\/validators$/ }, (a) =>
        join(a.resolveDir, a.path) === join(CORE, 'validators')
          ? { path: 'validators', namespace: 'anxin' }
          : undefined,
      );
      b.onResolve({ filter: /^@anxin\/schemas$/ }, (a) =>
        a.namespace === 'anxin'
          ? { path: 'keyword-checks', namespace: 'anxin' }
          : { path: join(SCHEMAS_SRC, 'index.ts'), sideEffects: false },
      );
      // The schemas' modules only declare (schemas, functions): what the core does not use of
      // them is left out — their runtime ajv above all, which validators generated ahead of
      // time replace here.
      b.onResolve({ filter: /.*/ }, async (a) => {
        if (a.namespace !== 'file' || !a.importer.startsWith(SCHEMAS_SRC + sep) || a.pluginData === SCHEMAS)
          return undefined;
        const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, pluginData: SCHEMAS });
        return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: false };
      });
      b.onLoad({ filter: /^validators$/, namespace: 'anxin' }, () => ({
        contents: validators,
        loader: 'js',
        resolveDir: SCHEMAS,
      }));
      b.onLoad({ filter: /^keyword-checks$/, namespace: 'anxin' }, () => ({
        contents: checks,
        loader: 'js',
        resolveDir: SCHEMAS,
      }));
    },
  };
}

/**
 * Build both bundles; the core's metafile tells what went into it.
 *
 * @example const { metafile } = await bundle();
 */
export async function bundle() {
  const common = {
    absWorkingDir: GATEWAY,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
  };
  // The wallet's chunks are named by their hash: none of an earlier build is left to be served.
  rmSync(WALLET_DIR, { recursive: true, force: true });
  const [core] = await Promise.all([
    build({
      ...common,
      entryPoints: [join(CORE, 'index.ts')],
      outfile: CORE_BUNDLE,
      format: 'esm',
      minify: true,
      metafile: true,
      plugins: [browserCore()],
    }),
    // Readable: the page's own code is small, and what runs on the page should be easy to read.
    build({ ...common, entryPoints: [join(GATEWAY, 'src', 'page', 'main.ts')], outfile: PAGE_BUNDLE, format: 'iife' }),
    // Minified and split: a cheap phone on a poor signal loads the wallet's first screen, and
    // the QR decoder or encoder only when it scans or shows a code.
    build({
      ...common,
      entryPoints: { wallet: join(GATEWAY, 'src', 'wallet', 'ui-main.ts') },
      outdir: WALLET_DIR,
      format: 'esm',
      splitting: true,
      minify: true,
      chunkNames: 'part-[hash]',
    }),
  ]);
  return { metafile: core.metafile };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundle();
  if (!process.argv.includes('--quiet')) {
    for (const file of [CORE_BUNDLE, PAGE_BUNDLE, WALLET_BUNDLE]) {
      const bytes = readFileSync(file);
      const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
      process.stdout.write(`${file}: ${kB(bytes.length)}, ${kB(gzipSync(bytes).length)} gzipped\n`);
    }
  }
}
