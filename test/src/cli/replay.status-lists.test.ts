/**
 * anxin replay --status-lists: every list the ledger's anchors name is fetched from the
 * gateway, its signature checked against the issuer's keys on the ledger, and each entry
 * compared with its anchor's status (every other entry must read valid). A list that
 * disagrees with the ledger is a finding, and exit 1.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { decodeJwt } from 'jose';
import type { AnchorRecord } from '@anxin/schemas';
import { TestGateway, type Issued, type RegisteredIssuer } from '../helpers/gateway';
import { anxin, expectExit } from './fixture';

describe('cli: replay --status-lists', function () {
  this.timeout(120_000);
  let gw: TestGateway;
  let health: RegisteredIssuer;
  let revoked: Issued;

  before(async () => {
    gw = await TestGateway.start();
    health = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    const issued: Issued[] = [];
    for (let i = 0; i < 4; i++)
      issued.push(await gw.issue(health.apiKey, 'HealthCertificate', { format: i % 2 ? 'dc+sd-jwt' : 'vc+jwt' }));
    revoked = issued[0]!;
    expect((await gw.changeStatus(health.apiKey, revoked.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    expect((await gw.changeStatus(health.apiKey, issued[1]!.id, 'suspend', 're_examination_pending')).status).to.equal(
      200,
    );
  });
  after(async () => gw?.stop());

  it('the published lists agree with the ledger: exit 0', async () => {
    const r = await anxin(['replay', '--data', gw.dataDir, '--status-lists', gw.url, '--json', '--workers', '0']);
    expectExit(r, 0);
    expect(r.json.summary.notes.join('\n')).to.match(/1 published status list compared/);
  });

  it('a list that shows a revoked credential as valid: exit 1, naming the list, the entry and the purpose', async () => {
    const status = decodeJwt(revoked.credential).credentialStatus as Array<{ statusListIndex?: string }>;
    const idx = Number(status[1]!.statusListIndex);
    const [entry] = (
      await gw.services.store.listStatusEntries((await gw.services.store.statusLists(health.id))[0]!.list)
    ).filter((e) => e.idx === idx);
    // The store the lists are built from says otherwise than the ledger; the lists are signed again.
    await gw.services.store.putStatusEntry({ ...entry!, status: 'active', updatedBlock: 1e9 });
    gw.services.projection.emit('anchor', { statusEntry: { list: entry!.list, idx } } as AnchorRecord);
    const r = await anxin(['replay', '--data', gw.dataDir, '--status-lists', gw.url, '--json', '--workers', '0']);
    expectExit(r, 1);
    const findings = (r.json.findings as Array<{ kind: string; detail: string }>).filter(
      (f) => f.kind === 'statusList',
    );
    expect(findings.map((f) => f.detail).sort()).to.deep.equal(
      [`(revocation)`, `(token)`].map(
        (what) => `status list ${entry!.list} ${what} of ${health.id}: entry ${idx} (revoked)`,
      ),
    );
  });
});
