/**
 * A Fabric network created with another chaincode name (`network.sh up --chaincode NAME`,
 * which passes it to `cli.js init`) says so in network.json and in anxin-fabric.env, and
 * every kind of --fabric profile gives the CLI that name. No Fabric binaries are needed:
 * only the network's description is made.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { fabricConfigOf } from '@anxin/cli/fabric';
import { tempDir } from '../helpers';

const INIT = require.resolve('@anxin/network/fabric/cli');

function init(dir: string, ...extra: string[]): void {
  const r = spawnSync(process.execPath, [INIT, 'init', '--dir', dir, ...extra], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).to.equal(0);
}

describe('cli: a Fabric profile names the chaincode the network was created with', function () {
  this.timeout(60_000);

  it('--chaincode anxin-cc: network.json, the env file and the environment all give anxin-cc', () => {
    const dir = join(tempDir('fabric-profile'), 'net');
    init(dir, '--chaincode', 'anxin-cc');
    expect(fabricConfigOf(join(dir, 'network.json')).cfg.chaincode).to.equal('anxin-cc');
    expect(fabricConfigOf(join(dir, 'anxin-fabric.env')).cfg.chaincode).to.equal('anxin-cc');
  });

  it('without it: anxin', () => {
    const dir = join(tempDir('fabric-profile'), 'net');
    init(dir);
    expect(fabricConfigOf(join(dir, 'network.json')).cfg.chaincode).to.equal('anxin');
    expect(fabricConfigOf(join(dir, 'anxin-fabric.env')).cfg.chaincode).to.equal('anxin');
  });
});
