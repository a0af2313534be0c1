#!/usr/bin/env node
// The `anxin` executable npm links at install time (node_modules/.bin/anxin). It is plain,
// committed JavaScript so that the link exists on a fresh clone before anything is built
// (npm skips a bin whose file is missing); the CLI itself is compiled TypeScript in
// cli/dist, loaded from here.
'use strict';
const { existsSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const cli = join(__dirname, '..', 'dist', 'bin.js');

/** One line saying what to run, and exit 2 (usage, connection or source errors, as for every anxin failure to start). */
function notBuilt(missing) {
  process.stderr.write(`anxin: not built yet (no ${missing}): run \`npm run build\` in ${root}\n`);
  process.exitCode = 2;
}

if (!existsSync(cli)) {
  notBuilt(relative(root, cli));
} else {
  try {
    require(cli);
  } catch (e) {
    // A half-built tree: a workspace package the CLI loads has no dist/ yet. Anything else
    // (a dependency not installed, a bug) is not ours to reword.
    const path = e && e.code === 'MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(String(e.message)) : null;
    const inTree = path && !relative(root, path[1]).startsWith('..') && /[\\/]dist[\\/]/.test(path[1]);
    if (!inTree) throw e;
    notBuilt(relative(root, path[1]));
  }
}
