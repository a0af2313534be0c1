/**
 * shellcheck over every shell script in the repository (found by their #! line, so a new
 * script is checked without being listed). Without the shellcheck binary the test says so
 * loudly and is skipped, which the suite's summary lists; CI installs it (.ci/run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ROOT, runTool } from './tools';

/** Tracked files whose first line names a POSIX shell or bash. */
function shellScripts(): string[] {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  return files.filter((f) => {
    if (f.endsWith('.sh')) return true;
    if (/\.(ts|js|mjs|cjs|json|md|ya?ml)$/.test(f)) return false;
    try {
      const head = readFileSync(join(ROOT, f), 'utf8').slice(0, 80);
      return /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(ba|da)?sh\b/.test(head);
    } catch {
      return false;
    }
  });
}

describe('lint: shellcheck', function () {
  it('every shell script passes shellcheck', async function () {
    this.timeout(120_000);
    const scripts = shellScripts();
    expect(scripts, 'shell scripts found').to.include('.ci/run');
    const version = await runTool('shellcheck', ['--version']);
    if (version.code !== 0) {
      console.warn(
        `\n      !!! shellcheck is not installed: ${scripts.length} shell scripts NOT checked (apt-get install -y shellcheck)\n`,
      );
      this.skip();
    }
    // Warnings and errors fail; style and info notes do not. .shellcheckrc follows sourced files.
    const r = await runTool('shellcheck', ['--severity=warning', ...scripts]);
    console.log(`      shellcheck: ${scripts.length} scripts, ${(r.ms / 1000).toFixed(1)} s`);
    expect(r.code, r.output).to.equal(0);
  });
});
