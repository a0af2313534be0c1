/**
 * Running the repository's own lint tools from the suite: each in a child process at the
 * repository's root, as `npm run lint` would, with its output kept for the failure message.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository's root (this file runs from test/dist/lint). */
export const ROOT = resolve(__dirname, '..', '..', '..');

export interface ToolRun {
  code: number;
  output: string;
  ms: number;
}

/**
 * Run `command args…` at the root; never rejects: a tool that cannot start gives code -1.
 *
 * @example
 * const r = await runTool(process.execPath, [nodeBin('prettier/bin/prettier.cjs'), '--check', '.']);
 */
export function runTool(command: string, args: string[]): Promise<ToolRun> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, output: `${stdout}${stderr}`.trim(), ms: Date.now() - started });
    });
  });
}

/** A file of an installed package (node_modules at the root). */
export function nodeBin(path: string): string {
  return join(ROOT, 'node_modules', path);
}
