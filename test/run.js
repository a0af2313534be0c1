#!/usr/bin/env node
// Runs the whole suite (compiled by `tsc -b` into test/dist) and ends with the one line
// CI reads: "N passed, N failed". Arguments filter files: `node test/run.js chaincode`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const root = path.join(__dirname, 'dist');

// The browser bundles (the verifier page's script, the verification core) come from
// `npm run build` after `tsc -b`; made here too, so that `tsc -b` is enough to run the suite.
require('node:child_process').execFileSync(
  process.execPath,
  [path.join(__dirname, '..', 'gateway', 'scripts', 'bundle.mjs'), '--quiet'],
  { stdio: 'inherit' },
);
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const grep = process.env.ANXIN_TEST_GREP;

function collect(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(p, out);
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = collect(root)
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => path.relative(root, f).includes(x)));

const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, slow: 2_000, ...(grep ? { grep } : {}) });
for (const f of files) mocha.addFile(f);

const skipped = [];
const runner = mocha.run(() => {
  const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
  if (skipped.length) {
    console.log(`\nskipped (${pending}):`);
    for (const t of skipped) console.log(`  - ${t}`);
  }
  process.stdout.write(`${passes} passed, ${failures} failed\n`, () => process.exit(failures ? 1 : 0));
});
runner.on('pending', (t) => skipped.push(t.fullTitle()));

// A watchdog on its own thread: mocha's timeouts need the main thread's event loop, so a
// test that blocks it (a synchronous wait that never returns) would hang the run until CI
// kills it, with no word of where. The thread is told what runs; after WATCHDOG_MS with no
// test or hook ending it names what was running, counts it failed and ends the run.
const WATCHDOG_MS = Number(process.env.ANXIN_TEST_WATCHDOG_MS ?? 12 * 60_000);
const { Worker } = require('node:worker_threads');
const watchdog = new Worker(
  `const { parentPort } = require('node:worker_threads');
   const fs = require('node:fs');
   let current = '(loading)', passes = 0, failures = 0, last = Date.now();
   parentPort.on('message', (m) => { last = Date.now(); current = m.current; passes = m.passes; failures = m.failures; });
   setInterval(() => {
     if (Date.now() - last < ${WATCHDOG_MS}) return;
     fs.writeSync(1, '\\nwatchdog: nothing ended for ${Math.round(WATCHDOG_MS / 1000)} s; stuck in: ' + current + '\\n');
     fs.writeSync(1, passes + ' passed, ' + (failures + 1) + ' failed\\n');
     process.kill(process.pid, 'SIGKILL');
   }, 5_000).unref();`,
  { eval: true },
);
watchdog.unref();
const beat = (current) => {
  const { passes = 0, failures = 0 } = runner.stats ?? {};
  watchdog.postMessage({ current, passes, failures });
};
runner.on('test', (t) => beat(t.fullTitle()));
runner.on('hook', (h) => beat(h.fullTitle()));
runner.on('test end', (t) => beat(`after ${t.fullTitle()}`));
runner.on('hook end', (h) => beat(`after ${h.fullTitle()}`));
