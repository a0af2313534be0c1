/**
 * anxin replay --fabric against a real Fabric network (skipped, loudly, without FABRIC_BIN):
 * the channel's blocks from the configtxgen genesis on — lifecycle transactions with their
 * private-data hashes, the Anxin contract's statements, the peer's commit-hash chain — all
 * check out; inspect and export read from the peer too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { tempDir } from '../helpers';
import { fabricSkipReason, withFabricNetwork, type FabricTestNetwork } from '../helpers/fabric-network';
import { anchorCredential, registerIssuer, sign, statements } from '../helpers';
import { anxin, expectExit } from './fixture';

describe('cli: anxin replay --fabric', function () {
  this.timeout(240_000);
  let net: FabricTestNetwork;
  let profile: string;

  before(async function () {
    const skip = fabricSkipReason();
    if (skip) {
      this.skip();
      return;
    }
    net = await withFabricNetwork();
    profile = join(net.network.dir, 'network.json');
    const ledger = await net.openLedger();
    try {
      // registerIssuer/anchorCredential take an EmbeddedLedger, but only use submit().
      const l = ledger as unknown as Parameters<typeof registerIssuer>[0];
      const issuer = await registerIssuer(l, net.registrar);
      const a = await anchorCredential(l, issuer);
      await ledger.submit('suspend', [await sign(statements.suspend(issuer.id, a.spec.id), issuer.key)]);
    } finally {
      await ledger.close();
    }
  });

  it('replays the channel from its genesis block with every check: exit 0', async () => {
    const r = await anxin(['replay', '--fabric', profile, '--json']);
    expectExit(r, 0);
    expect(r.json.summary.source).to.match(/^Fabric peer /);
    expect(r.json.summary.statements.anchor).to.be.at.least(1);
    expect(r.json.summary.statements.suspend).to.be.at.least(1);
    expect(r.json.summary.notes.join(' ')).to.match(/no copy of the ledger's current state/);
    // Lifecycle transactions (approvals, commit) and the contract's, each with its signatures.
    expect(r.json.summary.transactions.valid).to.be.at.least(6);
    expect(r.json.summary.signatures.fabric).to.be.at.least(2 * r.json.summary.transactions.total);
    // The peer's COMMIT_HASH on every block after 0, each link recomputed.
    expect(r.json.summary.commitHashesVerified).to.equal(r.json.summary.blocks.to);
    if (process.env.ANXIN_FABRIC_VERBOSE) process.stderr.write(`${JSON.stringify(r.json.summary, null, 1)}\n`);
  });

  it('the ANXIN_FABRIC_* env file works as a profile; inspect and export read from the peer', async () => {
    const env = join(net.network.dir, 'anxin-fabric.env');
    const r = await anxin(['inspect', 'block', '0', '--fabric', env, '--json']);
    expectExit(r, 0);
    expect(r.json.transactions[0].type).to.equal('CONFIG');
    const out = join(tempDir('cli-fabric'), 'fabric.anxblocks');
    expectExit(await anxin(['export', '--fabric', profile, '--out', out]), 0);
    const f = await anxin(['replay', '--file', out, '--json']);
    expectExit(f, 0);
  });

  it('an unreachable peer: exit 2 with the reason', async () => {
    const env = join(tempDir('cli-fabric'), 'bad.env');
    writeFileSync(
      env,
      [
        "ANXIN_FABRIC_PEER_ENDPOINT='127.0.0.1:1'",
        `ANXIN_FABRIC_TLS_ROOT_CERT='${net.config.tlsRootCert}'`,
        "ANXIN_FABRIC_MSP_ID='Org1MSP'",
        `ANXIN_FABRIC_CERT='${net.config.certPath}'`,
        `ANXIN_FABRIC_KEY='${net.config.keyPath}'`,
      ].join('\n'),
    );
    const r = await anxin(['replay', '--fabric', env, '--json'], { env: { ANXIN_FABRIC_CONNECT_TIMEOUT_MS: '1500' } });
    expectExit(r, 2);
    expect(r.json.error).to.deep.include({ code: 'UNREACHABLE' });
  });
});
