/**
 * Webhook delivery refuses a host name that resolves to a private, link-local or reserved
 * address (checked at each delivery; a name can point anywhere after it was set). Name
 * resolution is given to the notifier here, so that a public name can be made to resolve
 * to 10.1.2.3; the store is a real (in-memory SQLite) one.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SqliteStore } from '@anxin/gateway/dist/adapters/store/sqlite';
import type { NotificationRecord } from '@anxin/gateway/dist/ports/store';
import type { Services } from '@anxin/gateway/dist/services/context';
import { Notifier } from '@anxin/gateway/dist/services/notify';
import type { TrustList } from '@anxin/gateway/dist/services/trust-list';

const NOW = new Date('2026-11-25T08:00:00.000Z');

describe('webhook delivery: where a host name resolves', () => {
  let store: SqliteStore;
  before(() => {
    store = new SqliteStore(':memory:');
  });
  after(() => store.close());

  const notice = (id: string, url: string): NotificationRecord => ({
    id,
    verifier: 'restaurant',
    url,
    credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    body: 'e30.e30.sig',
    state: 'pending',
    attempts: 0,
    nextAttemptAt: NOW.toISOString(),
    createdAt: NOW.toISOString(),
  });

  async function deliverWith(addresses: Record<string, string[]>): Promise<NotificationRecord[]> {
    const asked: string[] = [];
    const n = new Notifier({ store, now: () => NOW } as unknown as Services, {} as TrustList, {
      retryBaseMs: 1_000,
      maxAttempts: 3,
      timeoutMs: 2_000,
      lookup: async (host) => {
        asked.push(host);
        const a = addresses[host];
        if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        return a;
      },
    });
    await n.deliverDue();
    return store.listNotifications('restaurant', 10);
  }

  it('a name resolving to a private address: not posted, the attempt fails naming the address', async () => {
    await store.enqueueNotifications([notice('n-private', 'https://hooks.hotpot.example/anxin')]);
    const [n] = await deliverWith({ 'hooks.hotpot.example': ['203.0.113.7', '10.1.2.3'] });
    expect(n).to.deep.include({ id: 'n-private', state: 'pending', attempts: 1 });
    expect(n!.lastError).to.equal(
      'hooks.hotpot.example resolves to 10.1.2.3, a private, link-local or reserved address',
    );
  });

  it('a name that does not resolve: the attempt fails saying so', async () => {
    await store.enqueueNotifications([notice('n-unknown', 'https://nowhere.hotpot.example/anxin')]);
    const n = (await deliverWith({})).find((x) => x.id === 'n-unknown');
    expect(n!.lastError).to.equal('cannot resolve nowhere.hotpot.example: ENOTFOUND');
  });
});
