/**
 * anxin replay on an honest ledger: every kind of statement, MVCC conflicts, refused
 * submissions — everything holds (exit 0), the summary counts what is there, and the
 * answer does not depend on the number of worker threads.
 */
import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { anxin, auditLedger, expectExit, type AuditLedger } from './fixture';

describe('cli: anxin replay of an honest ledger', function () {
  this.timeout(120_000);
  let L: AuditLedger;

  before(async () => {
    L = await auditLedger();
  });

  it('passes with exit 0 and a summary of blocks, transactions by code, statements, credentials, issuers and keys (--json)', async () => {
    const r = await anxin(['replay', '--data', L.dir, '--json']);
    expectExit(r, 0);
    const { ok, findings, summary } = r.json;
    expect(ok).to.equal(true);
    expect(findings).to.deep.equal([]);
    expect(summary.blocks).to.deep.equal({ from: 0, to: L.height - 1, checked: L.height });
    expect(summary.transactions.invalid.MVCC_READ_CONFLICT).to.equal(L.conflicts.length);
    for (const k of L.kinds) expect(summary.statements[k], `statements.${k}`).to.be.greaterThan(0);
    expect(summary.credentials.total).to.equal(L.credentials.size);
    const byStatus: Record<string, number> = {};
    for (const c of L.credentials.values()) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    expect(summary.credentials.byStatus).to.deep.equal(byStatus);
    expect(summary.issuers.total).to.equal(4);
    expect(summary.issuers.byStatus).to.deep.equal({ active: 3, revoked: 1 });
    expect(summary.issuers.keys).to.deep.equal({ total: 6, retired: 1, compromised: 1 });
    expect(summary.stateCompared).to.equal(true);
    // A creator signature and an endorsement per endorser transaction (all but configtxgen's
    // unsigned genesis transaction), an orderer signature per block after 0, and a JWS per
    // valid statement (not init, not the config, not the chaincode definition).
    const txs = summary.transactions.total;
    expect(summary.signatures.fabric).to.equal(2 * (txs - 1) + (L.height - 1));
    expect(summary.signatures.statements).to.equal(summary.transactions.valid - 3);
    expect(summary.commitHashesVerified).to.equal(L.height - 1);
    expect(summary.trustAnchors.genesisBlockHash).to.match(/^[0-9a-f]{64}$/);
    expect(summary.trustAnchors.msps.map((m: { mspId: string }) => m.mspId).sort()).to.deep.equal([
      'OrdererMSP',
      'Org1MSP',
    ]);
  });

  it('prints a readable report on stdout without --json, and no progress bar when stderr is not a terminal', async () => {
    const r = await anxin(['replay', '--data', L.dir]);
    expectExit(r, 0);
    expect(r.stdout).to.match(/^Anxin replay of data directory /);
    expect(r.stdout).to.match(/OK: every check holds\./);
    expect(r.stdout).to.match(/MVCC_READ_CONFLICT \d+/);
    expect(r.stderr).to.equal('');
  });

  for (const workers of [0, 1, 3]) {
    it(`--workers ${workers} gives the same result`, async () => {
      const r = await anxin(['replay', '--data', L.dir, '--json', '--workers', String(workers)]);
      expectExit(r, 0);
      expect(r.json.summary.workers).to.equal(workers);
      expect(r.json.summary.signaturesVerified).to.be.greaterThan(0);
    });
  }

  it('--from/--to check a range, rebuilding the state from block 0 and saying what was not compared', async () => {
    const r = await anxin(['replay', '--data', L.dir, '--json', '--from', '3', '--to', String(L.height - 3)]);
    expectExit(r, 0);
    expect(r.json.summary.blocks).to.deep.equal({ from: 3, to: L.height - 3, checked: L.height - 5 });
    expect(r.json.summary.stateCompared).to.equal(false);
    expect(r.json.summary.notes.join(' '))
      .to.match(/before 3 were read/)
      .and.match(/after \d+ were not read/);
  });
});
