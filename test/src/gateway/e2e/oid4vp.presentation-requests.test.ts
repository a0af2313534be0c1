/**
 * OpenID4VP 1.0, cross-device, end to end over HTTP: a verifier asks for a job preset
 * (POST /v1/presentation-requests); the wallet module (gateway/src/wallet/oid4vp.ts, with a
 * WebCrypto device key) reads the link, fetches and checks the signed request, finds the
 * bound credential that answers it and posts a presentation of exactly the asked claims;
 * GET /v1/presentation-requests/:id says verified, with only those claims. A second answer
 * is refused (the nonce is used once), a presentation for another request's nonce fails
 * kb_nonce, a missing claim fails naming it, a tampered request object is refused by the
 * wallet, and another verifier cannot read the outcome.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from '@anxin/gateway/wallet/jws';
import {
  Oid4vpError,
  fetchRequest,
  matchCredentials,
  parseRequest,
  presentationFor,
  respond,
  type PresentationRequest,
} from '@anxin/gateway/wallet/oid4vp';
import { TestGateway, expectProblem, type Issued, type Loose, type RegisteredIssuer } from '../../helpers/gateway';

interface Created {
  id: string;
  request_uri: string;
  client_id: string;
  link: string;
  walletLink: string;
  qr: string;
  expiresAt: string;
}

describe('e2e: OpenID4VP presentation requests (verifier asks, the wallet answers)', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let hotpot: string;
  let noodles: string;
  let key: DeviceKey;
  let bound: Issued;
  let unbound: Issued;

  async function ask(preset = 'food_service_shift', apiKey = hotpot): Promise<Created> {
    const res = await gw.api<Created>('POST', '/v1/presentation-requests', { key: apiKey, body: { preset } });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  }

  async function outcome(id: string, apiKey = hotpot): Promise<Loose> {
    const res = await gw.api('GET', `/v1/presentation-requests/${id}`, { key: apiKey });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  }

  async function load(created: Created): Promise<PresentationRequest> {
    const { request_uri, client_id } = parseRequest(created.link);
    return fetchRequest(request_uri, fetch, { ...(client_id ? { clientId: client_id } : {}) });
  }

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    hotpot = await gw.verifierKey('hotpot-chunxi');
    noodles = await gw.verifierKey('noodles-jinli');
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    key = await deviceKeyFromCryptoKeyPair(pair);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: privateJwk as never });
    unbound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
  });
  after(async () => gw?.stop());

  it('a request: 201 with a short request_uri, the openid4vp:// link, the wallet link and a QR code', async () => {
    const c = await ask();
    expect(c.id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(c.request_uri).to.equal(`${gw.services.publicUrl}/oid4vp/requests/${c.id}`);
    expect(c.client_id).to.match(/^decentralized_identifier:did:web:127\.0\.0\.1%3A\d+:verifier$/);
    const link = new URL(c.link);
    expect(link.protocol).to.equal('openid4vp:');
    expect(link.searchParams.get('request_uri')).to.equal(c.request_uri);
    expect(link.searchParams.get('client_id')).to.equal(c.client_id);
    expect(c.link.length).to.be.below(200);
    expect(c.walletLink).to.equal(
      `${gw.services.publicUrl}/wallet#request=${encodeURIComponent(c.request_uri)}&client_id=${encodeURIComponent(c.client_id)}`,
    );
    expect(c.qr).to.match(/^<svg/);
    expect((await outcome(c.id)).status).to.equal('pending');
  });

  it('the request object: typ oauth-authz-req+jwt, signed by a key of the gateway’s did:web, with DCQL and a one-time nonce', async () => {
    const c = await ask();
    const res = await fetch(c.request_uri);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/oauth-authz-req\+jwt/);
    const [h, p] = (await res.text()).split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Loose;
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Loose;
    expect(header.typ).to.equal('oauth-authz-req+jwt');
    expect(header.kid).to.match(new RegExp(`^${c.client_id.slice('decentralized_identifier:'.length)}#`));
    expect(payload).to.include({
      client_id: c.client_id,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${gw.services.publicUrl}/oid4vp/responses/${c.id}`,
    });
    expect(payload.nonce).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(payload.dcql_query.credentials[0]).to.deep.include({ id: 'health', format: 'dc+sd-jwt' });
    expect(payload.dcql_query.credentials[0].claims.map((x: Loose) => x.path.join('.'))).to.deep.equal([
      'holder.name',
      'healthCertificate.categories',
      'healthCertificate.validity',
    ]);
    expect(payload.client_metadata.vp_formats_supported).to.have.property('dc+sd-jwt');
    const did = (await (await fetch(`${gw.url}/verifier/did.json`)).json()) as Loose;
    expect(did.id).to.equal(c.client_id.slice('decentralized_identifier:'.length));
    expect(did.verificationMethod.map((m: Loose) => m.id)).to.include(header.kid);
  });

  it('the wallet reads who asks and each field in plain words, and finds the bound credential (not the unbound one)', async () => {
    const request = await load(await ask());
    expect(request.verifier).to.deep.equal({ id: 'hotpot-chunxi', name: 'hotpot-chunxi' });
    // A key the administrator registered with a label: the wallet shows that name.
    const named = await gw.api('POST', '/v1/api-keys', {
      key: gw.adminKey,
      body: { principal: { type: 'verifier', id: 'hotpot-chunxi-2' }, scopes: ['verify'], label: '春熙路老火锅' },
    });
    expect(named.status, named.text).to.equal(201);
    expect((await load(await ask('food_service_shift', named.body.apiKey as string))).verifier).to.deep.equal({
      id: 'hotpot-chunxi-2',
      name: '春熙路老火锅',
    });
    expect(request.job).to.deep.equal({ zh: '餐饮服务上岗', en: 'Food service shift' });
    expect(request.fields.map((f) => [f.path, f.label_zh])).to.deep.equal([
      ['holder.name', '姓名'],
      ['healthCertificate.categories', '健康证适用行业'],
      ['healthCertificate.validity', '健康证有效期'],
    ]);
    const matches = matchCredentials(request, [unbound.credential, bound.credential]);
    expect(matches).to.have.length(1);
    expect(matches[0]!.credential).to.equal(bound.credential);
    expect(matches[0]!.disclose).to.deep.equal([
      'holder.name',
      'healthCertificate.categories',
      'healthCertificate.validity',
    ]);
    // The holder's commitment is never disclosed, even when a whole group is.
    const whole = await presentationFor(request, bound.credential, ['holder', 'healthCertificate'], key);
    const names = whole
      .split('~')
      .slice(1, -1)
      .map((d) => (JSON.parse(Buffer.from(d, 'base64url').toString()) as unknown[])[1]);
    expect(names).to.include('name').and.not.include('salt').and.not.include('ref');
    try {
      await presentationFor(request, bound.credential, ['holder.salt'], key);
      expect.fail('the salt was disclosed');
    } catch (e) {
      expect((e as Oid4vpError).code).to.equal('never_disclosed');
    }
    // The wallet link (the phone's camera opens the wallet with it) reads the same.
    const c = await ask();
    expect(parseRequest(c.walletLink)).to.deep.equal({ client_id: c.client_id, request_uri: c.request_uri });
  });

  it('the answer: 200 {}; the verifier sees verified, bound by the challenge, with exactly the asked fields', async () => {
    const c = await ask();
    const request = await load(c);
    const [match] = matchCredentials(request, [bound.credential]);
    const t0 = Date.now();
    expect(await respond({ request, credential: match!.credential, disclose: match!.disclose, key })).to.deep.equal({});
    const o = await outcome(c.id);
    expect(Date.now() - t0).to.be.below(2000);
    expect(o.status).to.equal('verified');
    const health = o.result.credentials.health;
    expect(health.missing).to.deep.equal([]);
    expect(health.report.verified).to.equal(true);
    expect(health.report.presentation).to.deep.equal({ binding: 'challenge' });
    expect(health.report.checks.holderBinding).to.equal('pass');
    const disclosed = health.report.credential.disclosed;
    expect(Object.keys(disclosed).sort()).to.deep.equal(['healthCertificate', 'holder']);
    expect(Object.keys(disclosed.holder)).to.deep.equal(['name']);
    expect(Object.keys(disclosed.healthCertificate).sort()).to.deep.equal(['categories', 'validity']);
  });

  it('the check counts as the verifier’s: its issuer sees who verified the credential (receipts, webhooks)', async () => {
    const c = await ask();
    await respond({ request: await load(c), credential: bound.credential, key });
    const res = await gw.api('GET', `/v1/credentials/${encodeURIComponent(bound.id)}/verifiers`, { key: cdc.apiKey });
    expect(res.status, res.text).to.equal(200);
    expect(JSON.stringify(res.body)).to.include('hotpot-chunxi');
  });

  it('five answers racing for one request: exactly one taken, the others invalid_request', async () => {
    const c = await ask();
    const request = await load(c);
    const presentation = await presentationFor(request, bound.credential, ['holder', 'healthCertificate'], key);
    const body = new URLSearchParams({ vp_token: JSON.stringify({ health: [presentation] }), state: request.state! });
    const all = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(request.responseUri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
        }),
      ),
    );
    expect(all.map((r) => r.status).sort()).to.deep.equal([200, 400, 400, 400, 400]);
    expect((await outcome(c.id)).status).to.equal('verified');
  });

  it('the nonce is used once: a second answer to the same request is refused (invalid_request)', async () => {
    const c = await ask();
    const request = await load(c);
    await respond({ request, credential: bound.credential, key });
    try {
      await respond({ request, credential: bound.credential, key });
      expect.fail('a second answer was taken');
    } catch (e) {
      expect((e as Oid4vpError).code).to.equal('response_refused');
    }
    const raw = await fetch(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: '{}', state: request.state! }).toString(),
    });
    expect(raw.status).to.equal(400);
    expect(((await raw.json()) as Loose).error).to.equal('invalid_request');
    expect((await outcome(c.id)).status).to.equal('verified');
    // Once answered, the request_uri serves the request no more.
    expect((await fetch(c.request_uri)).status).to.equal(404);
  });

  it('a presentation made for another request’s nonce fails kb_nonce', async () => {
    const a = await load(await ask());
    const cb = await ask();
    const b = await load(cb);
    const forA = await presentationFor(a, bound.credential, ['holder.name', 'healthCertificate'], key);
    const res = await fetch(b.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: JSON.stringify({ health: [forA] }), state: b.state! }).toString(),
    });
    expect(res.status).to.equal(200);
    const o = await outcome(cb.id);
    expect(o.status).to.equal('failed');
    expect(o.result.credentials.health.report.reasons.map((r: Loose) => `${r.check}:${r.code}`)).to.deep.equal([
      'holderBinding:kb_nonce',
    ]);
  });

  it('a required claim not disclosed: failed, naming it', async () => {
    const c = await ask();
    const request = await load(c);
    await respond({
      request,
      credential: bound.credential,
      disclose: ['holder.name', 'healthCertificate.validity'],
      key,
    });
    const o = await outcome(c.id);
    expect(o.status).to.equal('failed');
    expect(o.result.credentials.health.missing).to.deep.equal(['healthCertificate.categories']);
    expect(o.result.credentials.health.report.verified).to.equal(true);
  });

  it('an unbound credential answers nothing: failed, holder_binding_required', async () => {
    const c = await ask();
    const request = await load(c);
    const res = await fetch(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify({ health: [unbound.credential] }),
        state: request.state!,
      }).toString(),
    });
    expect(res.status).to.equal(200);
    const o = await outcome(c.id);
    expect(o.status).to.equal('failed');
    expect(o.result.credentials.health.problems).to.deep.equal(['holder_binding_required']);
  });

  it('the wallet refuses a tampered request object, and one whose client_id is not the link’s', async () => {
    const c = await ask();
    const tampering: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (input !== c.request_uri) return res;
      const [h, p, s] = (await res.text()).split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Loose;
      payload.response_uri = payload.response_uri.replace(c.id, 'A'.repeat(22));
      return new Response(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`, { status: 200 });
    };
    for (const [f, opts, code] of [
      [tampering, { clientId: c.client_id }, 'request_signature_invalid'],
      [fetch, { clientId: 'decentralized_identifier:did:web:evil.example' }, 'request_client_mismatch'],
    ] as const) {
      try {
        await fetchRequest(c.request_uri, f, opts);
        expect.fail('the wallet took the request');
      } catch (e) {
        expect((e as Oid4vpError).code).to.equal(code);
      }
    }
  });

  it('a DCQL query of the verifier’s own: its claims asked and answered; a vct of no type of this gateway: 400', async () => {
    const vct = `${gw.services.publicUrl}/vct/v1/HealthCertificate`;
    const dcql = {
      credentials: [
        {
          id: 'cert',
          format: 'dc+sd-jwt',
          meta: { vct_values: [vct] },
          claims: [{ path: ['healthCertificate', 'examDate'] }],
        },
      ],
    };
    const res = await gw.api<Created>('POST', '/v1/presentation-requests', { key: hotpot, body: { dcql } });
    expect(res.status, res.text).to.equal(201);
    const request = await load(res.body);
    expect(request.fields.map((f) => f.path)).to.deep.equal(['healthCertificate.examDate']);
    await respond({ request, credential: bound.credential, key });
    const o = await outcome(res.body.id);
    expect(o.status).to.equal('verified');
    expect(o.result.credentials.cert.report.credential.disclosed).to.have.all.keys('healthCertificate');
    const foreign = {
      credentials: [{ ...dcql.credentials[0]!, meta: { vct_values: ['https://elsewhere.example/vct/Passport'] } }],
    };
    expectProblem(
      await gw.api('POST', '/v1/presentation-requests', { key: hotpot, body: { dcql: foreign } }),
      400,
      'validation_failed',
    );
  });

  it('an expired request: expired for the verifier, gone from its request_uri, its answer refused', async () => {
    const c = await ask();
    const request = await load(c);
    const now = gw.services.now.bind(gw.services);
    gw.services.now = () => new Date(now().getTime() + 6 * 60_000);
    try {
      expect((await outcome(c.id)).status).to.equal('expired');
      expect((await fetch(c.request_uri)).status).to.equal(404);
      try {
        await respond({ request, credential: bound.credential, key });
        expect.fail('an expired request took an answer');
      } catch (e) {
        expect((e as Oid4vpError).code).to.equal('response_refused');
      }
    } finally {
      gw.services.now = now;
    }
  });

  it('the wallet declining is recorded; the verifier API: own requests only, presets by name, verify scope', async () => {
    const c = await ask();
    const request = await load(c);
    const declined = await fetch(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'access_denied', state: request.state! }).toString(),
    });
    expect(declined.status).to.equal(200);
    expect((await outcome(c.id)).status).to.equal('declined');
    expectProblem(await gw.api('GET', `/v1/presentation-requests/${c.id}`, { key: noodles }), 404, 'not_found');
    expectProblem(
      await gw.api('POST', '/v1/presentation-requests', { body: { preset: 'food_service_shift' } }),
      401,
      'unauthorized',
    );
    expectProblem(
      await gw.api('POST', '/v1/presentation-requests', { key: cdc.apiKey, body: { preset: 'food_service_shift' } }),
      403,
      'forbidden',
    );
    expectProblem(
      await gw.api('POST', '/v1/presentation-requests', { key: hotpot, body: { preset: 'night_club' } }),
      400,
      'validation_failed',
    );
    const wrongState = await fetch((await load(await ask())).responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ vp_token: '{}', state: 'x'.repeat(22) }).toString(),
    });
    expect(wrongState.status).to.equal(400);
    expect(((await wrongState.json()) as Loose).error).to.equal('invalid_request');
  });
});
