/**
 * Who may read /metrics: by default anyone who can reach the gateway's address, as before;
 * with ANXIN_METRICS_TOKEN only a request carrying that bearer token (an API key, even an
 * admin's, is not it); with ANXIN_METRICS_PORT on a listener of its own, and then not beside
 * the API at all. /healthz and /readyz stay open either way.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, apiRequest, expectProblem } from '../../helpers/gateway';

const TOKEN = 'scrape-6f1c2a9e4b7d0385';

describe('e2e: /metrics, open by default, restricted when configured', function () {
  this.timeout(60_000);

  describe('by default', () => {
    let gw: TestGateway;
    before(async () => (gw = await TestGateway.start()));
    after(async () => gw?.stop());

    it('served beside the API to anyone, with no listener of its own', async () => {
      const r = await gw.api('GET', '/metrics');
      expect(r.status).to.equal(200);
      expect(r.text).to.match(/^# TYPE anxin_projection_lag_blocks gauge$/m);
      expect(gw.running.metricsUrl).to.equal(undefined);
    });
  });

  describe('with ANXIN_METRICS_TOKEN', () => {
    let gw: TestGateway;
    before(async () => (gw = await TestGateway.start({ env: { ANXIN_METRICS_TOKEN: TOKEN } })));
    after(async () => gw?.stop());

    it('no token, another token, an API key: 401 problem; the token: 200', async () => {
      expectProblem(await gw.api('GET', '/metrics'), 401, 'unauthorized');
      expectProblem(await gw.api('GET', '/metrics', { key: `${TOKEN}x` }), 401, 'unauthorized');
      expectProblem(await gw.api('GET', '/metrics', { key: TOKEN.slice(0, -1) }), 401, 'unauthorized');
      expectProblem(await gw.api('GET', '/metrics', { key: gw.adminKey }), 401, 'unauthorized');
      const r = await gw.api('GET', '/metrics', { key: TOKEN });
      expect(r.status).to.equal(200);
      expect(r.text).to.include('anxin_http_requests_total');
    });

    it('the probes stay open', async () => {
      expect((await gw.api('GET', '/healthz')).status).to.equal(200);
      expect((await gw.api('GET', '/readyz')).status).to.equal(200);
    });
  });

  describe('with ANXIN_METRICS_PORT (and the token)', () => {
    let gw: TestGateway;
    before(
      async () =>
        (gw = await TestGateway.start({
          env: { ANXIN_METRICS_HOST: '127.0.0.1', ANXIN_METRICS_PORT: '0', ANXIN_METRICS_TOKEN: TOKEN },
        })),
    );
    after(async () => gw?.stop());

    it('served on its own address only: 404 beside the API', async () => {
      const own = gw.running.metricsUrl!;
      expect(own).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(own).to.not.equal(gw.url);
      expectProblem(await gw.api('GET', '/metrics', { key: TOKEN }), 404, 'not_found');
      expectProblem(await apiRequest(own, 'GET', '/metrics'), 401, 'unauthorized');
      const r = await apiRequest(own, 'GET', '/metrics', { key: TOKEN });
      expect(r.status).to.equal(200);
      expect(r.text).to.include('anxin_ledger_commit_duration_seconds');
      // Nothing else there.
      expectProblem(await apiRequest(own, 'GET', '/v1/ledger/info', { key: TOKEN }), 404, 'not_found');
      expectProblem(await apiRequest(own, 'POST', '/metrics', { key: TOKEN }), 405, 'method_not_allowed');
      expect((await gw.api('GET', '/readyz')).status).to.equal(200);
    });

    it('the listener closes with the gateway', async () => {
      const own = gw.running.metricsUrl!;
      await gw.running.close();
      let refused = false;
      await fetch(`${own}/metrics`).catch(() => (refused = true));
      expect(refused).to.equal(true);
    });
  });

  describe('a verification thread that dies', () => {
    let gw: TestGateway;
    before(async () => (gw = await TestGateway.start({ env: { ANXIN_VERIFY_THREADS: '1' } })));
    after(async () => gw?.stop());

    it('is replaced and counted (anxin_verify_thread_restarts_total)', async () => {
      const sample = async () =>
        Number(/^anxin_verify_thread_restarts_total (\S+)$/m.exec((await gw.api('GET', '/metrics')).text)?.[1]);
      expect(await sample()).to.equal(0);
      const pool = gw.running.verifierPool as unknown as {
        threads: Array<{ worker: { terminate(): Promise<number> } }>;
      };
      await pool.threads[0]!.worker.terminate();
      for (let i = 0; i < 100 && (await sample()) < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await sample()).to.equal(1);
      const verifier = await gw.verifierKey();
      const issuer = await gw.registerIssuer();
      const c = await gw.issue(issuer.apiKey, 'HealthCertificate');
      expect((await gw.verify(verifier, c.credential)).verified).to.equal(true);
    });
  });
});
