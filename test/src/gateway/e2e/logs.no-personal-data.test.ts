/**
 * The gateway's logs never carry personal data or secrets: a gateway started with a
 * pino logger (level trace, no redaction) writing into memory runs issuance,
 * verification, status changes, errors and a restart; the log text then holds no holder
 * name, no ID number, no API key, no credential.
 */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import pino from 'pino';
import {
  CREDENTIAL_TYPES,
  FORMATS,
  TestGateway,
  exampleHolder,
  presentWith,
  type Issued,
  type RegisteredIssuer,
} from '../../helpers/gateway';

class Memory extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('e2e: logs carry no personal data and no secrets', function () {
  const sink = new Memory();
  // Everything the gateway logs, at every level, with no redaction to hide behind.
  const logger = pino({ level: 'trace', base: { service: 'anxin-gateway' } }, sink);
  let gw: TestGateway;
  const secrets: string[] = [];
  const personal: string[] = [];
  const issued: Issued[] = [];
  let issuers: RegisteredIssuer[] = [];

  before(async () => {
    gw = await TestGateway.start({ logger });
    secrets.push(gw.adminKey);
    const verifier = await gw.verifierKey();
    secrets.push(verifier);
    issuers = [];
    for (const t of CREDENTIAL_TYPES) issuers.push(await gw.registerIssuer({ allowedTypes: [t] }));
    for (const i of issuers) secrets.push(i.apiKey);

    // Issue every type in both formats, for three different people.
    let n = 0;
    for (const [k, t] of CREDENTIAL_TYPES.entries()) {
      for (const format of FORMATS) {
        const holder = exampleHolder(n++);
        issued.push(await gw.issue(issuers[k]!.apiKey, t, { format, holder }));
      }
    }
    for (let i = 0; i < 3; i++) personal.push(exampleHolder(i).name, exampleHolder(i).idNumber);

    // Verify: whole, as text/plain, as a partial SD-JWT presentation, in a batch, forged.
    for (const c of issued) {
      await gw.verify(verifier, c.credential);
      await gw.api('POST', '/v1/verify', {
        key: verifier,
        body: `ANXIN:${c.credential}`,
        headers: { 'content-type': 'text/plain' },
      });
      if (c.format === 'dc+sd-jwt')
        await gw.verify(
          verifier,
          presentWith(c.credential, (d) => d.name !== 'idNumber'),
        );
    }
    await gw.api('POST', '/v1/verify/batch', { key: verifier, body: { credentials: issued.map((c) => c.credential) } });
    await gw.verify(verifier, issued[0]!.credential.slice(0, -5) + 'AAAAA');

    // Status changes, and reads of the records.
    await gw.changeStatus(issuers[0]!.apiKey, issued[0]!.id, 'suspend', 'investigation');
    await gw.changeStatus(issuers[0]!.apiKey, issued[0]!.id, 'reinstate', 'investigation_closed');
    await gw.changeStatus(issuers[0]!.apiKey, issued[0]!.id, 'revoke', 'contract_terminated');
    for (const [k, c] of issued.entries())
      await gw.api('GET', `/v1/credentials/${c.id}`, { key: issuers[Math.floor(k / 2)]!.apiKey });

    // Errors with personal data in the body, the URL, the headers.
    const h = exampleHolder(1);
    const bad = gw.issueBody('HealthCertificate', { holder: h });
    (bad.subject as Record<string, unknown>).result = h.idNumber;
    await gw.api('POST', '/v1/credentials', { key: issuers[1]!.apiKey, body: bad });
    await gw.api('POST', '/v1/credentials', {
      key: issuers[1]!.apiKey,
      body: { ...gw.issueBody('HealthCertificate', { holder: h }), holder: { name: h.name, idNumber: 'not-an-id' } },
    });
    await gw.api('POST', '/v1/credentials', {
      key: issuers[1]!.apiKey,
      body: `{"holder":{"name":"${h.name}","idNumber":"${h.idNumber}"`,
      headers: { 'content-type': 'application/json' },
    });
    await gw.api('POST', '/v1/credentials', {
      key: issuers[0]!.apiKey,
      body: gw.issueBody('HealthCertificate', { holder: h }),
    }); // type not allowed
    await gw.api('POST', '/v1/verify', { key: issuers[0]!.apiKey, body: { credential: issued[1]!.credential } }); // wrong scope
    await gw.api('POST', '/v1/verify', { key: `${verifier}x`, body: { credential: issued[1]!.credential } }); // unknown key
    await gw.api('POST', '/v1/verify', { key: verifier, body: { credential: `${h.name} ${h.idNumber}` } });
    await gw.api('GET', `/v1/credentials/${h.idNumber}/status`);
    await gw.api('GET', `/v1/issuers/${encodeURIComponent(h.name)}`);
    await gw.api('GET', `/v1/nowhere/${h.idNumber}?name=${encodeURIComponent(h.name)}`);
    await gw.api('POST', '/v1/verify', {
      key: verifier,
      body: h.idNumber.repeat(20_000),
      headers: { 'content-type': 'text/plain' },
    });
    await gw.api('GET', '/healthz', { headers: { 'x-api-key': verifier, cookie: `session=${verifier}` } });

    // A restart, and more of the same after it.
    await gw.restart({ logger });
    await gw.verify(verifier, issued[2]!.credential);
    await gw.issue(issuers[2]!.apiKey, 'SkillCertificate', { holder: exampleHolder(2) });
    await gw.running.close();
    logger.flush?.();
  });
  after(async () => gw?.stop());

  it('something was logged (requests with their ids and status)', () => {
    expect(sink.chunks.length).to.be.greaterThan(40);
    const lines = sink.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => typeof l.status === 'number' && typeof l.route === 'string');
    expect(requests.length).to.be.greaterThan(40);
    expect(requests.some((l) => l.status === 401)).to.equal(true);
    expect(requests.every((l) => typeof l.reqId === 'string')).to.equal(true);
  });

  it('no holder name, no ID number (nor its distinctive parts)', () => {
    const text = sink.text;
    for (const p of personal) {
      expect(text, p).not.to.include(p);
      expect(text).not.to.include(JSON.stringify(p).slice(1, -1)); // \u-escaped form
    }
    for (let i = 0; i < 3; i++) {
      const id = exampleHolder(i).idNumber;
      expect(text, `birth-date part of ${id}`).not.to.include(id.slice(6, 14) + id.slice(14));
    }
  });

  it('no API key (admin, issuer, verifier) — not even their secrets', () => {
    const text = sink.text;
    for (const s of secrets) {
      expect(text).not.to.include(s);
      const secret = /^anx_[a-z0-9]{16}_([A-Za-z0-9_-]{43})$/.exec(s)?.[1];
      expect(secret, 'an API key of the documented form').to.be.a('string');
      expect(text).not.to.include(secret!);
    }
  });

  it('no credential: no JWS, no SD-JWT part, no disclosure, no signature', () => {
    const text = sink.text;
    for (const c of issued) {
      expect(text).not.to.include(c.credential.split('~')[0]!);
      const [h, p, sig] = c.credential.split('~')[0]!.split('.');
      expect(text).not.to.include(p!.slice(0, 40));
      expect(text).not.to.include(sig!);
      expect(h).to.be.a('string');
      for (const d of c.credential.split('~').slice(1).filter(Boolean)) expect(text).not.to.include(d);
    }
  });
});

