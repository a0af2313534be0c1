/**
 * Whether FABRIC_BIN holds Fabric the network scripts can use, and what the Fabric suites do
 * about it: skip when FABRIC_BIN is not set, fail — never skip — when it is set but unusable,
 * run (with one warning) for binaries built without their version stamped. The "binaries" are
 * small shell scripts that print what a `peer version` prints: a test of our own detection,
 * not a stand-in for a peer.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { fabricAvailable } from '@anxin/network/fabric';
import { tempDir } from '../helpers';
import { fabricSuitePlan } from '../helpers/fabric-network';

/** What `peer version` prints for a release build of `version`. */
function peerVersionOutput(version: string): string {
  return [
    'peer:',
    ` Version: ${version}`,
    ` Commit SHA: ${version === 'latest' ? 'development build' : 'af0b647'}`,
    ' Go version: go1.23.5',
    ' OS/Arch: linux/amd64',
    ' Chaincode:',
    '  Base Docker Label: org.hyperledger.fabric',
    '  Docker Namespace: hyperledger',
    '',
  ].join('\n');
}

interface FakeFabric {
  /** What `peer version` prints; default a 2.5.12 release. */
  peerOutput?: string;
  /** Exit code of `peer version`. */
  peerExit?: number;
  /** Binaries left out. */
  missing?: string[];
  /** Binaries present but not executable. */
  notExecutable?: string[];
  /** Leave out config/core.yaml. */
  noConfig?: boolean;
}

/** A folder laid out as Fabric's release archives are: bin/ with the tools, config/ beside it. */
function fakeFabric(o: FakeFabric = {}): string {
  const root = tempDir('fake-fabric');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  mkdirSync(join(root, 'config'));
  if (!o.noConfig) writeFileSync(join(root, 'config', 'core.yaml'), '# core\n');
  writeFileSync(join(root, 'config', 'orderer.yaml'), '# orderer\n');
  for (const b of ['peer', 'orderer', 'configtxgen', 'configtxlator', 'osnadmin']) {
    if (o.missing?.includes(b)) continue;
    const body =
      b === 'peer'
        ? `cat <<'OUT'\n${o.peerOutput ?? peerVersionOutput('2.5.12')}OUT\nexit ${o.peerExit ?? 0}\n`
        : 'exit 0\n';
    const file = join(bin, b);
    writeFileSync(file, `#!/bin/sh\n${body}`);
    chmodSync(file, o.notExecutable?.includes(b) ? 0o644 : 0o755);
  }
  return bin;
}

describe('Fabric binaries: available, skipped or unusable', () => {
  it('FABRIC_BIN not set: not available, not configured — the Fabric suites skip', () => {
    const a = fabricAvailable('', '');
    expect(a).to.deep.include({ available: false, configured: false });
    expect(fabricSuitePlan(a)).to.have.property('skip').that.is.a('string');
  });

  it('a 2.5.x release: available with its version, no warning — the Fabric suites run', () => {
    const a = fabricAvailable(fakeFabric(), '');
    expect(a).to.deep.include({ available: true, configured: true, version: '2.5.12' });
    expect(a.warning).to.equal(undefined);
    expect(fabricSuitePlan(a)).to.deep.equal({ run: true });
  });

  it('a version printed with a leading v (v2.5.9) is read the same', () => {
    const a = fabricAvailable(fakeFabric({ peerOutput: peerVersionOutput('v2.5.9') }), '');
    expect(a).to.deep.include({ available: true, version: '2.5.9' });
  });

  it('Version: latest (a plain go build): available, with a warning — the Fabric suites run and say so once', () => {
    const a = fabricAvailable(fakeFabric({ peerOutput: peerVersionOutput('latest') }), '');
    expect(a).to.deep.include({ available: true, configured: true, version: 'latest' });
    expect(a.warning).to.be.a('string').and.not.equal('');
    const plan = fabricSuitePlan(a);
    expect(plan).to.have.property('run', true);
    expect(plan).to.have.property('warning', a.warning);
  });

  const unusable: Array<[string, FakeFabric]> = [
    ['a binary missing (osnadmin)', { missing: ['osnadmin'] }],
    ['a binary not executable (orderer)', { notExecutable: ['orderer'] }],
    ['no core.yaml in the config folder beside bin/', { noConfig: true }],
    ['Fabric 2.4.9', { peerOutput: peerVersionOutput('2.4.9') }],
    ['Fabric 3.0.0', { peerOutput: peerVersionOutput('3.0.0') }],
    ['peer version exits 1', { peerExit: 1 }],
    ['peer version prints no version', { peerOutput: 'peer:\n Commit SHA: af0b647\n' }],
  ];
  for (const [what, fake] of unusable) {
    it(`${what}: configured but not available — the Fabric suites fail with the reason, never skip`, () => {
      const a = fabricAvailable(fakeFabric(fake), '');
      expect(a).to.deep.include({ available: false, configured: true });
      expect(a.reason).to.be.a('string').and.not.equal('');
      const plan = fabricSuitePlan(a);
      expect(plan).to.not.have.property('skip');
      expect(plan).to.not.have.property('run');
      expect(plan).to.have.property('fail').that.includes(a.reason!);
    });
  }

  it('a FABRIC_BIN folder that does not exist is unusable, not "not set"', () => {
    const a = fabricAvailable(join(tempDir('no-fabric'), 'bin'), '');
    expect(a).to.deep.include({ available: false, configured: true });
    expect(fabricSuitePlan(a)).to.have.property('fail');
  });

  it('FABRIC_CFG_PATH names the config folder when it is not beside bin/', () => {
    const bin = fakeFabric({ noConfig: true });
    const cfg = tempDir('fabric-cfg');
    writeFileSync(join(cfg, 'core.yaml'), '# core\n');
    writeFileSync(join(cfg, 'orderer.yaml'), '# orderer\n');
    expect(fabricAvailable(bin, cfg)).to.deep.include({ available: true, fabricCfgPath: cfg });
  });
});

describe('Fabric suites with FABRIC_BIN set but unusable', function () {
  this.timeout(120_000);

  it('fail with the reason instead of being skipped (the test runner exits 1)', async () => {
    const runner = resolve(__dirname, '..', '..', 'run.js');
    const env: NodeJS.ProcessEnv = { ...process.env, FABRIC_BIN: fakeFabric({ missing: ['osnadmin'] }) };
    delete env.ANXIN_TEST_GREP;
    delete env.FABRIC_CFG_PATH;
    const r = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [runner, 'cli/fabric.test'], { env, timeout: 110_000 }, (err, stdout) =>
        done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout }),
      ),
    );
    const summary = r.stdout.trim().split('\n').at(-1);
    expect(summary, r.stdout.slice(-2000)).to.match(/^0 passed, [1-9]\d* failed$/);
    expect(r.stdout, 'nothing skipped').to.not.match(/^skipped \(/m);
    expect(r.code).to.equal(1);
  });
});
