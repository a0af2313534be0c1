/**
 * What expires soon, for issuers: GET /v1/credentials/expiring?within=30d lists the issuer's
 * own active, not renewed credentials whose validUntil falls within the window, by validUntil,
 * in pages; `within` is validated (1d–365d). An issuer's API key may PUT a webhook, and is sent
 * a signed anxin-expiring+jwt notice through the outbox once per credential when it enters the
 * 30-day band and once when it enters the 7-day band — across sweeps and a restart (the
 * gateway's clock moved forward).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { after, before, describe, it } from 'mocha';
import { DAY, TestGateway, expectProblem, isoFromNow, type RegisteredIssuer } from '../../helpers/gateway';

async function until<T>(what: string, f: () => T | Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('e2e: issuers list, and are told of, what expires soon', function () {
  this.timeout(Math.max(this.timeout(), 60_000));
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let other: RegisteredIssuer;
  const ids: Record<string, string> = {};
  const expiring = (query: string, key = cdc.apiKey) => gw.api('GET', `/v1/credentials/expiring${query}`, { key });
  const issueUntil = async (days: number, issuer = cdc) =>
    (await gw.issue(issuer.apiKey, 'HealthCertificate', { validUntil: isoFromNow(days * DAY) })).id;

  before(async () => {
    gw = await TestGateway.start({ env: { ANXIN_NOTIFY_RETRY_MS: '100', ANXIN_NOTIFY_ATTEMPTS: '3' } });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    ids.d20 = await issueUntil(20);
    ids.d5 = await issueUntil(5);
    ids.d60 = await issueUntil(60);
    ids.revoked = await issueUntil(10);
    expect((await gw.changeStatus(cdc.apiKey, ids.revoked, 'revoke', 'issued_in_error')).status).to.equal(200);
    ids.renewed = await issueUntil(12);
    await gw.issue(cdc.apiKey, 'HealthCertificate', { validUntil: isoFromNow(170 * DAY), replaces: ids.renewed });
    ids.theirs = await issueUntil(3, other);
  });
  after(async () => gw?.stop());

  it('within=30d: own active ones, not renewed, by validUntil', async () => {
    const res = await expiring('?within=30d');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.credentials.map((c: { id: string }) => c.id)).to.deep.equal([ids.d5, ids.d20]);
    expect(res.body.credentials[0]).to.include({ type: 'HealthCertificate', status: 'active' });
    expect(res.body).to.not.have.property('next');
    expect((await expiring('')).body.credentials).to.have.length(2); // 30d by default
  });

  it('within=7d: the last week only; within=365d: all', async () => {
    expect((await expiring('?within=7d')).body.credentials.map((c: { id: string }) => c.id)).to.deep.equal([ids.d5]);
    expect((await expiring('?within=365d')).body.credentials.map((c: { id: string }) => c.id)).to.include.members([
      ids.d5,
      ids.d20,
      ids.d60,
    ]);
  });

  it('pages: limit and the next cursor', async () => {
    const first = await expiring('?within=30d&limit=1');
    expect(first.body.credentials.map((c: { id: string }) => c.id)).to.deep.equal([ids.d5]);
    expect(first.body.next).to.be.a('string');
    const second = await expiring(`?within=30d&limit=1&after=${first.body.next as string}`);
    expect(second.body.credentials.map((c: { id: string }) => c.id)).to.deep.equal([ids.d20]);
    expect(second.body).to.not.have.property('next');
  });

  it('validation_failed: a window out of range or not in days, a bad cursor; forbidden to a verifier', async () => {
    for (const q of ['?within=0d', '?within=366d', '?within=30', '?within=1w', '?limit=0', '?within=30d&within=7d'])
      expectProblem(await expiring(q), 400, 'validation_failed');
    expectProblem(await expiring('?after=bm90LWEtY3Vyc29y'), 400, 'validation_failed');
    expectProblem(await expiring('', await gw.verifierKey()), 403, 'forbidden');
  });

  describe('the issuer’s webhook', () => {
    const got: Array<{ header: Record<string, unknown>; payload: Record<string, unknown> }> = [];
    let server: Server;
    let url = '';
    const moveClock = (days: number) => {
      gw.services.now = () => new Date(Date.now() + days * DAY);
    };

    before(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          got.push({ header: decodeProtectedHeader(body) as never, payload: decodeJwt(body) as never });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/expiring`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    const of = (id: string) => got.filter((g) => g.payload.credentialId === id).map((g) => g.payload.withinDays);

    it('an issuer’s key may set its webhook', async () => {
      const res = await gw.api('PUT', '/v1/webhook', { key: cdc.apiKey, body: { url } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.typ).to.equal('anxin-expiring+jwt');
      const read = await gw.api('GET', '/v1/webhook', { key: cdc.apiKey });
      expect(read.body.webhook).to.include({ url });
    });

    it('told once per band: 30 then 7 days before the end, signed, through the outbox, across a restart', async () => {
      // Now: d20 is in the 30-day band, d5 in the 7-day band; d60 in neither; the revoked, renewed and other issuer's never.
      // The first sweep ran at start, before the webhook was set; the next one is an hour on (by the clock).
      moveClock(0.05);
      await until('the first notices', () => of(ids.d20).length === 1 && of(ids.d5).length === 1);
      expect(got[0]!.header).to.include({ typ: 'anxin-expiring+jwt' });
      expect(got[0]!.payload).to.include({ iss: gw.services.publicUrl, aud: cdc.id, event: 'expiring' });
      expect(of(ids.d20)).to.deep.equal([30]);
      expect(of(ids.d5)).to.deep.equal([7]);

      // 35 days on, d60 has 25 days left: the 30-day band. d20 and d5 have ended: nothing more for them.
      moveClock(35);
      await until('d60 in the 30-day band', () => of(ids.d60).length === 1);
      expect(of(ids.d60)).to.deep.equal([30]);

      // A restart sweeps again at the same moved time: nothing is told twice.
      await gw.restart();
      moveClock(35);
      await new Promise((r) => setTimeout(r, 1500));
      expect(of(ids.d60)).to.deep.equal([30]);

      // 55 days on, d60 has 5 days left: the 7-day band, once.
      moveClock(55);
      await until('d60 in the 7-day band', () => of(ids.d60).length === 2);
      expect(of(ids.d60)).to.deep.equal([30, 7]);
      for (const id of [ids.revoked, ids.renewed, ids.theirs]) expect(of(id!), id).to.deep.equal([]);
      expect(got).to.have.length(4);
    });
  });
});
