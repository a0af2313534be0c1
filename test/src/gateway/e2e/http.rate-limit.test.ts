/**
 * Rate limits per API key: with ANXIN_RATE_LIMIT=5, a key's 6th call in the minute is
 * refused with 429 problem+json and Retry-After, while another key still passes.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, expectProblem } from '../../helpers/gateway';

describe('e2e: rate limit per API key (ANXIN_RATE_LIMIT=5)', function () {
  let gw: TestGateway;
  let a: string;
  let b: string;

  before(async () => {
    gw = await TestGateway.start({ env: { ANXIN_RATE_LIMIT: '5' } });
    // Two admin calls: the admin key stays under its own limit.
    a = (await gw.createApiKey({ type: 'verifier', id: 'employer-a' }, ['verify'])).apiKey;
    b = (await gw.createApiKey({ type: 'verifier', id: 'employer-b' }, ['verify'])).apiKey;
  });
  after(async () => gw?.stop());

  it('the 6th call by one key → 429 rate_limited with Retry-After; another key still passes', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await gw.api('POST', '/v1/verify', { key: a, body: { credential: `not-a-credential-${i}` } });
      expect(res.status, `call ${i}: ${res.text}`).to.equal(200);
    }
    const sixth = await gw.api('POST', '/v1/verify', { key: a, body: { credential: 'not-a-credential-6' } });
    expectProblem(sixth, 429, 'rate_limited');
    const retryAfter = sixth.headers.get('retry-after');
    expect(retryAfter).to.match(/^\d+$/);
    expect(Number(retryAfter)).to.be.within(1, 60);
    expect(sixth.headers.get('x-request-id')).to.be.a('string');

    const other = await gw.api('POST', '/v1/verify', { key: b, body: { credential: 'not-a-credential' } });
    expect(other.status, other.text).to.equal(200);
  });

  it('a wrong secret under a key’s public id does not spend that key’s budget', async () => {
    const c = (await gw.createApiKey({ type: 'verifier', id: 'employer-c' }, ['verify'])).apiKey;
    // The key id (anx_<id>_…) is public (logs, listings); the secret is not.
    const fake = c.slice(0, -4) + (c.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (let i = 0; i < 6; i++) {
      const res = await gw.api('POST', '/v1/verify', { key: fake, body: { credential: 'x' } });
      expect(res.status).to.be.oneOf([401, 429]);
    }
    const real = await gw.api('POST', '/v1/verify', { key: c, body: { credential: 'x' } });
    expect(real.status, real.text).to.equal(200);
  });
});
