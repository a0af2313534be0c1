/**
 * What the HTTP edge does with bad bodies and bad keys, and batch verification: empty,
 * huge, binary and non-JSON bodies; text/plain QR text; missing, unknown, revoked and
 * wrongly-scoped API keys; a batch of mixed credentials and one over the limit.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  TestGateway,
  expectFailed,
  expectProblem,
  expectVerified,
  type Issued,
  type RegisteredIssuer,
  type Report,
  describeOnLedgers,
} from '../../helpers/gateway';

describeOnLedgers('e2e: HTTP bodies, API keys and scopes, batch verification', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let issuer: RegisteredIssuer;
  let good: Issued;
  let goodSd: Issued;
  let revoked: Issued;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
    good = await gw.issue(issuer.apiKey, 'HealthCertificate');
    goodSd = await gw.issue(platform.apiKey, 'LaborContract', { format: 'dc+sd-jwt' });
    revoked = await gw.issue(issuer.apiKey, 'HealthCertificate');
    expect((await gw.changeStatus(issuer.apiKey, revoked.id, 'revoke', 'superseded')).status).to.equal(200);
  });
  after(async () => gw?.stop());

  describe('bodies', () => {
    it('empty body → 400 body_required (issue, verify, batch, register, status change)', async () => {
      const json = { 'content-type': 'application/json' };
      expectProblem(
        await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: '', headers: json }),
        400,
        'body_required',
      );
      expectProblem(await gw.api('POST', '/v1/credentials', { key: issuer.apiKey }), 400, 'body_required');
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: verifier, body: '', headers: json }),
        400,
        'body_required',
      );
      expectProblem(await gw.api('POST', '/v1/verify', { key: verifier }), 400, 'body_required');
      expectProblem(await gw.api('POST', '/v1/verify/batch', { key: verifier }), 400, 'body_required');
      expectProblem(await gw.api('POST', '/v1/issuers', { key: gw.adminKey }), 400, 'body_required');
      expectProblem(
        await gw.api('POST', `/v1/credentials/${good.id}/suspend`, { key: issuer.apiKey }),
        400,
        'body_required',
      );
    });

    it('a body over the limit (256 kB) → 413 payload_too_large, as JSON or as text', async () => {
      const huge = JSON.stringify({ credential: 'x'.repeat(300 * 1024) });
      expectProblem(
        await gw.api('POST', '/v1/verify', {
          key: verifier,
          body: huge,
          headers: { 'content-type': 'application/json' },
        }),
        413,
        'payload_too_large',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify', {
          key: verifier,
          body: 'x'.repeat(300 * 1024),
          headers: { 'content-type': 'text/plain' },
        }),
        413,
        'payload_too_large',
      );
      const body = { ...gw.issueBody('HealthCertificate'), padding: 'y'.repeat(2 * 1024 * 1024) };
      expectProblem(await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body }), 413, 'payload_too_large');
    });

    it('binary body as application/octet-stream → 415 unsupported_media_type', async () => {
      const bin = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0x00, 0xde, 0xad, 0xbe, 0xef]);
      const h = { 'content-type': 'application/octet-stream' };
      expectProblem(
        await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: bin, headers: h }),
        415,
        'unsupported_media_type',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: verifier, body: bin, headers: h }),
        415,
        'unsupported_media_type',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify/batch', { key: verifier, body: bin, headers: h }),
        415,
        'unsupported_media_type',
      );
      expectProblem(
        await gw.api('POST', '/v1/issuers', { key: gw.adminKey, body: bin, headers: h }),
        415,
        'unsupported_media_type',
      );
    });

    it('not JSON but sent as application/json → 400 invalid_json', async () => {
      const h = { 'content-type': 'application/json' };
      for (const body of ['{"type": "HealthCertificate",', 'not json at all', '\u0000\u0001', "{'single': 'quotes'}"]) {
        expectProblem(
          await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body, headers: h }),
          400,
          'invalid_json',
        );
      }
      // Well-formed JSON that is not an object is a schema failure, still a 400.
      expectProblem(
        await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: '[1,2,3]', headers: h }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: verifier, body: '{"credential":', headers: h }),
        400,
        'invalid_json',
      );
    });

    it('text/plain garbage to /v1/verify → 200 report with a format failure', async () => {
      const res = await gw.api<Report>('POST', '/v1/verify', {
        key: verifier,
        body: 'definitely not a credential ✗',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status, res.text).to.equal(200);
      expectFailed(res.body, 'format', 'unrecognised');
    });

    it('a credential as text/plain, bare or as QR text (ANXIN:…, a verifier link) → verified', async () => {
      for (const text of [
        good.credential,
        `ANXIN:${good.credential}`,
        `https://verify.example.cn/verify#${good.credential}`,
        `${goodSd.presentation}\n`,
      ]) {
        const res = await gw.api<Report>('POST', '/v1/verify', {
          key: verifier,
          body: text,
          headers: { 'content-type': 'text/plain' },
        });
        expect(res.status, res.text).to.equal(200);
        expectVerified(res.body);
      }
    });

    it('an invalid subject → 400 validation_failed naming the field; nothing anchored', async () => {
      const h = await gw.height();
      const body = gw.issueBody('HealthCertificate');
      (body.subject as Record<string, unknown>).result = 'maybe';
      const res = await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field).join(' ')).to.include('result');
      expectProblem(
        await gw.api('POST', '/v1/credentials', {
          key: issuer.apiKey,
          body: { ...gw.issueBody('HealthCertificate'), extra: 1 },
        }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: 42 } }),
        400,
        'validation_failed',
      );
      expect(await gw.height()).to.equal(h);
    });
  });

  describe('API keys and scopes', () => {
    it('no key → 401 unauthorized with WWW-Authenticate: Bearer', async () => {
      for (const [method, path, body] of [
        ['POST', '/v1/verify', { credential: good.credential }],
        ['POST', '/v1/credentials', gw.issueBody('HealthCertificate')],
        ['POST', '/v1/issuers', { name: 'x', kind: 'employer', allowedTypes: ['LaborContract'] }],
        ['GET', '/v1/api-keys', undefined],
      ] as const) {
        const res = await gw.api(method, path, body ? { body } : {});
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate')).to.match(/^Bearer\b/);
      }
    });

    it('a malformed, unknown, or non-Bearer key → 401', async () => {
      const body = { credential: good.credential };
      expectProblem(await gw.api('POST', '/v1/verify', { key: 'nonsense', body }), 401, 'unauthorized');
      const forged = verifier.slice(0, -4) + (verifier.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      expectProblem(await gw.api('POST', '/v1/verify', { key: forged, body }), 401, 'unauthorized');
      expectProblem(
        await gw.api('POST', '/v1/verify', {
          body,
          headers: { authorization: `Basic ${Buffer.from(`u:${verifier}`).toString('base64')}` },
        }),
        401,
        'unauthorized',
      );
    });

    it('a verifier key used to issue, revoke or administer → 403 forbidden', async () => {
      expectProblem(await gw.issueRaw(verifier, 'HealthCertificate'), 403, 'forbidden');
      expectProblem(await gw.changeStatus(verifier, good.id, 'revoke', 'fraud'), 403, 'forbidden');
      expectProblem(
        await gw.api('POST', '/v1/issuers', {
          key: verifier,
          body: { name: '某某公司', kind: 'employer', allowedTypes: ['LaborContract'] },
        }),
        403,
        'forbidden',
      );
      expectProblem(
        await gw.api('POST', '/v1/api-keys', {
          key: verifier,
          body: { principal: { type: 'verifier', id: 'me' }, scopes: ['verify'] },
        }),
        403,
        'forbidden',
      );
      // Even with the issue scope, a verifier principal issues nothing.
      const odd = await gw.createApiKey({ type: 'verifier', id: 'odd-one' }, ['verify', 'issue']);
      expectProblem(await gw.issueRaw(odd.apiKey, 'HealthCertificate'), 403, 'forbidden');
    });

    it('an issuer key used to verify → 403 forbidden', async () => {
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: issuer.apiKey, body: { credential: good.credential } }),
        403,
        'forbidden',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify/batch', { key: issuer.apiKey, body: { credentials: [good.credential] } }),
        403,
        'forbidden',
      );
    });

    it('a revoked API key → 401; the admin scope is for admin principals only', async () => {
      const k = await gw.createApiKey({ type: 'verifier', id: 'short-lived' }, ['verify']);
      expect(
        (await gw.api('POST', '/v1/verify', { key: k.apiKey, body: { credential: good.credential } })).status,
      ).to.equal(200);
      const del = await gw.api('DELETE', `/v1/api-keys/${k.id}`, { key: gw.adminKey });
      expect(del.status, del.text).to.equal(204);
      expectProblem(
        await gw.api('POST', '/v1/verify', { key: k.apiKey, body: { credential: good.credential } }),
        401,
        'unauthorized',
      );
      expectProblem(await gw.api('DELETE', '/v1/api-keys/nosuchkey000000', { key: gw.adminKey }), 404, 'not_found');
      const listed = await gw.api('GET', '/v1/api-keys', { key: gw.adminKey });
      expect(listed.status).to.equal(200);
      expect(listed.body.apiKeys.find((x: { id: string }) => x.id === k.id).revokedAt).to.be.a('string');
      expect(listed.text).not.to.include(k.apiKey);
      expect(listed.text).not.to.include('"hash"');
      expectProblem(
        await gw.api('POST', '/v1/api-keys', {
          key: gw.adminKey,
          body: { principal: { type: 'verifier', id: 'sneaky' }, scopes: ['admin'] },
        }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('POST', '/v1/api-keys', {
          key: gw.adminKey,
          body: { principal: { type: 'issuer', id: 'urn:anxin:issuer:nobody' }, scopes: ['issue'] },
        }),
        404,
        'not_found',
      );
    });

    it('a second API key made for an issuer works like the first', async () => {
      const k = await gw.createApiKey({ type: 'issuer', id: issuer.id }, ['issue', 'revoke']);
      const c = await gw.issue(k.apiKey, 'HealthCertificate');
      expect((await gw.api('GET', `/v1/credentials/${c.id}`, { key: issuer.apiKey })).status).to.equal(200);
    });
  });

  describe('batch verification (POST /v1/verify/batch)', () => {
    it('a mixed batch: one report per credential, in order, and a summary that adds up', async () => {
      const forged = good.credential.slice(0, -6) + (good.credential.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      const credentials = [
        good.credential,
        revoked.presentation,
        'garbage',
        goodSd.presentation,
        forged,
        good.credential,
      ];
      const res = await gw.api('POST', '/v1/verify/batch', { key: verifier, body: { credentials } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.summary).to.deep.equal({ total: 6, verified: 3, failed: 3 });
      const results = res.body.results as Report[];
      expect(results).to.have.length(6);
      expectVerified(results[0]!);
      expectFailed(results[1]!, 'status', 'revoked');
      expectFailed(results[2]!, 'format', 'unrecognised');
      expectVerified(results[3]!);
      expectFailed(results[4]!, 'signature', 'bad_signature');
      expectVerified(results[5]!);
      expect(results[0]!.credential!.id).to.equal(good.id);
      expect(results[3]!.credential!.id).to.equal(goodSd.id);
    });

    it('1000 is the most (ok); 1001 or none → 400 validation_failed', async () => {
      const ok = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: [...Array(999).fill('x'), good.credential] },
      });
      expect(ok.status, ok.text.slice(0, 300)).to.equal(200);
      expect(ok.body.summary).to.deep.equal({ total: 1000, verified: 1, failed: 999 });
      const many = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: Array(100).fill(good.credential) },
      });
      expect(many.status, many.text.slice(0, 300)).to.equal(200);
      expect(many.body.summary).to.deep.equal({ total: 100, verified: 100, failed: 0 });
      expectProblem(
        await gw.api('POST', '/v1/verify/batch', { key: verifier, body: { credentials: Array(1001).fill('x') } }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify/batch', { key: verifier, body: { credentials: [] } }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('POST', '/v1/verify/batch', { key: verifier, body: { credential: good.credential } }),
        400,
        'validation_failed',
      );
    });
  });
});
