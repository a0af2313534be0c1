/**
 * ESLint over the whole repository, as `npm run lint` runs it: typescript-eslint's
 * type-checked rules, the complexity and function-length ceilings, and the package
 * boundaries (no import of another package's dist/; no express or node:http in the
 * gateway's services or its verification core) — and those boundaries really catch an import.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { ROOT, nodeBin, runTool, type ToolRun } from './tools';

/** The no-restricted-imports rule as configured for `file`, run alone over `code`. */
async function restrictedImports(file: string, code: string): Promise<string[]> {
  const config = (await new ESLint({ cwd: ROOT }).calculateConfigForFile(file)) as Linter.Config;
  const rule = config.rules?.['no-restricted-imports'];
  expect(rule, `no-restricted-imports for ${file}`).to.not.equal(undefined);
  const messages = new Linter({ configType: 'flat' }).verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        rules: { 'no-restricted-imports': rule! },
      },
    ],
    file,
  );
  return messages.map((m) => m.ruleId ?? m.message);
}

const TARGETS = ['schemas', 'chaincode', 'network', 'gateway', 'cli', 'bench', 'test', 'eslint.config.js'];
/** ESLint runs at once: the machines this suite runs on have two cores or more. */
const AT_ONCE = 2;

/** Run ESLint over every target, AT_ONCE at a time, each promise settling with its own run. */
function lintAll(): Map<string, Promise<ToolRun>> {
  const runs = new Map<string, Promise<ToolRun>>();
  const queue: Array<() => void> = [];
  let running = 0;
  const next = () => {
    if (running >= AT_ONCE) return;
    const start = queue.shift();
    if (!start) return;
    running++;
    start();
  };
  for (const dir of TARGETS)
    runs.set(
      dir,
      new Promise<ToolRun>((resolve) => {
        queue.push(() => {
          void runTool(process.execPath, [nodeBin('eslint/bin/eslint.js'), dir, '--max-warnings', '0']).then((r) => {
            running--;
            resolve(r);
            next();
          });
        });
      }),
    );
  for (let i = 0; i < AT_ONCE; i++) next();
  return runs;
}

describe('lint: eslint', function () {
  // One run per package (each its own test, so that each ends well within the suite's
  // watchdog): type-aware linting reads a package's whole program, about a minute and a half
  // of CPU for the repository, so two run at a time, started when the first test asks.
  let runs: Map<string, Promise<ToolRun>> | undefined;
  for (const dir of TARGETS)
    it(`${dir} passes (type-aware rules, complexity, function length, package boundaries)`, async function () {
      this.timeout(600_000);
      runs ??= lintAll();
      const r = await runs.get(dir)!;
      console.log(`      eslint ${dir}: ${(r.ms / 1000).toFixed(1)} s`);
      expect(r.code, r.output).to.equal(0);
    });

  it("another package's dist/ is refused anywhere; a package's exports are not", async () => {
    for (const file of [
      'cli/src/probe.ts',
      'test/src/probe.ts',
      'bench/src/probe.ts',
      'gateway/src/services/probe.ts',
    ]) {
      expect(await restrictedImports(file, "import { x } from '@anxin/gateway/dist/config';\n"), file).to.deep.equal([
        'no-restricted-imports',
      ]);
      expect(await restrictedImports(file, "import { x } from '../../network/dist/blocks';\n"), file).to.have.length(1);
      expect(await restrictedImports(file, "import { x } from '@anxin/gateway/config';\n"), file).to.deep.equal([]);
    }
    // A third party's own layout is its business.
    expect(await restrictedImports('schemas/src/probe.ts', "import Ajv from 'ajv/dist/2020';\n")).to.deep.equal([]);
  });

  it('the services and the verification core never import express or node:http; the routes may', async () => {
    for (const file of ['gateway/src/services/probe.ts', 'gateway/src/verify/checks/probe.ts'])
      for (const mod of ['express', 'node:http', 'http', 'node:https'])
        expect(await restrictedImports(file, `import * as m from '${mod}';\n`), `${mod} in ${file}`).to.have.length(1);
    expect(await restrictedImports('gateway/src/routes/probe.ts', "import express from 'express';\n")).to.deep.equal(
      [],
    );
  });
});
