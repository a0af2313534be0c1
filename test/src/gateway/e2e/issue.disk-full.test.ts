/**
 * Issuance over HTTP while the disk under the gateway's data directory fills up and is
 * freed, without a restart: no request is answered 500; a request that fails says so with
 * 503 (`store_unavailable` or `ledger_unavailable`) and, when its anchor was committed all
 * the same, names it (`anchored`); once space returns, a retry with the same
 * Idempotency-Key answers the credential (the one the 503 named, never a second), it
 * verifies, and `/status` and `anxin history` agree that it is anchored once.
 *
 * Runs on a small tmpfs (needs root to mount; skipped, by name, where it cannot).
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { credentialHistory } from '@anxin/cli';
import { SmallDisk } from '../../helpers';
import { TestGateway, expectVerified, type ApiResponse, type RegisteredIssuer } from '../../helpers/gateway';

interface Attempt {
  key: string;
  body: Record<string, unknown>;
  res: ApiResponse;
}

describe('e2e: issuance while the disk fills up and is freed (tmpfs; needs root to mount)', function () {
  this.timeout(300_000);
  let disk: SmallDisk;
  let gw: TestGateway;
  let issuer: RegisteredIssuer;
  let verifier: string;

  before(async function () {
    const mounted = SmallDisk.mount(48);
    if (typeof mounted === 'string') {
      console.warn(`    skipped: ${mounted}`);
      this.skip();
    }
    disk = mounted as SmallDisk;
    gw = await TestGateway.start({
      env: { ANXIN_DATA_DIR: join(disk.dir, 'gw', 'data'), ANXIN_IDEMPOTENCY_LEASE_MS: '2000' },
    });
    issuer = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
    verifier = await gw.verifierKey();
    await gw.issue(issuer.apiKey, 'SkillCertificate', { idempotencyKey: 'before-the-disk-fills' });
  });

  after(async () => {
    disk?.release();
    await gw?.stop().catch(() => undefined);
    disk?.unmount();
  });

  it('every failure is an honest 503; a retry after space returns answers the same credential, anchored once', async () => {
    const post = (key: string, body: Record<string, unknown>) =>
      gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body, headers: { 'idempotency-key': key } });
    const attempts: Attempt[] = [];
    // Fill with a few pages left, then less and less: the writes of issuance meet the full
    // disk at different points (the store before the anchor, the ledger, the store after it).
    for (const pages of [8, 4, 2, 1, 0]) {
      disk.fill(pages);
      for (let i = 0; i < 3; i++) {
        const key = `disk-full-${pages}-${i}`;
        const body = gw.issueBody('SkillCertificate');
        attempts.push({ key, body, res: await post(key, body) });
      }
      disk.release();
    }
    const statuses = attempts.map((a) => a.res.status);
    expect(statuses, 'never a 500').to.not.include(500);
    for (const s of statuses) expect([201, 503]).to.include(s);
    const failed = attempts.filter((a) => a.res.status === 503);
    expect(failed.length, `the full disk failed some issuance: ${statuses.join(' ')}`).to.be.greaterThan(0);
    for (const a of failed) expect(['store_unavailable', 'ledger_unavailable']).to.include(a.res.body.code as string);

    // Space is back: every failed request, retried with its key, answers; what a 503 named is what is answered.
    for (const a of failed) {
      // A claim whose lease could not be given up on the full disk is held until it ends: 409, Retry-After.
      let retry = await post(a.key, a.body);
      for (let i = 0; retry.status === 409 && retry.body.code === 'request_in_progress' && i < 10; i++) {
        await new Promise((r) => setTimeout(r, Number(retry.headers.get('retry-after') ?? 1) * 1000));
        retry = await post(a.key, a.body);
      }
      expect(retry.status, `retry of ${a.key}: ${retry.text.slice(0, 300)}`).to.equal(201);
      const named = a.res.body.anchored as { id: string; txId: string; block: number } | undefined;
      if (named) {
        expect(retry.body.id, 'the credential the 503 named').to.equal(named.id);
        expect(retry.body.anchor).to.deep.include({ txId: named.txId, block: named.block });
      }
      expectVerified(await gw.verify(verifier, retry.body.credential as string));
      const status = await gw.api('GET', `/v1/credentials/${encodeURIComponent(retry.body.id as string)}/status`);
      expect(status.status).to.equal(200);
      expect(status.body).to.deep.include({ status: 'active' });
      expect(await gw.anchorWrites(retry.body.id as string), 'anchored once').to.equal(1);
      const history = await credentialHistory({ data: gw.env.ANXIN_DATA_DIR! }, retry.body.id as string);
      expect(history.entries.filter((e) => e.applied && e.function === 'anchor')).to.have.length(1);
    }
    // And issuance goes on as before.
    await gw.issue(issuer.apiKey, 'SkillCertificate', { idempotencyKey: 'after-the-disk-is-freed' });
    console.log(`      outcomes while full: ${attempts.map((a) => a.res.body?.code ?? a.res.status).join(' ')}`);
  });
  it('without an Idempotency-Key: never a 500; a 503 that names an anchor names one the ledger has, once', async () => {
    const outcomes: ApiResponse[] = [];
    for (const pages of [16, 8, 6, 4, 3, 2, 1, 0]) {
      disk.fill(pages);
      for (let i = 0; i < 3; i++)
        outcomes.push(
          await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: gw.issueBody('SkillCertificate') }),
        );
      disk.release();
    }
    const statuses = outcomes.map((r) => r.status);
    expect(statuses, 'never a 500').to.not.include(500);
    for (const s of statuses) expect([201, 503]).to.include(s);
    for (const r of outcomes.filter((o) => o.status === 503)) {
      const named = r.body.anchored as { id: string; txId: string; block: number } | undefined;
      if (!named) continue;
      expect(r.body.code).to.equal('store_unavailable');
      expect(await gw.anchorWrites(named.id), 'the named anchor is on the ledger, once').to.equal(1);
      // The projection catches up from the ledger: /status says what the ledger says.
      let status = await gw.api('GET', `/v1/credentials/${encodeURIComponent(named.id)}/status`);
      for (let i = 0; (status.status !== 200 || status.body.anchor?.block === null) && i < 100; i++) {
        await new Promise((res) => setTimeout(res, 100));
        status = await gw.api('GET', `/v1/credentials/${encodeURIComponent(named.id)}/status`);
      }
      expect(status.status).to.equal(200);
      expect(status.body).to.deep.include({ status: 'active' });
      expect(status.body.anchor).to.deep.include({ txId: named.txId, block: named.block });
    }
    console.log(
      `      outcomes while full: ${outcomes.map((r) => (r.body?.anchored ? 'anchored:' : '') + (r.body?.code ?? r.status)).join(' ')}`,
    );
  });
});
