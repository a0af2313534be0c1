/**
 * Idempotency-Key on POST /v1/credentials: a retry returns the same credential and
 * anchors nothing new; the same key with another body is refused (422); concurrent
 * duplicates issue exactly one credential.
 */
import { expect } from 'chai';
import { after, before, it } from 'mocha';
import {
  TestGateway,
  expectProblem,
  expectVerified,
  shownOf,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

describeOnLedgers('e2e: Idempotency-Key on issuance', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let platform: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
  });
  after(async () => gw?.stop());

  const post = (key: string, body: object, idem?: string) =>
    gw.api('POST', '/v1/credentials', { key, body, ...(idem ? { headers: { 'idempotency-key': idem } } : {}) });

  for (const format of ['vc+jwt', 'dc+sd-jwt'] as const) {
    it(`${format}: the same request twice → the same credential, anchored once`, async () => {
      const from = await gw.height();
      const body = gw.issueBody('LaborContract', { format });
      const key = `retry-${format.replace('+', '-')}-${Date.now()}`;
      const first = await post(platform.apiKey, body, key);
      expect(first.status, first.text).to.equal(201);
      const second = await post(platform.apiKey, body, key);
      expect(second.status, second.text).to.be.oneOf([200, 201]);
      expect(second.body.id).to.equal(first.body.id);
      expect(second.body.credential).to.equal(first.body.credential);
      expect(second.body.digest).to.equal(first.body.digest);
      expect(second.body.anchor).to.deep.equal(first.body.anchor);
      expect(await gw.anchorWrites(first.body.id, from)).to.equal(1);
      expect(await gw.anchoredIds(from)).to.deep.equal([first.body.id]);
      expectVerified(await gw.verify(verifier, shownOf(second.body)));
    });
  }

  it('without the header, the same body twice → two credentials', async () => {
    const body = gw.issueBody('LaborContract');
    const a = await post(platform.apiKey, body);
    const b = await post(platform.apiKey, body);
    expect(a.status).to.equal(201);
    expect(b.status).to.equal(201);
    expect(a.body.id).not.to.equal(b.body.id);
  });

  it('the same key with a different body → 422 idempotency_key_reused, nothing anchored', async () => {
    const key = `reuse-${Date.now()}`;
    const body = gw.issueBody('LaborContract');
    expect((await post(platform.apiKey, body, key)).status).to.equal(201);
    const h = await gw.height();
    const other = { ...body, holder: { name: '王秀英', idNumber: '11010519491231002X' } };
    expectProblem(await post(platform.apiKey, other, key), 422, 'idempotency_key_reused');
    expect(await gw.height()).to.equal(h);
  });

  it('keys are per principal: another issuer may use the same key string for its own request', async () => {
    const other = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
    const key = `shared-${Date.now()}`;
    const body = gw.issueBody('LaborContract');
    const a = await post(platform.apiKey, body, key);
    const b = await post(other.apiKey, body, key);
    expect(a.status).to.equal(201);
    expect(b.status, b.text).to.equal(201);
    expect(a.body.id).not.to.equal(b.body.id);
  });

  it('a malformed Idempotency-Key → 400 validation_failed', async () => {
    expectProblem(await post(platform.apiKey, gw.issueBody('LaborContract'), 'short'), 400, 'validation_failed');
    expectProblem(
      await post(platform.apiKey, gw.issueBody('LaborContract'), 'has spaces in it'),
      400,
      'validation_failed',
    );
  });

  it('a refused request does not burn the key: fix the body, retry with the same key → 201', async () => {
    const key = `fixable-${Date.now()}`;
    const bad = gw.issueBody('LaborContract');
    (bad.subject as Record<string, unknown>).contractType = 'nonsense';
    expectProblem(await post(platform.apiKey, bad, key), 400, 'validation_failed');
    const res = await post(platform.apiKey, gw.issueBody('LaborContract'), key);
    expect(res.status, res.text).to.equal(201);
  });

  it('5 concurrent duplicates → exactly one credential id, anchored once; the rest are the same answer or 409 request_in_progress', async () => {
    const from = await gw.height();
    const body = gw.issueBody('LaborContract', { format: 'dc+sd-jwt' });
    const key = `burst-${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(platform.apiKey, body, key)));
    const ok = answers.filter((a) => a.status === 201 || a.status === 200);
    expect(ok.length, answers.map((a) => `${a.status} ${a.body.code ?? ''}`).join(', ')).to.be.greaterThan(0);
    for (const a of answers.filter((x) => !ok.includes(x))) expectProblem(a, 409, 'request_in_progress');
    const ids = new Set(ok.map((a) => a.body.id));
    expect([...ids]).to.have.length(1);
    const id = [...ids][0];
    expect(await gw.anchoredIds(from)).to.deep.equal([id]);
    // A retry after the burst gets the same credential.
    const later = await post(platform.apiKey, body, key);
    expect(later.body.id).to.equal(id);
    expectVerified(await gw.verify(verifier, shownOf(later.body)));
  });
});
