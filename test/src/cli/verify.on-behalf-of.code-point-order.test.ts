/**
 * The registered issuers a platform's contract names as its employer (`onBehalfOf.registeredAs`)
 * come in code-point order of their ids, whatever the verifier's locale: the report is
 * the same bytes on every machine. Collation would not be — Estonian sorts z between s
 * and t, Lithuanian sorts y before j — so the CLI verifies under those locales.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway } from '../helpers/gateway';
import { USCC_OF_KIND } from '../helpers/statements';
import { anxin, expectExit } from './fixture';

const SLUGS = ['tt-employer', 'zz-employer', 'j-employer-1', 'y-employer-1'];

describe('cli: verify lists the employers registered under one USCC in code-point order in any locale', function () {
  let gw: TestGateway;

  before(async () => {
    gw = await TestGateway.start();
  });
  after(async () => {
    await gw?.stop();
  });

  it('et_EE, lt_LT and C give the same registeredAs, sorted by code point', async () => {
    for (const slug of SLUGS)
      await gw.registerIssuer({ allowedTypes: ['LaborContract'], kind: 'employer', slug, uscc: USCC_OF_KIND.employer });
    const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
    const c = await gw.issue(platform.apiKey, 'LaborContract');
    const expected = SLUGS.map((s) => `urn:anxin:issuer:${s}`).sort();
    for (const locale of ['et_EE.UTF-8', 'lt_LT.UTF-8', 'C.UTF-8']) {
      const r = await anxin(['verify', c.presentation, '--data', gw.dataDir, '--json'], {
        env: { LANG: locale, LC_ALL: locale },
      });
      expectExit(r, 0);
      const ids = (r.json.credential.issuer.onBehalfOf.registeredAs as Array<{ id: string }>).map((i) => i.id);
      expect(ids, locale).to.deep.equal(expected);
    }
  });
});
