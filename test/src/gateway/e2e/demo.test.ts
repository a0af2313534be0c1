/**
 * `npm run demo` against a running gateway: it runs to its end (exit 0), and what it prints
 * is what happened — each verification's verdict, the work card's disclosed fields, the
 * link to the verifier page, which itself verifies, the card signed live for the
 * restaurant's challenge, its replay and a copy without the phone's signature refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { DAY, TestGateway, expectVerified } from '../../helpers/gateway';

const DEMO = join(require.resolve('@anxin/gateway/package.json'), '..', 'dist', 'demo.js');

describe('e2e: npm run demo', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let out = '';

  before(async () => {
    gw = await TestGateway.start();
    out = await new Promise<string>((done, fail) =>
      execFile(
        process.execPath,
        [DEMO],
        { env: { ...process.env, ANXIN_URL: gw.url, ANXIN_DATA_DIR: gw.dataDir } },
        (err, stdout, stderr) => (err ? fail(new Error(`demo failed: ${stderr}${stdout}`)) : done(stdout)),
      ),
    );
  });
  after(async () => gw?.stop());

  it('verifies all three, a challenge answered once, then the suspension, the revocation and the reinstatement', () => {
    const verdicts = out
      .split('\n')
      .filter((l) => /✔ verified|✘ not verified/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' '));
    expect(verdicts).to.deep.equal([
      'health certificate ✔ verified',
      'skill certificate ✔ verified',
      'labor contract ✔ verified',
      'work card ✔ verified',
      'work card, signed live ✔ verified',
      'the same answer again ✘ not verified — holderBinding: kb_nonce',
      'a copy (no phone signature) ✘ not verified — holderBinding: kb_missing',
      'health certificate ✘ not verified — status: suspended',
      'labor contract ✘ not verified — status: revoked',
      'health certificate ✔ verified',
    ]);
    expect(out).to.match(/verifiers to tell: hotpot-chunxi-[0-9a-f]{6}/);
    expect(out).to.match(/issued by the platform on behalf of 成都蜀味坊火锅餐饮管理有限公司 \(91510107MA6CK3PQ12\)/);
    expect(out).to.include('presentation: challenge');
  });

  it('each credential it issues is valid now and for its natural term, whatever day it runs', async () => {
    const issued = [...out.matchAll(/^issued (\w+) (urn:uuid:[0-9a-f-]+) /gm)].map((m) => ({ type: m[1]!, id: m[2]! }));
    expect(issued.map((c) => c.type)).to.deep.equal(['HealthCertificate', 'SkillCertificate', 'LaborContract']);
    const now = Date.now();
    const validity = async (id: string) => {
      const r = await gw.api('GET', `/v1/credentials/${encodeURIComponent(id)}/status`);
      expect(r.status).to.equal(200);
      return {
        from: Date.parse(r.body.validFrom),
        until: r.body.validUntil ? Date.parse(r.body.validUntil) : Infinity,
      };
    };
    // A health certificate: from today (China's calendar) for one year.
    const health = await validity(issued[0]!.id);
    expect(health.from, 'health validFrom')
      .to.be.at.most(now)
      .and.at.least(now - 2 * DAY);
    expect(health.until, 'health validUntil')
      .to.be.at.least(now + 360 * DAY)
      .and.at.most(now + 367 * DAY);
    // A skill certificate from the schema's example: it does not expire.
    expect((await validity(issued[1]!.id)).until, 'skill validUntil').to.equal(Infinity);
    // Today's day shift: ends tonight, Beijing time.
    const shift = await validity(issued[2]!.id);
    expect(shift.from, 'contract validFrom').to.be.at.most(now);
    expect(shift.until, 'contract validUntil')
      .to.be.above(now)
      .and.at.most(now + DAY);
  });

  it('the work card discloses four fields, withholds the ID number, and its link verifies on the gateway', async () => {
    const seen = /the restaurant sees: (\{.*\})/.exec(out);
    expect(seen, out).to.not.equal(null);
    const disclosed = JSON.parse(seen![1]!);
    expect(Object.keys(disclosed.holder)).to.deep.equal(['name']);
    expect(Object.keys(disclosed.healthCertificate).sort()).to.deep.equal(['categories', 'result', 'validity']);
    expect(out).to.match(/withheld: .*holder\.idNumber/);
    const link = out.split('\n').find((l) => l.startsWith(`${gw.url}/verify#`));
    expect(link, 'the verifier-page link').to.be.a('string');
    expectVerified(await gw.verify(await gw.verifierKey(), link!), 'pass');
  });
});
