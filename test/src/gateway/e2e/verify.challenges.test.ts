/**
 * Verifier challenges, end to end over HTTP: a verifier asks POST /v1/verify/challenges for
 * a one-time nonce and its own aud; the worker's device signs its key-binding JWT over them;
 * POST /v1/verify with { credential, challenge } passes once and says "challenge". A replay,
 * a KB-JWT for another nonce or aud, an expired challenge, another verifier's challenge each
 * fail kb_nonce / kb_audience; another verifier cannot spend yours; concurrent uses of one
 * challenge let exactly one through; a card answering one verifier's challenge cannot be
 * shown to another in static mode.
 */
import { request } from 'node:http';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { CHALLENGE_TTL_S } from '@anxin/gateway/server';
import { presentCredential } from '@anxin/gateway/workcard';
import {
  TestGateway,
  deviceKey,
  expectFailed,
  expectProblem,
  expectVerified,
  withoutCommitment,
  type DeviceKey,
  type Issued,
  type Loose,
  type RegisteredIssuer,
  type Report,
} from '../../helpers/gateway';

interface Challenge {
  nonce: string;
  aud: string;
  expiresAt: string;
}

/** POST /v1/verify with a chunked JSON body: express answers, not the JSON lane. */
function viaExpress(gw: TestGateway, key: string, body: unknown): Promise<Loose> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gw.url}/v1/verify`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', authorization: `Bearer ${key}` },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString('utf8'))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('e2e: verifier challenges (POST /v1/verify/challenges, then { credential, challenge })', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let hotpot: string;
  let noodles: string;
  let device: DeviceKey;
  let bound: Issued;

  async function challenge(key = hotpot): Promise<Challenge> {
    const res = await gw.api<Challenge>('POST', '/v1/verify/challenges', { key });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  }

  /** A work card from the phone, its KB-JWT over this nonce and aud. */
  async function answer(nonce: string, audience: string, now?: Date): Promise<string> {
    return (
      await presentCredential(bound.credential, {
        disclose: ['holder.name', 'healthCertificate.result'],
        holderKey: device.privateJwk,
        nonce,
        audience,
        ...(now ? { now } : {}),
      })
    ).presentation;
  }

  const reasons = (r: Report) => r.reasons.map((x) => `${x.check}:${x.code}`);

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    hotpot = await gw.verifierKey('hotpot-chunxi');
    noodles = await gw.verifierKey('noodles-jinli');
    device = deviceKey();
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: device.privateJwk });
  });
  after(async () => gw?.stop());

  it('a challenge: 201, 192 random bits, this verifier’s aud, a few minutes to live, never cached', async () => {
    const before = Date.now();
    const res = await gw.api<Challenge>('POST', '/v1/verify/challenges', { key: hotpot });
    expect(res.status).to.equal(201);
    expect(res.headers.get('cache-control')).to.include('no-store');
    expect(Object.keys(res.body).sort()).to.deep.equal(['aud', 'expiresAt', 'nonce']);
    expect(res.body.nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(res.body.nonce, 'base64url')).to.have.length(24);
    expect(res.body.aud).to.equal(`${gw.services.publicUrl}/verifiers/hotpot-chunxi`);
    const ttl = Date.parse(res.body.expiresAt) - before;
    expect(ttl).to.be.within(CHALLENGE_TTL_S * 1000 - 5_000, CHALLENGE_TTL_S * 1000 + 5_000);
    expect(CHALLENGE_TTL_S).to.be.within(60, 600);
    expect((await challenge()).nonce).not.to.equal(res.body.nonce);
    // Each verifier has its own aud.
    expect((await challenge(noodles)).aud).to.equal(`${gw.services.publicUrl}/verifiers/noodles-jinli`);
  });

  it('needs an API key with the verify scope: 401 without one, 403 for an issuer key', async () => {
    expectProblem(await gw.api('POST', '/v1/verify/challenges'), 401, 'unauthorized');
    expectProblem(await gw.api('POST', '/v1/verify/challenges', { key: cdc.apiKey }), 403, 'forbidden');
  });

  it('the right answer passes once, as "challenge"; the replay fails kb_nonce (lane and express alike)', async () => {
    const c = await challenge();
    const card = await answer(c.nonce, c.aud);
    const ok = await gw.verify(hotpot, card, { challenge: c.nonce });
    expectVerified(ok, 'pass');
    expect(ok.presentation).to.deep.equal({ binding: 'challenge' });
    const replay = await gw.verify(hotpot, card, { challenge: c.nonce });
    expect(reasons(replay)).to.deep.equal(['holderBinding:kb_nonce']);
    expect(replay.presentation).to.deep.equal({ binding: 'challenge' });
    const replayExpress = await viaExpress(gw, hotpot, { credential: card, challenge: c.nonce });
    expect(reasons(replayExpress)).to.deep.equal(['holderBinding:kb_nonce']);

    // Through express first, then the lane: the same.
    const c2 = await challenge();
    const card2 = await answer(c2.nonce, c2.aud);
    expectVerified(await viaExpress(gw, hotpot, { credential: card2, challenge: c2.nonce }), 'pass');
    expectFailed(await gw.verify(hotpot, card2, { challenge: c2.nonce }), 'holderBinding', 'kb_nonce');
  });

  it('a KB-JWT for another aud: kb_audience; for another nonce: kb_nonce; either way the challenge is spent', async () => {
    const c = await challenge();
    const other = await challenge(noodles);
    for (const aud of [other.aud, 'anxin:work-card']) {
      const c1 = await challenge();
      expect(reasons(await gw.verify(hotpot, await answer(c1.nonce, aud), { challenge: c1.nonce }))).to.deep.equal([
        'holderBinding:kb_audience',
      ]);
      // Spent: the right answer comes too late.
      expect(reasons(await gw.verify(hotpot, await answer(c1.nonce, c1.aud), { challenge: c1.nonce }))).to.deep.equal([
        'holderBinding:kb_nonce',
      ]);
    }
    const wrongNonce = await answer((await challenge()).nonce, c.aud);
    expect(reasons(await gw.verify(hotpot, wrongNonce, { challenge: c.nonce }))).to.deep.equal([
      'holderBinding:kb_nonce',
    ]);
    expect(reasons(await gw.verify(hotpot, await answer(c.nonce, c.aud), { challenge: c.nonce }))).to.deep.equal([
      'holderBinding:kb_nonce',
    ]);
  });

  it('an expired challenge: kb_nonce, even for a fresh KB-JWT that carries it', async () => {
    // A challenge as the gateway keeps it, given out CHALLENGE_TTL_S + 1 s ago.
    const nonce = 'expired-challenge-0630-chengdu-x';
    const aud = `${gw.services.publicUrl}/verifiers/hotpot-chunxi`;
    const now = Date.now();
    await gw.services.store.putNonce({
      nonce,
      purpose: 'challenge',
      principal: 'verifier:hotpot-chunxi',
      aud,
      createdAt: new Date(now - (CHALLENGE_TTL_S + 1) * 1000).toISOString(),
      expiresAt: new Date(now - 1000).toISOString(),
    });
    const r = await gw.verify(hotpot, await answer(nonce, aud), { challenge: nonce });
    expect(reasons(r)).to.deep.equal(['holderBinding:kb_nonce']);
    expect(r.reasons[0]!.detail).to.match(/expired/);
  });

  it("another verifier's challenge: kb_nonce for the one who borrows it, and its owner can still use it", async () => {
    const theirs = await challenge(noodles);
    const card = await answer(theirs.nonce, theirs.aud);
    const borrowed = await gw.verify(hotpot, card, { challenge: theirs.nonce });
    expect(reasons(borrowed)).to.deep.equal(['holderBinding:kb_nonce']);
    const own = await gw.verify(noodles, card, { challenge: theirs.nonce });
    expectVerified(own, 'pass');
    expect(own.presentation).to.deep.equal({ binding: 'challenge' });
  });

  it('an unknown challenge: kb_nonce; a KB-JWT older than its 5 minutes: kb_stale, even answering a live challenge', async () => {
    const c = await challenge();
    const unknown = await gw.verify(hotpot, await answer(c.nonce, c.aud), { challenge: 'x'.repeat(32) });
    expect(reasons(unknown)).to.deep.equal(['holderBinding:kb_nonce']);
    const c2 = await challenge();
    const old = await answer(c2.nonce, c2.aud, new Date(Date.now() - 6 * 60_000));
    expect(reasons(await gw.verify(hotpot, old, { challenge: c2.nonce }))).to.deep.equal(['holderBinding:kb_stale']);
  });

  it('ten verifications racing with one challenge: exactly one verified', async () => {
    const c = await challenge();
    const card = await answer(c.nonce, c.aud);
    const all = await Promise.all(Array.from({ length: 10 }, () => gw.verify(hotpot, card, { challenge: c.nonce })));
    expect(all.filter((r) => r.verified)).to.have.length(1);
    for (const r of all.filter((x) => !x.verified)) expect(reasons(r)).to.deep.equal(['holderBinding:kb_nonce']);
  });

  it('without a challenge the same card is judged in static mode (a fresh iat), and says so', async () => {
    const c = await challenge();
    const r = await gw.verify(hotpot, await answer(c.nonce, c.aud));
    expectVerified(r, 'pass');
    expect(r.presentation).to.deep.equal({ binding: 'static' });
  });

  it("a card made for another verifier's challenge, shown in static mode: kb_audience (no replay to another employer)", async () => {
    const theirs = await challenge(noodles);
    const card = await answer(theirs.nonce, theirs.aud);
    const replayed = await gw.verify(hotpot, card);
    expect(reasons(replayed)).to.deep.equal(['holderBinding:kb_audience']);
    expect(replayed.presentation).to.deep.equal({ binding: 'static' });
    const viaExpressToo = await viaExpress(gw, hotpot, { credential: card });
    expect(reasons(viaExpressToo)).to.deep.equal(['holderBinding:kb_audience']);
    // Its own verifier, and a verifier naming that audience itself, still accept it.
    expectVerified(await gw.verify(noodles, card), 'pass');
    expectVerified(await gw.verify(hotpot, card, { audience: theirs.aud }), 'pass');
    // The static card's own audience is nobody's challenge: accepted by any verifier.
    expectVerified(await gw.verify(hotpot, await answer('static-0630', 'anxin:work-card')), 'pass');
  });

  it('a challenge for a credential with no cnf: nothing to bind, verified, no presentation mode', async () => {
    const plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const c = await challenge();
    const r = await gw.verify(hotpot, withoutCommitment(plain.credential), { challenge: c.nonce });
    expectVerified(r, 'skipped');
    expect(r).not.to.have.property('presentation');
  });

  it('a challenge with a nonce or audience of its own, or in a batch: 400 validation_failed, nothing spent', async () => {
    const c = await challenge();
    const card = await answer(c.nonce, c.aud);
    const both = await gw.api('POST', '/v1/verify', {
      key: hotpot,
      body: { credential: card, challenge: c.nonce, nonce: c.nonce },
    });
    expectProblem(both, 400, 'validation_failed');
    expect(both.body.errors[0]).to.deep.include({ field: '/nonce' });
    const batch = await gw.api('POST', '/v1/verify/batch', {
      key: hotpot,
      body: { credentials: [card], challenge: c.nonce },
    });
    expectProblem(batch, 400, 'validation_failed');
    expectVerified(await gw.verify(hotpot, card, { challenge: c.nonce }), 'pass');
  });
});
