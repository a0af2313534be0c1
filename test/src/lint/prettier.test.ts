/** Prettier over the whole repository, as `npm run lint` runs it (`prettier --check .`). */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { nodeBin, runTool } from './tools';

describe('lint: prettier', function () {
  it('every file is formatted as .prettierrc.json says', async function () {
    this.timeout(300_000);
    const r = await runTool(process.execPath, [nodeBin('prettier/bin/prettier.cjs'), '--check', '.']);
    console.log(`      prettier: ${(r.ms / 1000).toFixed(1)} s`);
    expect(r.code, r.output).to.equal(0);
  });
});
