#!/usr/bin/env node
/**
 * The `anxin` executable. See ./program for the commands; `anxin --help` teaches each.
 */
import { run } from './program';
// `anxin … | head`: a closed pipe ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`anxin: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
