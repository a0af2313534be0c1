/**
 * Input the gateway cannot read is the client's mistake, answered with a 400 (or 415)
 * problem with a stable code, never a 500: a gzip, deflate or br body that does not inflate,
 * a charset JSON may not have, bytes that are not UTF-8 (never decoded to U+FFFD and stored),
 * and a path whose `%` escapes do not decode. Both the JSON lane (a Content-Length body) and
 * express (a chunked one) are asked.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, expectProblem, type ApiResponse, type RegisteredIssuer } from '../../helpers/gateway';

/** A POST whose body is sent chunked (no Content-Length), so express, not the JSON lane, reads it. */
function chunked(gw: TestGateway, path: string, key: string, body: Buffer, headers: Record<string, string>) {
  return new Promise<ApiResponse>((resolve, reject) => {
    const req = request(
      `${gw.url}${path}`,
      { method: 'POST', headers: { authorization: `Bearer ${key}`, 'transfer-encoding': 'chunked', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          const contentType = res.headers['content-type'] ?? '';
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(res.headers as Record<string, string>),
            body: /json/.test(contentType) ? JSON.parse(text) : text,
            text,
            contentType,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, 3));
    req.end(body.subarray(3));
  });
}

/** `before` + bytes that are not UTF-8 + `after`. */
const notUtf8 = (before: string, after: string) =>
  Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(after)]);

describe('e2e: unreadable bodies and paths → 4xx problems', function () {
  let gw: TestGateway;
  let verifier: string;
  let issuer: RegisteredIssuer;
  const json = { 'content-type': 'application/json' };

  before(async () => {
    gw = await TestGateway.start();
    verifier = await gw.verifierKey();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  describe('a Content-Encoding that does not inflate → 400 malformed_body', () => {
    const cases: Array<[string, Buffer]> = [
      ['gzip', Buffer.from('this was never gzipped')],
      ['gzip', gzipSync(JSON.stringify({ credential: 'x'.repeat(200) })).subarray(0, 20)],
      ['deflate', Buffer.from('this was never deflated')],
      ['br', Buffer.from('this was never brotli-compressed, not at all')],
    ];
    for (const [encoding, bytes] of cases) {
      it(`${encoding} (${bytes.length} bytes): verify as JSON and as text, an issuance, a registration`, async () => {
        const h = await gw.height();
        const headers = { 'content-encoding': encoding };
        for (const [path, key, type] of [
          ['/v1/verify', verifier, 'application/json'],
          ['/v1/verify', verifier, 'text/plain'],
          ['/v1/verify/batch', verifier, 'application/json'],
          ['/v1/credentials', issuer.apiKey, 'application/json'],
          ['/v1/issuers', gw.adminKey, 'application/json'],
        ] as const) {
          const res = await gw.api('POST', path, { key, body: bytes, headers: { ...headers, 'content-type': type } });
          expectProblem(res, 400, 'malformed_body');
        }
        expect(await gw.height()).to.equal(h);
      });
    }

    it('a well-formed gzip body still works', async () => {
      const res = await gw.api('POST', '/v1/verify', {
        key: verifier,
        body: gzipSync(JSON.stringify({ credential: 'not-a-credential' })),
        headers: { ...json, 'content-encoding': 'gzip' },
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.checks.format).to.equal('fail');
    });
  });

  describe('charsets', () => {
    it('JSON in a charset other than UTF-8 (utf-7, utf-16le) → 415 unsupported_media_type', async () => {
      for (const [charset, bytes] of [
        ['utf-7', Buffer.from('{"credential":"x"}')],
        ['utf-16le', Buffer.from('{"credential":"x"}', 'utf16le')],
        ['latin1', Buffer.from('{"credential":"x"}')],
      ] as const) {
        const res = await gw.api('POST', '/v1/verify', {
          key: verifier,
          body: bytes,
          headers: { 'content-type': `application/json; charset=${charset}` },
        });
        expectProblem(res, 415, 'unsupported_media_type');
      }
    });
  });

  describe('bytes that are not UTF-8 → 400 malformed_body, nothing stored', () => {
    it('a registration whose name is not UTF-8: no issuer registered, the ledger unchanged', async () => {
      const h = await gw.height();
      const before = (await gw.api('GET', '/v1/issuers')).body.issuers.length;
      const body = notUtf8('{"name":"成都', '卫生院","kind":"employer","allowedTypes":["LaborContract"]}');
      expectProblem(
        await gw.api('POST', '/v1/issuers', { key: gw.adminKey, body, headers: json }),
        400,
        'malformed_body',
      );
      expectProblem(await chunked(gw, '/v1/issuers', gw.adminKey, body, json), 400, 'malformed_body');
      expect((await gw.api('GET', '/v1/issuers')).body.issuers.length).to.equal(before);
      expect(await gw.height()).to.equal(h);
    });

    it('an issuance whose holder name is not UTF-8, on the JSON lane and through express: nothing anchored', async () => {
      const h = await gw.height();
      const text = JSON.stringify({
        ...gw.issueBody('HealthCertificate'),
        holder: { name: 'SPLIT', idNumber: '510107199003078817' },
      });
      const [head, tail] = text.split('SPLIT') as [string, string];
      const body = notUtf8(`${head}张`, tail);
      expectProblem(
        await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body, headers: json }),
        400,
        'malformed_body',
      );
      expectProblem(await chunked(gw, '/v1/credentials', issuer.apiKey, body, json), 400, 'malformed_body');
      expect(await gw.height()).to.equal(h);
    });

    it('a verification request that is not UTF-8, as JSON (both paths) or as UTF-8 text', async () => {
      const body = notUtf8('{"credential":"', '"}');
      expectProblem(await gw.api('POST', '/v1/verify', { key: verifier, body, headers: json }), 400, 'malformed_body');
      expectProblem(await chunked(gw, '/v1/verify', verifier, body, json), 400, 'malformed_body');
      expectProblem(
        await gw.api('POST', '/v1/verify', {
          key: verifier,
          body: notUtf8('ANXIN:', 'x'),
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
        400,
        'malformed_body',
      );
    });
  });

  describe('a path whose % escapes do not decode → 400 malformed_path', () => {
    for (const [path, key] of [
      ['/v1/credentials/%E0%A4%A', 'issuer'],
      ['/v1/credentials/%E0%A4%A/status', undefined],
      ['/v1/issuers/%', undefined],
      ['/v1/issuers/%zz/keys', 'admin'],
      ['/verify/%', undefined],
      ['/no-such-route/%C0%AF', undefined],
    ] as const) {
      it(`GET ${path}`, async () => {
        const k = key === 'issuer' ? issuer.apiKey : key === 'admin' ? gw.adminKey : undefined;
        const res = await gw.api(path.endsWith('/keys') ? 'POST' : 'GET', path, { key: k });
        expectProblem(res, 400, 'malformed_path');
      });
    }

    it('a well-formed escape still reaches its route (404 for an unknown issuer)', async () => {
      expectProblem(await gw.api('GET', '/v1/issuers/urn%3Aanxin%3Aissuer%3Anobody'), 404, 'not_found');
    });
  });
});
