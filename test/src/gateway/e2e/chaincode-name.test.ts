/**
 * The Anxin chaincode under another name (anxin-cc), taken from configuration everywhere:
 * an embedded ledger whose genesis names it, and — when FABRIC_BIN is set — a second
 * chaincode deployed as anxin-cc beside 'anxin' on the test Fabric network, the gateway
 * pointed at it with ANXIN_FABRIC_CHAINCODE. The gateway issues, verifies and answers
 * status; its projection, rebuilt from the blocks, holds exactly that chaincode's records
 * (nothing of the other's); `anxin replay`, `history`, `verify` and `export` read the name
 * from the ledger's own configuration, and --chaincode overrides it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { EmbeddedLedger } from '@anxin/network/embedded';
import { registerIssuer, tempDir } from '../../helpers';
import {
  chaincodeDir,
  fabricSkipReason,
  withFabricNetwork,
  type FabricTestNetwork,
} from '../../helpers/fabric-network';
import {
  TestGateway,
  expectVerified,
  type Issued,
  type Loose,
  type RegisteredIssuer,
  type TestLedger,
} from '../../helpers/gateway';
import { anxin, expectExit } from '../../cli/fixture';

const NAME = 'anxin-cc';

/** The scenario, on a gateway whose ledger calls the chaincode NAME. */
function scenario(
  ledger: TestLedger,
  start: () => Promise<TestGateway>,
  cli: () => { source: string[]; fromConfig: boolean },
): void {
  let gw: TestGateway;
  let issuer: RegisteredIssuer;
  let verifier: string;
  const issued: Issued[] = [];

  before(async () => {
    gw = await start();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey('hotpot-chunxi');
    for (let i = 0; i < 2; i++) issued.push(await gw.issue(issuer.apiKey, 'HealthCertificate'));
  });
  after(async () => gw?.stop());

  it(`issues, verifies and answers status; the transactions call ${NAME}`, async () => {
    for (const c of issued) {
      expectVerified(await gw.verify(verifier, c.credential));
      const st = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}/status`);
      expect(st.status, st.text).to.equal(200);
      expect(st.body.status).to.equal('active');
    }
    const block = await gw.api('GET', `/v1/ledger/blocks/${issued[0]!.anchor.block}?format=json`);
    const names = (block.body.transactions as Loose[]).flatMap((t) => t.actions.map((a: Loose) => a.chaincode.name));
    expect(names).to.include(NAME);
  });

  it('the projection rebuilt from the blocks holds its records, and only its own', async () => {
    expect((await gw.changeStatus(issuer.apiKey, issued[1]!.id, 'suspend', 're_examination_pending')).status).to.equal(
      200,
    );
    // The store as if the projection had never run: no anchors, no issuers, checkpoint at block 0.
    await gw.running.close();
    const db = new Database(join(gw.dataDir, 'store.sqlite'));
    db.exec(`DELETE FROM anchors; DELETE FROM issuers; UPDATE checkpoints SET block = 0, tx_index = 0`);
    db.close();
    await gw.restart();
    const info = (await gw.api('GET', '/v1/ledger/info')).body;
    expect(info.projectedTo).to.equal(info.height);
    for (const c of issued) expect((await gw.services.store.getAnchor(c.id))?.id, c.id).to.equal(c.id);
    expectVerified(await gw.verify(verifier, issued[0]!.credential));
    const st = await gw.api('GET', `/v1/credentials/${encodeURIComponent(issued[1]!.id)}/status`);
    expect(st.body.status).to.equal('suspended');
    // Exactly this chaincode's issuers: on Fabric the channel's other chaincode has its own.
    const listed = (await gw.api('GET', '/v1/issuers')).body.issuers.map((i: { id: string }) => i.id);
    expect(listed).to.deep.equal([issuer.id]);
  });

  it('anxin replay, history and verify read the name from the ledger’s configuration; --chaincode overrides it', async function () {
    if (ledger === 'fabric') this.timeout(180_000);
    const { source, fromConfig } = cli();
    const named = fromConfig ? source : [...source, '--chaincode', NAME];
    const r = await anxin(['replay', ...named, '--json', '--workers', '1']);
    expectExit(r, 0);
    expect(r.json.summary.credentials.total).to.equal(2);
    expect(r.json.summary.statements).to.deep.include({ anchor: 2, suspend: 1, registerIssuer: 1, init: 1 });
    const h = await anxin(['history', issued[1]!.id, ...named, '--json']);
    expectExit(h, 0);
    expect(h.json.entries.map((e: { function: string }) => e.function)).to.deep.equal(['anchor', 'suspend']);
    const v = await anxin(['verify', issued[0]!.credential, ...named, '--json']);
    expectExit(v, 0);
    expect(v.json.verified).to.equal(true);
    // Another name: none of these transactions are the Anxin chaincode's.
    const other = await anxin(['history', issued[1]!.id, ...source, '--chaincode', 'anxin-other']);
    expectExit(other, 1);
    expectExit(await anxin(['history', issued[1]!.id, ...source, '--chaincode', 'no spaces'], {}), 2);
  });
}

describe(`e2e: the chaincode named ${NAME} [embedded]`, function () {
  this.timeout(120_000);
  let dataDir = '';
  scenario(
    'embedded',
    async () => {
      const gw = await TestGateway.start({
        beforeStart: async (dir) => {
          dataDir = dir;
          await (await EmbeddedLedger.open(join(dir, 'ledger'), { genesis: { chaincode: NAME } })).close();
        },
      });
      return gw;
    },
    () => ({ source: ['--data', dataDir], fromConfig: true }),
  );

  it('an export carries the name: anxin replay --file reads it', async () => {
    const out = join(tempDir('cc-export'), 'all.anxin');
    expectExit(await anxin(['export', '--data', dataDir, '--out', out]), 0);
    const header = JSON.parse(readFileSync(out, 'utf8').split('\n')[1]!);
    expect(header.chaincode).to.equal(NAME);
    const r = await anxin(['replay', '--file', out, '--json', '--workers', '0']);
    expectExit(r, 0);
    expect(r.json.summary.credentials.total).to.equal(2);
  });
});

const skip = fabricSkipReason();
(skip ? describe.skip : describe)(
  `e2e: the chaincode named ${NAME} beside 'anxin' on one channel [fabric]${skip ? ` (skipped: ${skip})` : ''}`,
  function () {
    this.timeout(300_000);
    let net: FabricTestNetwork;
    let envFile = '';

    before(async () => {
      net = await withFabricNetwork();
      // The same contract deployed a second time, under another name, on the same channel.
      const d = await net.network.deployChaincode({ ccDir: chaincodeDir(), name: NAME, version: '1', sequence: 1 });
      expect(d.name).to.equal(NAME);
      // The default chaincode has an issuer of its own, which the gateway on NAME must never show.
      const ledger = await net.openLedger();
      try {
        await registerIssuer(ledger as unknown as Parameters<typeof registerIssuer>[0], net.registrar);
      } finally {
        await ledger.close();
      }
      // A profile naming the chaincode, as `network.sh env` writes them.
      const env = readFileSync(join(net.network.dir, 'anxin-fabric.env'), 'utf8').replace(
        /^(export )?ANXIN_FABRIC_CHAINCODE=.*$/m,
        `ANXIN_FABRIC_CHAINCODE='${NAME}'`,
      );
      expect(env).to.include(`ANXIN_FABRIC_CHAINCODE='${NAME}'`);
      envFile = join(tempDir('cc-fabric'), 'anxin-cc.env');
      writeFileSync(envFile, env);
    });

    scenario(
      'fabric',
      () => TestGateway.start({ ledger: 'fabric', env: { ANXIN_FABRIC_CHAINCODE: NAME } }),
      () => ({ source: ['--fabric', envFile], fromConfig: true }),
    );

    it("network.json names 'anxin': with --chaincode the replay reads the other", async () => {
      const profile = join(net.network.dir, 'network.json');
      const r = await anxin(['replay', '--fabric', profile, '--chaincode', NAME, '--json', '--workers', '1']);
      expectExit(r, 0);
      expect(r.json.summary.credentials.total).to.equal(2);
    });
  },
);
