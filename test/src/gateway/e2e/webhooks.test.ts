/**
 * Telling verifiers (the county health centre scenario): a certificate is suspended, and
 * every employer who checked it recently and set a webhook receives a JWS signed by the
 * gateway key, checked here against /.well-known/jwks.json. Employers without a webhook get
 * nothing; a failing receiver is retried with backoff until it answers, or given up after
 * the configured attempts; the same change is delivered once per employer; a restart loses
 * nothing queued; webhook URLs are validated.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { after, before, describe, it } from 'mocha';
import { TestGateway, describeOnLedgers, type RegisteredIssuer } from '../../helpers/gateway';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver: records every POST; `fail[path]` requests to a path are answered 500 first. */
class Receiver {
  readonly got: Received[] = [];
  readonly fail = new Map<string, number>();
  private server!: Server;
  url = '';

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const left = this.fail.get(req.url!) ?? 0;
        if (left > 0) {
          this.fail.set(req.url!, left - 1);
          res.writeHead(500).end();
          return;
        }
        this.got.push({ path: req.url!, headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  to(path: string): Received[] {
    return this.got.filter((g) => g.path === path);
  }
}

async function until<T>(what: string, f: () => T | Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeOnLedgers('e2e: webhooks tell recent verifiers of a status change', function (ledger) {
  this.timeout(Math.max(this.timeout(), 60_000));
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  const rx = new Receiver();
  const keys: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

  const setHook = (key: string, url: string) => gw.api('PUT', '/v1/webhook', { key, body: { url } });

  before(async () => {
    await rx.start();
    gw = await TestGateway.start({ ledger, env: { ANXIN_NOTIFY_RETRY_MS: '100', ANXIN_NOTIFY_ATTEMPTS: '3' } });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    for (const k of ['a', 'b', 'c', 'd'] as const) keys[k] = await gw.verifierKey(`restaurant-${k}`);
    for (const k of ['a', 'c', 'd'] as const) expect((await setHook(keys[k], `${rx.url}/${k}`)).status).to.equal(200);
  });
  after(async () => {
    await gw?.stop();
    await rx.stop();
  });

  it('suspended: a signed notice to each recent verifier with a webhook, once; none to one without', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    const unrelated = await gw.issue(cdc.apiKey, 'HealthCertificate');
    for (const k of ['a', 'b'] as const) expect((await gw.verify(keys[k], cert.credential)).verified).to.equal(true);
    await gw.verify(keys.c, unrelated.credential);
    const res = await gw.changeStatus(cdc.apiKey, cert.id, 'suspend', 're_examination_pending');
    expect(res.status).to.equal(200);
    // Queued before the answer came back (the projection awaits it before moving on).
    const queued = (await gw.api('GET', '/v1/webhook', { key: keys.a })).body.recent;
    expect(queued.map((n: { credentialId: string }) => n.credentialId)).to.include(cert.id);

    const notice = await until('the notice to a', () => rx.to('/a')[0]);
    expect(notice!.headers['content-type']).to.equal('application/jwt');
    expect(decodeProtectedHeader(notice!.body).typ).to.equal('anxin-status+jwt');
    const jwks = createLocalJWKSet((await gw.api('GET', '/.well-known/jwks.json')).body);
    const { payload } = await compactVerify(notice!.body, jwks);
    const p = JSON.parse(Buffer.from(payload).toString('utf8'));
    expect(p).to.deep.include({
      credentialId: cert.id,
      type: 'HealthCertificate',
      status: 'suspended',
      statusReason: 're_examination_pending',
      aud: 'restaurant-a',
      ledger: { block: res.body.anchor.block, txId: res.body.anchor.txId },
    });
    expect(p.statusUrl).to.equal(`${gw.services.publicUrl}/v1/credentials/${encodeURIComponent(cert.id)}/status`);
    expect(notice!.headers['x-anxin-notification']).to.equal(p.jti);

    // Give any duplicate (the projection also sees the block) time to arrive: there is none.
    await new Promise((r) => setTimeout(r, 500));
    expect(rx.to('/a')).to.have.length(1);
    expect(rx.to('/c'), 'c checked another credential').to.have.length(0);
    expect(rx.to('/d'), 'd never checked it').to.have.length(0);
    expect(res.body.recentVerifiers.map((v: { verifier: string }) => v.verifier).sort()).to.deep.equal([
      'restaurant-a',
      'restaurant-b',
    ]);
  });

  it('a failing receiver is retried with backoff until it answers; GET /v1/webhook shows the delivery', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(keys.c, cert.credential);
    rx.fail.set('/c', 2);
    expect((await gw.changeStatus(cdc.apiKey, cert.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    await until('the notice to c', () => rx.to('/c').some((g) => g.body.length > 0));
    const view = await until('c delivered', async () => {
      const v = (await gw.api('GET', '/v1/webhook', { key: keys.c })).body;
      return (
        v.recent.find(
          (n: { credentialId: string; state: string }) => n.credentialId === cert.id && n.state === 'delivered',
        ) && v
      );
    });
    const n = view.recent.find((x: { credentialId: string }) => x.credentialId === cert.id);
    expect(n.attempts).to.equal(3);
    expect(n.deliveredAt).to.be.a('string');
    expect(view.webhook).to.deep.include({ verifier: 'restaurant-c', url: `${rx.url}/c` });
  });

  it('a receiver that never answers 2xx is given up after the configured attempts, with its last error', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(keys.d, cert.credential);
    rx.fail.set('/d', 1_000);
    expect((await gw.changeStatus(cdc.apiKey, cert.id, 'suspend', 're_examination_pending')).status).to.equal(200);
    const n = await until('d given up', async () =>
      (await gw.api('GET', '/v1/webhook', { key: keys.d })).body.recent.find(
        (x: { credentialId: string; state: string }) => x.credentialId === cert.id && x.state === 'failed',
      ),
    );
    expect(n).to.deep.include({ attempts: 3, lastError: 'HTTP 500' });
    expect(rx.to('/d')).to.have.length(0);
    rx.fail.delete('/d');
    // Counted: each failed attempt, the last one as given up; the outbox by state.
    const text = (await gw.api('GET', '/metrics')).text;
    const sample = (s: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${s} `))
          ?.slice(s.length + 1),
      );
    expect(sample('anxin_webhook_delivery_failures_total{outcome="given_up"}')).to.be.at.least(1);
    // c failed twice before it answered, d twice before its last attempt.
    expect(sample('anxin_webhook_delivery_failures_total{outcome="retrying"}')).to.be.at.least(4);
    expect(sample('anxin_webhook_outbox{state="failed"}')).to.be.at.least(1);
    expect(sample('anxin_webhook_outbox{state="delivered"}')).to.be.at.least(2);
    expect(Number.isNaN(sample('anxin_webhook_outbox{state="pending"}'))).to.equal(false);
  });

  it('reinstated: told too; a notice waiting for its retry survives a restart and is delivered after it', async () => {
    // Retries 2 s apart: the gateway is stopped and started well within that.
    await gw.restart({ env: { ANXIN_NOTIFY_RETRY_MS: '2000' } });
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(keys.a, cert.credential);
    await gw.changeStatus(cdc.apiKey, cert.id, 'suspend', 're_examination_pending');
    await until('the suspension notice', () => rx.to('/a').some((g) => decodes(g.body, cert.id, 'suspended')));
    rx.fail.set('/a', 1);
    expect((await gw.changeStatus(cdc.apiKey, cert.id, 'reinstate', 're_examination_passed')).status).to.equal(200);
    const waiting = await until('a failed first attempt', async () =>
      (await gw.api('GET', '/v1/webhook', { key: keys.a })).body.recent.find(
        // The suspension's notice went through at its first attempt; this is the reinstatement's.
        (x: { credentialId: string; attempts: number; state: string; lastError?: string }) =>
          x.credentialId === cert.id && x.attempts === 1 && x.state === 'pending' && x.lastError !== undefined,
      ),
    );
    expect(waiting.lastError).to.equal('HTTP 500');
    await gw.restart({ env: { ANXIN_NOTIFY_RETRY_MS: '100' } });
    const after = (await gw.api('GET', '/v1/webhook', { key: keys.a })).body.recent.find(
      (x: { id: string }) => x.id === waiting.id,
    );
    expect(after, 'still queued after the restart').to.deep.include({ state: 'pending', attempts: 1 });
    await until('the reinstatement notice after the restart', () =>
      rx.to('/a').some((g) => decodes(g.body, cert.id, 'active')),
    );
    const notice = rx.to('/a').find((g) => decodes(g.body, cert.id, 'active'))!;
    expect(JSON.parse(Buffer.from(notice.body.split('.')[1]!, 'base64url').toString('utf8')).statusReason).to.equal(
      're_examination_passed',
    );
  });

  it('a crash after the ledger committed a change but before its notices were queued: queued at the next start', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(keys.a, cert.credential);
    const res = await gw.changeStatus(cdc.apiKey, cert.id, 'revoke', 're_examination_failed');
    const first = await until('the revocation notice', () =>
      rx.to('/a').find((g) => decodes(g.body, cert.id, 'revoked')),
    );
    // What the store looks like after such a crash: the projection's checkpoint before the change, no notice.
    await gw.running.close();
    const db = new Database(join(gw.dataDir, 'store.sqlite'));
    db.prepare(`UPDATE checkpoints SET block = ?, tx_index = 0 WHERE name = 'projection'`).run(res.body.anchor.block);
    expect(db.prepare('DELETE FROM notifications WHERE credential_id = ?').run(cert.id).changes).to.equal(1);
    db.close();
    await gw.restart();
    const again = await until(
      'the notice queued again',
      () => rx.to('/a').filter((g) => decodes(g.body, cert.id, 'revoked'))[1],
    );
    // The same notice (same id): receivers de-duplicate on it.
    expect(again.headers['x-anxin-notification']).to.equal(first!.headers['x-anxin-notification']);
  });

  describe('PUT /v1/webhook validates the URL; DELETE stops notices', () => {
    for (const [url, why] of [
      ['http://hr.example.cn/hook', /must be https/],
      ['ftp://hr.example.cn/hook', /must be https/],
      ['https://user:pw@hr.example.cn/hook', /user name or password/],
      ['https://hr.example.cn/hook#x', /fragment/],
      ['not a url at all', /format|url/i],
      ['https://169.254.169.254/latest/meta-data', /private, link-local or reserved/],
      ['https://10.0.0.8/hook', /private, link-local or reserved/],
      ['https://192.168.1.20:8443/hook', /private, link-local or reserved/],
      ['https://[fd00::1]/hook', /private, link-local or reserved/],
      ['https://[::ffff:172.16.0.1]/hook', /private, link-local or reserved/],
      ['https://[::127.0.0.1]/hook', /private, link-local or reserved/],
      ['https://[::a9fe:a9fe]/latest/meta-data', /private, link-local or reserved/],
      ['https://[64:ff9b::a9fe:a9fe]/latest/meta-data', /private, link-local or reserved/],
      ['https://[2002:a9fe:a9fe::1]/hook', /private, link-local or reserved/],
      ['https://198.18.0.1/hook', /private, link-local or reserved/],
      ['https://192.0.2.1/hook', /private, link-local or reserved/],
      ['https://192.0.0.170/hook', /private, link-local or reserved/],
    ] as const) {
      it(`${url} → 400`, async () => {
        const res = await setHook(keys.b, url);
        expect(res.status).to.equal(400);
        expect(res.body.code).to.equal('validation_failed');
        expect(res.body.detail).to.match(why);
      });
    }

    it('https to a public address or name → 200, and it replaces the one before', async () => {
      for (const url of ['https://93.184.215.14:8443/hook', 'https://hr.hotpot-chunxi.example.cn/anxin']) {
        const res = await setHook(keys.b, url);
        expect(res.status, res.text).to.equal(200);
        expect((await gw.api('GET', '/v1/webhook', { key: keys.b })).body.webhook.url).to.equal(url);
      }
      expect((await gw.api('DELETE', '/v1/webhook', { key: keys.b })).status).to.equal(204);
    });

    it('extra fields or no body → 400; a key with neither scope verify nor issue → 403', async () => {
      expect(
        (await gw.api('PUT', '/v1/webhook', { key: keys.b, body: { url: 'https://a.example/x', secret: 1 } })).status,
      ).to.equal(400);
      expect((await gw.api('PUT', '/v1/webhook', { key: keys.b })).status).to.equal(400);
      const revokeOnly = await gw.createApiKey({ type: 'issuer', id: cdc.id }, ['revoke']);
      expect((await setHook(revokeOnly.apiKey, 'https://a.example/x')).status).to.equal(403);
    });

    it('GET without a webhook: null; DELETE: 204, then 404; no notice after it', async () => {
      expect((await gw.api('GET', '/v1/webhook', { key: keys.b })).body.webhook).to.equal(null);
      expect((await setHook(keys.b, `${rx.url}/b`)).status).to.equal(200);
      expect((await gw.api('DELETE', '/v1/webhook', { key: keys.b })).status).to.equal(204);
      expect((await gw.api('DELETE', '/v1/webhook', { key: keys.b })).status).to.equal(404);
      const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
      await gw.verify(keys.b, cert.credential);
      await gw.changeStatus(cdc.apiKey, cert.id, 'revoke', 're_examination_failed');
      await new Promise((r) => setTimeout(r, 500));
      expect(rx.to('/b')).to.have.length(0);
    });
  });
});

function decodes(jws: string, credentialId: string, status: string): boolean {
  try {
    const p = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'));
    return p.credentialId === credentialId && p.status === status;
  } catch {
    return false;
  }
}
