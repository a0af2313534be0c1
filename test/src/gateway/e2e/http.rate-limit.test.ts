/**
 * Rate limits per API key: with ANXIN_RATE_LIMIT=5, a key's 6th call in the minute is
 * refused with 429 problem+json and Retry-After, while another key still passes. Requests
 * without a valid key — none, or a made-up one — share their address's stricter budget, so
 * a fresh random token each time does not escape it.
 */
import { randomBytes } from 'node:crypto';
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

describe('e2e: requests without a valid key spend their address’s budget (ANXIN_RATE_LIMIT_ANONYMOUS=5)', function () {
  let gw: TestGateway;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start({ env: { ANXIN_RATE_LIMIT: '50', ANXIN_RATE_LIMIT_ANONYMOUS: '5' } });
    verifier = (await gw.createApiKey({ type: 'verifier', id: 'employer-d' }, ['verify'])).apiKey;
  });
  after(async () => gw?.stop());

  /** A token of the gateway's own shape that no key has. */
  const randomToken = () => `anx_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

  it('random Bearer tokens, on the JSON lane and through express, reach 429; a valid key from there still works', async () => {
    const body = { credential: 'not-a-credential' };
    for (let i = 0; i < 5; i++) {
      const res =
        i % 2
          ? await gw.api('GET', '/v1/api-keys', { key: randomToken() })
          : await gw.api('POST', '/v1/verify', { key: randomToken(), body });
      expectProblem(res, 401, 'unauthorized');
    }
    const lane = await gw.api('POST', '/v1/verify', { key: randomToken(), body });
    expectProblem(lane, 429, 'rate_limited');
    expect(Number(lane.headers.get('retry-after'))).to.be.within(1, 60);
    expectProblem(await gw.api('GET', '/v1/api-keys', { key: randomToken() }), 429, 'rate_limited');
    expectProblem(await gw.api('POST', '/v1/verify', { key: 'not even a key', body }), 429, 'rate_limited');
    // No key at all is the same budget: the address's.
    expectProblem(await gw.api('POST', '/v1/verify', { body }), 429, 'rate_limited');
    expectProblem(await gw.api('GET', '/v1/issuers'), 429, 'rate_limited');

    const valid = await gw.api('POST', '/v1/verify', { key: verifier, body });
    expect(valid.status, valid.text).to.equal(200);
    expect((await gw.api('GET', '/v1/webhook', { key: verifier })).status).to.equal(200);
    // Probes are never limited.
    expect((await gw.api('GET', '/healthz')).status).to.equal(200);
  });
});
