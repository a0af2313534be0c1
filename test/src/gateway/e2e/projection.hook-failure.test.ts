/**
 * A projection hook that fails holds the projection at that change: a credential is
 * suspended while the store refuses to queue webhook notices (a trigger on the real SQLite
 * file makes every insert fail). The checkpoint stays before the change, the failure is
 * logged and counted (/metrics), the change is retried with backoff; once the store takes
 * notices again the notice is queued exactly once and delivered, and only then does the
 * checkpoint move past the change.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { HookFailure } from '@anxin/gateway/server';
import { TestGateway, type RegisteredIssuer } from '../../helpers/gateway';

async function until<T>(what: string, f: () => T | Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('e2e: a failing projection hook holds the checkpoint until it succeeds', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let verifier: string;
  let server: Server;
  const got: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    gw = await TestGateway.start({ env: { ANXIN_NOTIFY_RETRY_MS: '100' } });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey('hotpot-chunxi');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    expect((await gw.api('PUT', '/v1/webhook', { key: verifier, body: { url } })).status).to.equal(200);
  });
  after(async () => {
    await gw?.stop();
    await new Promise((r) => server.close(r));
  });

  const metric = async (name: string): Promise<number> => {
    const text = (await gw.api('GET', '/metrics')).text;
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };

  it('suspended while notices cannot be queued: held at the change, retried, then queued once and the checkpoint moves on', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    expect((await gw.verify(verifier, cert.credential)).verified).to.equal(true);
    const failures: HookFailure[] = [];
    gw.services.projection.on('hook-failed', (f: HookFailure) => failures.push(f));

    const db = new Database(join(gw.dataDir, 'store.sqlite'));
    try {
      db.exec(
        `CREATE TRIGGER refuse_notices BEFORE INSERT ON notifications BEGIN SELECT RAISE(ABORT, 'notices refused'); END`,
      );
      const res = await gw.changeStatus(cdc.apiKey, cert.id, 'suspend', 're_examination_pending');
      // The change is committed: the answer says so, whatever a hook does.
      expect(res.status, res.text).to.equal(200);
      const block = res.body.anchor.block as number;

      // The follower fails on it again and again, with backoff, and stays there.
      await until('three failed attempts by the follower', () => failures.filter((f) => f.attempt > 0).length >= 3);
      expect(failures.every((f) => f.at.txId === res.body.anchor.txId)).to.equal(true);
      const held = (await gw.services.store.getCheckpoint('projection'))!;
      expect(held.block, 'the checkpoint is not past the change').to.equal(block);
      expect(gw.services.projection.stalled).to.deep.include({ at: failures[0]!.at });
      expect(await metric('anxin_projection_stalled')).to.equal(1);
      expect(await metric('anxin_projection_hook_failures_total')).to.be.at.least(4);
      expect(await gw.services.store.listNotifications('hotpot-chunxi', 10)).to.deep.equal([]);
      // Backoff: the attempts are spaced out, not a busy loop.
      expect(failures.filter((f) => f.attempt > 0).length).to.be.below(10);

      // The store takes notices again: the next attempt goes through.
      db.exec('DROP TRIGGER refuse_notices');
    } finally {
      db.close();
    }
    await until('the notice', () => got.length >= 1);
    await until('the checkpoint past the change', async () => {
      const cp = await gw.services.store.getCheckpoint('projection');
      return cp && cp.block > (failures[0]!.at.block as number);
    });
    const queued = await gw.services.store.listNotifications('hotpot-chunxi', 10);
    expect(queued.map((n) => n.credentialId)).to.deep.equal([cert.id]);
    await until(
      'delivered',
      async () => (await gw.services.store.listNotifications('hotpot-chunxi', 1))[0]!.state === 'delivered',
    );
    expect(gw.services.projection.stalled).to.equal(undefined);
    expect(await metric('anxin_projection_stalled')).to.equal(0);
    // Given time for any duplicate to arrive: none.
    await new Promise((r) => setTimeout(r, 500));
    expect(got).to.have.length(1);
    const payload = JSON.parse(Buffer.from(got[0]!.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload).to.deep.include({ credentialId: cert.id, status: 'suspended' });
  });

  it('and it keeps following the ledger afterwards: the next change is told as usual', async () => {
    const cert = await gw.issue(cdc.apiKey, 'HealthCertificate');
    await gw.verify(verifier, cert.credential);
    const before = got.length;
    expect((await gw.changeStatus(cdc.apiKey, cert.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    await until('the revocation notice', () => got.length > before);
    const info = (await gw.api('GET', '/v1/ledger/info')).body;
    await until('caught up', async () => (await gw.api('GET', '/v1/ledger/info')).body.projectedTo === info.height);
  });
});
