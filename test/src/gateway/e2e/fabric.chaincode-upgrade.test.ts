/**
 * A chaincode upgrade on Fabric, as an operator makes it: `deploy.sh` with the next
 * sequence (a new package and server, approved and committed as sequence 2). Every
 * credential issued before it still verifies and keeps its status; issuing, verifying and
 * status changes go on under the new definition, whose version the new transactions
 * carry; `anxin replay --fabric` checks the whole channel, both definitions included, and
 * the peer's commit-hash chain. The contract runs under its own name (beside the shared
 * network's 'anxin'), so the upgrade does not touch what other suites use.
 *
 * Needs FABRIC_BIN; skipped, by name and with the reason, without it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { tempDir } from '../../helpers';
import {
  chaincodeDir,
  fabricSkipReason,
  withFabricNetwork,
  type FabricTestNetwork,
} from '../../helpers/fabric-network';
import { TestGateway, expectVerified, type Issued, type Loose, type RegisteredIssuer } from '../../helpers/gateway';
import { anxin, expectExit } from '../../cli/fixture';

const NAME = 'anxin-upgraded';

const skip = fabricSkipReason();
(skip ? describe.skip : describe)(
  `e2e: a chaincode upgrade on Fabric (deploy.sh, next sequence) keeps every credential verifiable${skip ? ` (skipped: ${skip})` : ''}`,
  function () {
    this.timeout(300_000);
    let net: FabricTestNetwork;
    let gw: TestGateway;
    let issuer: RegisteredIssuer;
    let verifier: string;
    let envFile: string;
    const issuedBefore: Issued[] = [];

    /** The chaincode name and version of the transactions in block `n`. */
    async function chaincodesOf(n: number): Promise<Array<{ name: string; version: string }>> {
      const block = await gw.api('GET', `/v1/ledger/blocks/${n}?format=json`);
      expect(block.status, block.text).to.equal(200);
      return (block.body.transactions as Loose[]).flatMap((t) => t.actions.map((a: Loose) => a.chaincode));
    }

    before(async () => {
      net = await withFabricNetwork();
      const first = await net.network.deployChaincode({ ccDir: chaincodeDir(), name: NAME, version: '1', sequence: 1 });
      expect(first.sequence).to.equal(1);
      gw = await TestGateway.start({ ledger: 'fabric', env: { ANXIN_FABRIC_CHAINCODE: NAME } });
      issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      verifier = await gw.verifierKey('hotpot-upgrade');
      issuedBefore.push(await gw.issue(issuer.apiKey, 'HealthCertificate'));
      issuedBefore.push(await gw.issue(issuer.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' }));
      issuedBefore.push(await gw.issue(issuer.apiKey, 'HealthCertificate'));
      const s = await gw.changeStatus(issuer.apiKey, issuedBefore[2]!.id, 'suspend', 're_examination_pending');
      expect(s.status, s.text).to.equal(200);
      const env = readFileSync(join(net.network.dir, 'anxin-fabric.env'), 'utf8').replace(
        /^(export )?ANXIN_FABRIC_CHAINCODE=.*$/m,
        `ANXIN_FABRIC_CHAINCODE='${NAME}'`,
      );
      envFile = join(tempDir('cc-upgrade'), 'upgraded.env');
      writeFileSync(envFile, env);
    });
    after(async () => gw?.stop());

    it('deploy.sh with no sequence given commits the next one: version 2 as sequence 2', async () => {
      const d = await net.network.deployChaincode({ ccDir: chaincodeDir(), name: NAME, version: '2' });
      expect({ name: d.name, version: d.version, sequence: d.sequence }).to.deep.equal({
        name: NAME,
        version: '2',
        sequence: 2,
      });
    });

    it('every credential issued before the upgrade still verifies; the suspended one is still suspended', async () => {
      for (const c of issuedBefore.slice(0, 2)) expectVerified(await gw.verify(verifier, c.presentation));
      const st = await gw.api('GET', `/v1/credentials/${encodeURIComponent(issuedBefore[2]!.id)}/status`);
      expect(st.status, st.text).to.equal(200);
      expect(st.body.status).to.equal('suspended');
    });

    it('issuing, verifying and status changes go on under the new definition, whose version they carry', async () => {
      const c = await gw.issue(issuer.apiKey, 'HealthCertificate');
      expectVerified(await gw.verify(verifier, c.presentation));
      expect(await chaincodesOf(c.anchor.block)).to.deep.include({ name: NAME, version: '2' });
      const r = await gw.changeStatus(issuer.apiKey, issuedBefore[2]!.id, 'reinstate', 're_examination_passed');
      expect(r.status, r.text).to.equal(200);
      expectVerified(await gw.verify(verifier, issuedBefore[2]!.presentation));
      // The credentials from before were anchored under version 1.
      expect(await chaincodesOf(issuedBefore[0]!.anchor.block)).to.deep.include({ name: NAME, version: '1' });
    });

    it('anxin replay --fabric: the whole channel, both definitions, and the peer’s commit-hash chain check out', async () => {
      const r = await anxin(['replay', '--fabric', envFile, '--json', '--workers', '1']);
      expectExit(r, 0);
      expect(r.json.summary.credentials.total).to.equal(4);
      expect(r.json.summary.commitHashesVerified).to.equal(r.json.summary.blocks.to);
    });
  },
);
