/**
 * Every `npx anxin …` line of the READMEs (README.md, cli/README.md, network/fabric/README.md)
 * works in the checkout the suite runs in — on CI, a fresh clone after `npm ci`:
 *
 * - the executable npm links at install time is a launcher git tracks, so it exists before
 *   anything is built (npm skips a bin whose file is missing, and npx then answers "could not
 *   determine executable to run");
 * - each line names a command, options and arguments the CLI has (checked against the CLI's
 *   own definition, so the READMEs cannot drift from it);
 * - each line runs through npx, as written, in a folder of this checkout beside a data
 *   directory made by a real gateway here, with the files the README has the reader make
 *   (worker.jwk, health.sdjwt, cred.jwt): exit 0. A line that needs what the suite cannot
 *   have (a Fabric network) runs with --help.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { buildProgram } from '@anxin/cli';
import { tempDir } from '../helpers';
import { TestGateway } from '../helpers/gateway';
import { anxinLines, checkAnxinArgs, type AnxinLine } from '../helpers/readme';
import { anxin as anxinDirect, expectExit } from './fixture';

const ROOT = resolve(__dirname, '..', '..', '..');
const READMES = ['README.md', 'cli/README.md', 'network/fabric/README.md'];
const LINES: AnxinLine[] = READMES.flatMap((f) => anxinLines(readFileSync(join(ROOT, f), 'utf8'), f));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx anxin <args>` in `cwd`, never installing anything from a registry. */
function npxAnxin(args: string[], cwd: string): Promise<Run> {
  return new Promise((done) =>
    execFile(
      'npx',
      ['anxin', ...args],
      {
        cwd,
        env: {
          ...process.env,
          ANXIN_DATA_DIR: '',
          npm_config_yes: 'false',
          npm_config_update_notifier: 'false',
          npm_config_fund: 'false',
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
      },
      (err, stdout, stderr) =>
        done({
          code: err ? ((err as { code?: unknown }).code as number) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    ),
  );
}

describe('READMEs: npx anxin', function () {
  this.timeout(120_000);

  describe('the executable a fresh clone gets', () => {
    const bin = (JSON.parse(readFileSync(join(ROOT, 'cli', 'package.json'), 'utf8')) as { bin: { anxin: string } }).bin
      .anxin;
    const launcher = join('cli', bin);

    it('cli/package.json names, as bin anxin, a file git tracks (executable), not a build output', function () {
      let tracked: string;
      try {
        tracked = execFileSync('git', ['ls-files', '--stage', '--', launcher], { cwd: ROOT, encoding: 'utf8' });
      } catch {
        this.skip(); // not a git checkout (e.g. an unpacked archive): nothing to say about a clone
        return;
      }
      expect(tracked, `${launcher} is tracked by git`).to.match(/^100755 /);
      expect(bin).to.not.match(/^(\.\/)?dist\//);
    });

    it('npm linked it at install time: node_modules/.bin/anxin is the launcher', () => {
      const link = join(ROOT, 'node_modules', '.bin', 'anxin');
      expect(existsSync(link), `${link} (run npm ci)`).to.equal(true);
      expect(realpathSync(link)).to.equal(realpathSync(join(ROOT, launcher)));
    });

    it('before a build, the launcher says in one line to run npm run build, and exits 2', () => {
      const tree = tempDir('unbuilt');
      mkdirSync(join(tree, 'cli', 'bin'), { recursive: true });
      cpSync(join(ROOT, launcher), join(tree, launcher));
      let r: Run;
      try {
        execFileSync(process.execPath, [join(tree, launcher), '--help'], { encoding: 'utf8', stdio: 'pipe' });
        r = { code: 0, stdout: '', stderr: '' };
      } catch (e) {
        const x = e as { status: number; stdout: string; stderr: string };
        r = { code: x.status, stdout: x.stdout, stderr: x.stderr };
      }
      expect(r.code).to.equal(2);
      expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(r.stderr).to.include('npm run build');
    });
  });

  describe('every line names a command, options and arguments the CLI has', () => {
    it('each README has npx anxin lines to check', () => {
      for (const f of READMES) expect(LINES.filter((l) => l.file === f).length, f).to.be.at.least(1);
    });
    for (const l of LINES) {
      it(`${l.file}:${l.line}  ${l.source}`, () => {
        expect(checkAnxinArgs(buildProgram(), l.args)).to.equal(undefined);
      });
    }
  });

  describe('a README line that drifted from the CLI fails', () => {
    const drifted: Array<[string, string]> = [
      ['an unknown command', 'npx anxin audit --data ./data'],
      ['an unknown subcommand', 'npx anxin card show health.sdjwt'],
      ['an unknown option', 'npx anxin replay --data ./data --parallel 4'],
      ['an option without its value', 'npx anxin replay --data'],
      ['an option value the CLI refuses', 'npx anxin inspect block three --data ./data'],
      ['a missing argument', 'npx anxin history --data ./data'],
      ['an argument too many', 'npx anxin verify a.jwt b.jwt --data ./data'],
      ['a command that needs a subcommand', 'npx anxin inspect --data ./data'],
    ];
    for (const [what, line] of drifted) {
      it(`${what}: ${line}`, () => {
        const [found] = anxinLines(`## Example\n\n\`\`\`sh\n${line}   # a comment\n\`\`\`\n`, 'X.md');
        expect(found?.args, 'the line was found').to.be.an('array');
        expect(checkAnxinArgs(buildProgram(), found!.args)).to.be.a('string');
      });
    }

    it('while the same lines as the CLI has them pass (continuations, quotes, pipes, --help)', () => {
      const md = [
        '```sh',
        'npx anxin card present health.sdjwt --key worker.jwk \\',
        "    --disclose 'holder.name,healthCertificate' --text | head -c 10",
        'npx anxin inspect block 3 --data ./data && npx anxin replay --file "q3 export.anxin" --json',
        'npx anxin card --help',
        '```',
      ].join('\n');
      const found = anxinLines(md, 'X.md');
      expect(found.map((l) => l.args)).to.deep.equal([
        [
          'card',
          'present',
          'health.sdjwt',
          '--key',
          'worker.jwk',
          '--disclose',
          'holder.name,healthCertificate',
          '--text',
        ],
        ['inspect', 'block', '3', '--data', './data'],
        ['replay', '--file', 'q3 export.anxin', '--json'],
        ['card', '--help'],
      ]);
      for (const l of found) expect(checkAnxinArgs(buildProgram(), l.args), l.source).to.equal(undefined);
    });
  });

  describe('every line runs through npx in this checkout (exit 0)', function () {
    this.timeout(180_000);
    let gw: TestGateway;
    let issuerKey: string;
    let cwd: string;
    let credentialId: string | undefined;

    before(async () => {
      gw = await TestGateway.start();
      issuerKey = (await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] })).apiKey;
      // Inside the checkout, so that npx finds this project's node_modules/.bin (as from its root).
      mkdirSync(join(ROOT, '.anxin'), { recursive: true });
      cwd = mkdtempSync(join(ROOT, '.anxin', 'readme-'));
      symlinkSync(gw.dataDir, join(cwd, 'data'));
    });
    after(async () => {
      await gw?.stop();
      if (cwd && !process.env.ANXIN_KEEP_TMP) rmSync(cwd, { recursive: true, force: true });
    });

    /** The device key the README has the worker make (made here if no line did yet), private members included. */
    async function workerKey(): Promise<JsonWebKey> {
      const file = join(cwd, 'worker.jwk');
      if (!existsSync(file)) expectExit(await anxinDirect(['card', 'key', '--out', file]), 0);
      return JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey;
    }

    /** The files and values a line refers to, made as the README has the reader make them. */
    async function prepare(args: string[]): Promise<string[]> {
      if (args.includes('health.sdjwt') && !existsSync(join(cwd, 'health.sdjwt'))) {
        // Bound to the worker's key with its proof of holding it, as the README's issuer does.
        const c = await gw.issue(issuerKey, 'HealthCertificate', {
          format: 'dc+sd-jwt',
          holderKey: await workerKey(),
        });
        writeFileSync(join(cwd, 'health.sdjwt'), `${c.credential}\n`);
      }
      const needsCredential = args.includes('cred.jwt') || args.some((a) => a.startsWith('urn:uuid:'));
      // A line reading the ledger sees the blocks the README's round trip made (an issued credential).
      if ((needsCredential || args.includes('--data')) && credentialId === undefined) {
        const c = await gw.issue(issuerKey, 'HealthCertificate');
        writeFileSync(join(cwd, 'cred.jwt'), `${c.credential}\n`);
        credentialId = c.id;
      }
      let thumbprint: string | undefined;
      if (args.includes('--offline')) {
        // What the README has the reader save: the trust list, and the lists cred.jwt points at.
        const tl = await gw.api('GET', '/v1/trust-list');
        writeFileSync(join(cwd, 'trust.json'), tl.text);
        thumbprint = (tl.body.kid as string).split('#')[1]!;
        mkdirSync(join(cwd, 'lists'), { recursive: true });
        const jwt = readFileSync(join(cwd, 'cred.jwt'), 'utf8').trim();
        const payload = JSON.parse(Buffer.from(jwt.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8')) as {
          credentialStatus?: Array<{ statusListCredential?: string }>;
          status?: { status_list: { uri: string } };
        };
        const urls = payload.status
          ? [payload.status.status_list.uri]
          : (payload.credentialStatus ?? []).flatMap((e) => (e.statusListCredential ? [e.statusListCredential] : []));
        for (const [n, u] of urls.entries())
          writeFileSync(join(cwd, 'lists', `${n}.jwt`), await (await fetch(u)).text());
      }
      return args.map((a, i) => {
        if (a === 'urn:uuid:…') return credentialId!;
        if (args[i - 1] === '--trust-key-thumbprint' && a.includes('…') && thumbprint) return thumbprint;
        // The README's gateway listens on 8080; this suite's on a port of its own.
        if (['--gateway', '--status-lists'].includes(args[i - 1]!) && a === 'http://127.0.0.1:8080') return gw.url;
        if (a.includes('…')) throw new Error(`no value here for the placeholder ${a}`);
        return a;
      });
    }

    for (const l of LINES) {
      // No Fabric network here: such a line is asked for its help, its words checked above.
      const helpOnly = l.args.includes('--fabric');
      it(`${l.file}:${l.line}  ${l.source}${helpOnly ? '  (--help: no Fabric network here)' : ''}`, async () => {
        const args = helpOnly ? [...l.args, '--help'] : await prepare(l.args);
        const r = await npxAnxin(args, cwd);
        expect(r.stderr, 'npx found the executable').to.not.match(/could not determine executable/);
        expect(r.code, `exit code; stderr: ${r.stderr.slice(0, 800)}; stdout: ${r.stdout.slice(0, 400)}`).to.equal(0);
      });
    }
  });
});
