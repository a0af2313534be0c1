/**
 * `@anxin/gateway/store`, the entry the CLI and other packages open a store through: it
 * loads no database driver by itself, and opening a store loads only that store's adapter
 * (an auditor's `anxin replay --store file.sqlite` never loads mongoose). Checked in a
 * child process, whose module cache holds only what the entry loaded.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { describe, it } from 'mocha';

const PROBE = `
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
const store = require('@anxin/gateway/store');
const before = { mongoose: loaded('mongoose'), sqlite: loaded('better-sqlite3') };
store.openStore({ kind: 'sqlite', path: ':memory:' }).then(async (s) => {
  const ok = await s.ping();
  await s.close();
  const after = { mongoose: loaded('mongoose'), sqlite: loaded('better-sqlite3') };
  process.stdout.write(JSON.stringify({ exports: Object.keys(store).sort(), before, after, kind: s.kind, ok }));
});
`;

describe('@anxin/gateway/store', () => {
  it('loads no driver by itself; opening SQLite loads better-sqlite3 and never mongoose', () => {
    const r = spawnSync(process.execPath, ['-e', PROBE], { cwd: __dirname, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const got = JSON.parse(r.stdout) as {
      exports: string[];
      before: Record<string, boolean>;
      after: Record<string, boolean>;
      kind: string;
      ok: boolean;
    };
    expect(got.exports).to.include.members(['openStore', 'SCOPES', 'DEFAULT_MONGODB_DB', 'mongoDbNameOf']);
    expect(got.before).to.deep.equal({ mongoose: false, sqlite: false });
    expect(got.after).to.deep.equal({ mongoose: false, sqlite: true });
    expect([got.kind, got.ok]).to.deep.equal(['sqlite', true]);
  });
});
