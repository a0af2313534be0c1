/**
 * POST /v1/verify and POST /v1/credentials are served by two paths: plain JSON requests with
 * a Content-Length take the JSON lane on node's own request objects, everything else (a
 * chunked body, text/plain QR text) goes through express. A client must not be able to tell
 * which one answered: the same reports, the same problems, the same headers, one rate-limit
 * budget per key, one set of metrics.
 */
import { request } from 'node:http';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  TestGateway,
  expectFailed,
  expectProblem,
  expectVerified,
  type ApiResponse,
  type Issued,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';

/** The same request as TestGateway.api, but with the body sent chunked (no Content-Length). */
function chunked(
  gw: TestGateway,
  path: string,
  key: string | undefined,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gw.url}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...headers,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          const contentType = res.headers['content-type'] ?? '';
          const h = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) h.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          let parsed: Loose = text;
          if (/json/.test(contentType) && text) parsed = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: h, body: parsed, text, contentType });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // Two chunks, so the body really arrives in pieces.
    const cut = Math.floor(body.length / 2);
    req.write(body.slice(0, cut));
    req.end(body.slice(cut));
  });
}

/** Header names a client sees, minus the ones that legitimately differ between two answers. */
function headerNames(h: Headers): string[] {
  const vary = new Set(['date', 'content-length', 'transfer-encoding', 'etag', 'connection', 'keep-alive']);
  return [...h.keys()].filter((n) => !vary.has(n) && !n.startsWith('ratelimit')).sort();
}

async function metric(gw: TestGateway, line: RegExp): Promise<number> {
  const text = (await gw.api('GET', '/metrics')).text;
  const m = text.split('\n').find((l) => line.test(l));
  return m ? Number(m.split(' ').pop()) : 0;
}

