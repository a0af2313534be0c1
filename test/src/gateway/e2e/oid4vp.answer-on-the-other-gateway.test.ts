/**
 * Two gateways behind one address, on one store file and one ledger: a verifier's
 * presentation request made on gateway A is served, and answered by the worker's wallet, on
 * gateway B (the wallet module of the other OpenID4VP tests, its requests sent to B as a load
 * balancer would); A then shows the verifier the verified answer. A second answer, sent to
 * A, is refused as it is on one gateway; a refusal taken by B is what A shows.
 *
 * Gateway B is a second app (with nothing of A's in memory) over its own handle on A's
 * store file, as a second process would have, and A's ledger: the embedded ledger admits
 * one writer per directory, so B reads and writes it through A's ledger client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import pino from 'pino';
import { SqliteStore } from '@anxin/gateway/store/sqlite';
import {
  createApp,
  Metrics,
  StatusListPublisher,
  TrustList,
  VerificationLog,
  type Services,
} from '@anxin/gateway/server';
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { fetchRequest, matchCredentials, parseRequest, respond } from '@anxin/gateway/wallet/oid4vp';
import { TestGateway, type Issued, type Loose } from '../../helpers/gateway';

describe('e2e: a presentation request made on one gateway is answered on another sharing its store', function () {
  this.timeout(60_000);
  let a: TestGateway;
  let storeB: SqliteStore;
  let serverB: Server;
  let urlB = '';
  let hotpot: string;
  let key: DeviceKey;
  let bound: Issued;

  /** Every request the wallet makes goes to gateway B (the address is A's, the public one). */
  const toB: typeof fetch = (input, init) =>
    fetch((input instanceof Request ? input.url : input.toString()).replace(a.url, urlB), init);

  async function ask(): Promise<{ id: string; link: string }> {
    const res = await a.api('POST', '/v1/presentation-requests', {
      key: hotpot,
      body: { preset: 'food_service_shift' },
    });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: string; link: string };
  }

  async function outcomeOnA(id: string): Promise<Loose> {
    const res = await a.api('GET', `/v1/presentation-requests/${id}`, { key: hotpot });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  }

  before(async () => {
    a = await TestGateway.start();
    expect(a.services.publicUrl).to.equal(a.url);
    const cdc = await a.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    hotpot = await a.verifierKey('hotpot-chunxi');
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    key = await deviceKeyFromCryptoKeyPair(pair);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    bound = await a.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: privateJwk as never });

    storeB = new SqliteStore(join(a.dataDir, 'store.sqlite'));
    const services: Services = { ...a.services, store: storeB, verificationLog: new VerificationLog(storeB) };
    const app = createApp(
      services,
      {
        logger: pino({ level: 'silent' }),
        metrics: new Metrics(),
        trustList: new TrustList(services),
        statusLists: new StatusListPublisher(services),
        verificationLog: services.verificationLog,
      },
      { bodyLimit: 256 * 1024, rateLimitPerMinute: 1000, rateLimitPerAddressPerMinute: 1000, version: 'test' },
    );
    serverB = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => serverB.once('listening', () => r()));
    urlB = `http://127.0.0.1:${(serverB.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (serverB) await new Promise((r) => serverB.close(r));
    await storeB?.close();
    await a?.stop();
  });

  it('made on A, served and answered on B: A shows it verified; a second answer, to A, is refused', async () => {
    const c = await ask();
    const { request_uri, client_id } = parseRequest(c.link);
    const request = await fetchRequest(request_uri, toB, { ...(client_id ? { clientId: client_id } : {}) });
    expect(request.verifier).to.deep.equal({ id: 'hotpot-chunxi', name: 'hotpot-chunxi' });
    const [match] = matchCredentials(request, [bound.credential]);
    expect(
      await respond({ request, credential: match!.credential, disclose: match!.disclose, key, fetch: toB }),
    ).to.deep.equal({});

    const o = await outcomeOnA(c.id);
    expect(o.status).to.equal('verified');
    const health = o.result.credentials.health;
    expect(health.report.verified).to.equal(true);
    expect(health.report.checks.holderBinding).to.equal('pass');
    expect(health.missing).to.deep.equal([]);
    expect(Object.keys(health.report.credential.disclosed).sort()).to.deep.equal(['healthCertificate', 'holder']);

    const again = await fetch(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: '{}', state: request.state! }).toString(),
    });
    expect(again.status).to.equal(400);
    expect(((await again.json()) as Loose).error).to.equal('invalid_request');
    expect((await outcomeOnA(c.id)).status).to.equal('verified');
    // Answered: neither gateway serves the request object any more.
    expect((await fetch(request_uri)).status).to.equal(404);
    expect((await toB(request_uri)).status).to.equal(404);
  });

  it('a refusal taken by B is what A shows (declined)', async () => {
    const c = await ask();
    const { request_uri } = parseRequest(c.link);
    const request = await fetchRequest(request_uri, toB);
    const res = await toB(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'access_denied', state: request.state! }).toString(),
    });
    expect(res.status).to.equal(200);
    const o = await outcomeOnA(c.id);
    expect(o.status).to.equal('declined');
    expect(o.declined.error).to.equal('access_denied');
  });
});
