/**
 * The wallet's and the verifier page's service workers (GET /wallet/sw.js, GET /verify/sw.js)
 * and the part they share, which each loads with `importScripts` from beside itself
 * (shell-sw.js): all served as JavaScript under the pages' strict CSP, revalidated on every
 * load, and the same shared part on both paths. That they keep each page for offline use is
 * shown in a real browser by wallet.browser and verifier-page.without-api-key.browser.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway } from '../../helpers/gateway';

describe("e2e: the pages' service workers", function () {
  let gw: TestGateway;

  before(async () => {
    gw = await TestGateway.start();
  });
  after(async () => gw?.stop());

  for (const page of ['/wallet', '/verify']) {
    it(`${page}: its worker and the shared part, JavaScript under the page's CSP, never used unrevalidated`, async () => {
      const worker = await gw.api('GET', `${page}/sw.js`);
      expect(worker.status).to.equal(200);
      expect(worker.headers.get('service-worker-allowed')).to.equal(page);
      expect(worker.text).to.include("importScripts('shell-sw.js')");
      const shared = await gw.api('GET', `${page}/shell-sw.js`);
      expect(shared.status).to.equal(200);
      for (const res of [worker, shared]) {
        expect(res.contentType).to.match(/^text\/javascript/);
        expect(res.headers.get('cache-control')).to.equal('no-cache');
        const csp = res.headers.get('content-security-policy')!;
        expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.not.include('unsafe');
      }
      expect(shared.headers.get('service-worker-allowed'), 'only the worker widens its scope').to.equal(null);
    });
  }

  it('both pages load the same shared part', async () => {
    const [wallet, verifier] = await Promise.all([
      gw.api('GET', '/wallet/shell-sw.js'),
      gw.api('GET', '/verify/shell-sw.js'),
    ]);
    expect(wallet.text).to.have.length.above(0);
    expect(wallet.text).to.equal(verifier.text);
  });
});
