/**
 * `npm run demo` against a running gateway: it runs to its end (exit 0), and what it prints
 * is what happened — each verification's verdict, the work card's disclosed fields, the
 * link to the verifier page, which itself verifies.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, expectVerified } from '../../helpers/gateway';

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

  it('verifies all three, then shows the suspension, the revocation and the reinstatement', () => {
    const verdicts = out
      .split('\n')
      .filter((l) => /✔ verified|✘ not verified/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' '));
    expect(verdicts).to.deep.equal([
      'health certificate ✔ verified',
      'skill certificate ✔ verified',
      'labor contract ✔ verified',
      'work card ✔ verified',
      'health certificate ✘ not verified — status: suspended',
      'labor contract ✘ not verified — status: revoked',
      'health certificate ✔ verified',
    ]);
    expect(out).to.match(/verifiers to tell: hotpot-chunxi-[0-9a-f]{6}/);
    expect(out).to.match(/issued by the platform on behalf of 成都蜀味坊火锅餐饮管理有限公司 \(91510107MA6CK3PQ12\)/);
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
