/**
 * Two gateways sharing one store send each webhook notice once: two notifiers, each on its
 * own handle of the same SQLite file (as two gateway processes would be), deliver the same
 * outbox at the same time to a real HTTP receiver; every notice arrives exactly once and is
 * recorded delivered. A receiver that fails is retried by whichever gateway comes next.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SqliteStore } from '@anxin/gateway/store/sqlite';
import type { NotificationRecord } from '@anxin/gateway/store';
import { type Services, Notifier, type TrustList } from '@anxin/gateway/server';
import { tempDir } from '../helpers/tmp';

describe('webhook notices: two gateways on one store send each notice once', function () {
  this.timeout(30_000);
  let a: SqliteStore;
  let b: SqliteStore;
  let server: Server;
  let url = '';
  const received: string[] = [];
  /** Notice ids answered 500 the first time. */
  const failOnce = new Set<string>();

  before(async () => {
    const file = join(tempDir('notify-shared'), 'store.sqlite');
    a = new SqliteStore(file);
    b = new SqliteStore(file);
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = req.headers['x-anxin-notification'] as string;
        // A little latency, so that the two notifiers' rounds overlap.
        setTimeout(() => {
          if (failOnce.delete(id)) {
            res.writeHead(500).end();
            return;
          }
          received.push(id);
          res.writeHead(204).end();
        }, 5);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await a.close();
    await b.close();
  });

  const notifier = (store: SqliteStore, now: () => Date) =>
    new Notifier({ store, now } as unknown as Services, {} as TrustList, {
      retryBaseMs: 10,
      maxAttempts: 5,
      concurrency: 4,
      timeoutMs: 5_000,
    });

  const notice = (i: number, at: Date): NotificationRecord => ({
    id: `shared-${i}`,
    verifier: `restaurant-${i % 7}`,
    url,
    credentialId: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    body: 'e30.e30.sig',
    state: 'pending',
    attempts: 0,
    nextAttemptAt: at.toISOString(),
    createdAt: at.toISOString(),
  });

  it('60 notices, both notifiers delivering at once (twice over): each received once, each recorded delivered once', async () => {
    const now = new Date();
    const notes = Array.from({ length: 60 }, (_, i) => notice(i, now));
    expect(await a.enqueueNotifications(notes)).to.equal(60);
    const clock = () => new Date();
    const [na, nb] = [notifier(a, clock), notifier(b, clock)];
    await Promise.all([na.deliverDue(), nb.deliverDue(), na.deliverDue(), nb.deliverDue()]);
    expect(received.length, 'no notice sent twice').to.equal(new Set(received).size);
    expect([...received].sort()).to.deep.equal(notes.map((n) => n.id).sort());
    for (const store of [a, b]) {
      const all = (await Promise.all([0, 1, 2, 3, 4, 5, 6].map((v) => store.listNotifications(`restaurant-${v}`, 100))))
        .flat()
        .filter((n) => n.id.startsWith('shared-'));
      expect(all).to.have.length(60);
      for (const n of all) expect(n, n.id).to.deep.include({ state: 'delivered', attempts: 1 });
    }
  });

  it('a failed attempt by one gateway is retried by the other, and still delivered once', async () => {
    received.length = 0;
    const now = new Date();
    const n = { ...notice(100, now), id: 'shared-retry', verifier: 'restaurant-retry' };
    await a.enqueueNotifications([n]);
    failOnce.add(n.id);
    await notifier(a, () => new Date()).deliverDue();
    const [afterA] = await b.listNotifications('restaurant-retry', 1);
    expect(afterA).to.deep.include({ state: 'pending', attempts: 1, lastError: 'HTTP 500' });
    // The retry is due 10 ms later; the other gateway takes it.
    await new Promise((r) => setTimeout(r, 20));
    await notifier(b, () => new Date()).deliverDue();
    const [afterB] = await a.listNotifications('restaurant-retry', 1);
    expect(afterB).to.deep.include({ state: 'delivered', attempts: 2 });
    expect(received).to.deep.equal([n.id]);
  });
});