describe('e2e: the JSON lane and express answer alike', function () {
  let gw: TestGateway;
  let verifier: string;
  let issuer: RegisteredIssuer;
  let good: Issued;

  before(async () => {
    gw = await TestGateway.start();
    verifier = await gw.verifierKey();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    good = await gw.issue(issuer.apiKey, 'HealthCertificate');
  });
  after(async () => gw?.stop());

  it('verify: the same report and the same headers either way', async () => {
    const body = { credential: good.credential };
    const lane = await gw.api('POST', '/v1/verify', { key: verifier, body });
    const express = await chunked(gw, '/v1/verify', verifier, JSON.stringify(body));
    expect(lane.status).to.equal(200);
    expect(express.status).to.equal(200);
    expectVerified(lane.body);
    expectVerified(express.body);
    const { checkedAt: _a, ...laneReport } = lane.body;
    const { checkedAt: _b, ...expressReport } = express.body;
    expect(laneReport).to.deep.equal(expressReport);
    expect(headerNames(lane.headers)).to.deep.equal(headerNames(express.headers));
    for (const name of ['content-security-policy', 'x-content-type-options', 'strict-transport-security']) {
      expect(lane.headers.get(name), name).to.equal(express.headers.get(name));
    }
    expect(lane.contentType).to.equal(express.contentType);
    expect(lane.headers.get('x-request-id')).to.be.a('string').and.not.equal(express.headers.get('x-request-id'));
  });

  it('verify: a tampered credential fails the same check either way', async () => {
    const [h, p, s] = good.credential.split('~')[0]!.split('.');
    const flipped = `${h}.${p!.slice(0, -2)}${p!.endsWith('A') ? 'B' : 'A'}${p!.slice(-1)}.${s}`;
    const lane = await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: flipped } });
    const express = await chunked(gw, '/v1/verify', verifier, JSON.stringify({ credential: flipped }));
    expect(lane.body.verified).to.equal(false);
    expect(express.body.reasons).to.deep.equal(lane.body.reasons);
    expect(express.body.checks).to.deep.equal(lane.body.checks);
  });

  it('errors: no key, unknown key, wrong scope, bad JSON, bytes not UTF-8, bad body — the same problem either way', async () => {
    const unknownKey = `anx_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const cases: Array<[string | undefined, string | Buffer, number, string]> = [
      [undefined, JSON.stringify({ credential: good.credential }), 401, 'unauthorized'],
      [unknownKey, JSON.stringify({ credential: good.credential }), 401, 'unauthorized'],
      [issuer.apiKey, JSON.stringify({ credential: good.credential }), 403, 'forbidden'],
      [verifier, '{"credential": ', 400, 'invalid_json'],
      [
        verifier,
        Buffer.from([...Buffer.from('{"credential": "'), 0xc3, 0x28, ...Buffer.from('"}')]),
        400,
        'malformed_body',
      ],
      [verifier, JSON.stringify({ credential: 42 }), 400, 'validation_failed'],
    ];
    for (const [key, text, status, code] of cases) {
      const lane = await gw.api('POST', '/v1/verify', {
        ...(key ? { key } : {}),
        body: text,
        headers: { 'content-type': 'application/json' },
      });
      const express = await chunked(gw, '/v1/verify', key, text);
      expectProblem(lane, status, code);
      expectProblem(express, status, code);
      const { instance: _i, requestId: _r, ...laneProblem } = lane.body;
      const { instance: _j, requestId: _s, ...expressProblem } = express.body;
      expect(laneProblem, `${status} ${code}`).to.deep.equal(expressProblem);
      expect(lane.headers.get('www-authenticate')).to.equal(express.headers.get('www-authenticate'));
    }
  });

  it('issue: a chunked issuance is anchored and verifies; an invalid subject names the same field', async () => {
    const body = gw.issueBody('HealthCertificate');
    const express = await chunked(gw, '/v1/credentials', issuer.apiKey, JSON.stringify(body));
    expect(express.status, express.text).to.equal(201);
    expect(express.body.anchor.block).to.be.a('number');
    expectVerified(await gw.verify(verifier, express.body.credential));

    const bad = { ...body, subject: { ...(body.subject as object), result: 'maybe' } };
    const lane = await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: bad });
    const viaExpress = await chunked(gw, '/v1/credentials', issuer.apiKey, JSON.stringify(bad));
    expectProblem(lane, 400, 'validation_failed');
    expectProblem(viaExpress, 400, 'validation_failed');
    expect(viaExpress.body.errors).to.deep.equal(lane.body.errors);
    expect(lane.body.errors.map((e: { field: string }) => e.field).join(' ')).to.include('result');
  });

  it('issue: one Idempotency-Key, two paths → one credential', async () => {
    const body = gw.issueBody('HealthCertificate');
    const headers = { 'idempotency-key': `lane-${Date.now()}` };
    const first = await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body, headers });
    const second = await chunked(gw, '/v1/credentials', issuer.apiKey, JSON.stringify(body), headers);
    expect(first.status, first.text).to.equal(201);
    expect(second.status, second.text).to.equal(first.status);
    expect(second.body.id).to.equal(first.body.id);
    expect(second.body.credential).to.equal(first.body.credential);
  });

  it('metrics count requests and verifications from both paths', async () => {
    const requests = /^anxin_http_requests_total\{method="POST",route="\/v1\/verify",status="200"\}/;
    const outcomes = /^anxin_verifications_total\{outcome="verified"\}/;
    const [r0, v0] = [await metric(gw, requests), await metric(gw, outcomes)];
    await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: good.credential } });
    await chunked(gw, '/v1/verify', verifier, JSON.stringify({ credential: good.credential }));
    expect((await metric(gw, requests)) - r0).to.equal(2);
    expect((await metric(gw, outcomes)) - v0).to.equal(2);
  });
});

describe('e2e: one rate-limit budget per key across both paths (ANXIN_RATE_LIMIT=4)', function () {
  let gw: TestGateway;

  before(async () => {
    gw = await TestGateway.start({ env: { ANXIN_RATE_LIMIT: '4' } });
  });
  after(async () => gw?.stop());

  it('two calls on each path spend the budget; the fifth, on either path, is 429', async () => {
    const key = await gw.verifierKey();
    const body = JSON.stringify({ credential: 'not-a-credential' });
    for (let i = 0; i < 2; i++) {
      const lane = await gw.api('POST', '/v1/verify', { key, body, headers: { 'content-type': 'application/json' } });
      expect(lane.status, lane.text).to.equal(200);
      expectFailed(lane.body, 'format', 'unrecognised');
      const express = await chunked(gw, '/v1/verify', key, body);
      expect(express.status, express.text).to.equal(200);
    }
    const laneFifth = await gw.api('POST', '/v1/verify', {
      key,
      body,
      headers: { 'content-type': 'application/json' },
    });
    const expressFifth = await chunked(gw, '/v1/verify', key, body);
    expectProblem(laneFifth, 429, 'rate_limited');
    expectProblem(expressFifth, 429, 'rate_limited');
    expect(laneFifth.headers.get('retry-after')).to.match(/^\d+$/);
    expect(expressFifth.headers.get('retry-after')).to.match(/^\d+$/);
  });
});