describe('e2e: logs and metrics of requests refused before routing', function () {
  const sink = new Memory();
  const logger = pino({ level: 'trace' }, sink);
  let gw: TestGateway;

  before(async () => {
    gw = await TestGateway.start({ logger, env: { ANXIN_RATE_LIMIT: '3' } });
  });
  after(async () => gw?.stop());

  // Requests that fail in app-level middleware (body parsing, body limit, rate limit) have
  // no matched route, and the gateway then logs (and labels metrics with) the raw path.
  it('log the route pattern or "unmatched", never the raw path', async () => {
    const h = exampleHolder(1);
    const json = { 'content-type': 'application/json' };
    const issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    const path = `/v1/credentials/${h.idNumber}/revoke`;
    expect((await gw.api('POST', path, { key: issuer.apiKey, body: '{"reason":', headers: json })).status).to.equal(
      400,
    );
    expect(
      (await gw.api('POST', path, { key: issuer.apiKey, body: `{"x":"${'y'.repeat(300_000)}"}`, headers: json }))
        .status,
    ).to.equal(413);
    for (let i = 0; i < 4; i++) await gw.api('GET', `/v1/credentials/${h.idNumber}/status`, { key: issuer.apiKey });
    const metrics = await gw.api('GET', '/metrics');
    await gw.running.close();
    expect(sink.text).not.to.include(h.idNumber);
    expect(metrics.text).not.to.include(h.idNumber);
  });
});
