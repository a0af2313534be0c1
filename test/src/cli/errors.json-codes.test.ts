/**
 * With --json, a command that fails prints `{ "error": { code, reason?, message } }` on
 * stdout: the stable code (CliError's), the finer one of what failed where it has one, and
 * the exit code as without --json. Without --json, stdout stays empty.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { tempDir } from '../helpers';
import { anxin, expectExit } from './fixture';

describe('cli: --json errors carry stable codes', () => {
  it('a source that does not exist: SOURCE, with the source error’s own code', async () => {
    const missing = join(tempDir('cli-json-errors'), 'none.anxin');
    const r = await anxin(['replay', '--file', missing, '--json']);
    expectExit(r, 2);
    expect(r.json.error).to.deep.include({ code: 'SOURCE', reason: 'NOT_FOUND' });
    expect(r.json.error.message).to.be.a('string');
    const plain = await anxin(['replay', '--file', missing]);
    expectExit(plain, 2);
    expect(plain.stdout).to.equal('');
  });

  it('an option the command does not know: USAGE, with commander’s code', async () => {
    const r = await anxin(['replay', '--no-such-option', '--json']);
    expectExit(r, 2);
    expect(r.json.error).to.deep.include({ code: 'USAGE', reason: 'commander.unknownOption' });
  });
});
