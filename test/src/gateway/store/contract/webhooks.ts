/** The Store contract: verifiers' webhooks and the outbox of notifications to them. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { NotificationRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credentialId, hex } from './fixtures';

export function webhooksContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('webhooks and their outbox', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    const note = (over: Partial<NotificationRecord> = {}): NotificationRecord => ({
      id: hex(16),
      verifier: `employer-${hex(4)}`,
      url: 'https://hr.example.cn/anxin/notify',
      credentialId: credentialId(),
      body: `eyJhbGciOiJFUzI1NiJ9.${hex(24)}.${hex(32)}`,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: '2026-05-01T08:00:00Z',
      createdAt: '2026-05-01T08:00:00Z',
      ...over,
    });

    test('a verifier has at most one webhook: put replaces, get reads, delete says whether there was one', async () => {
      const verifier = `employer-${hex(4)}`;
      expect(await store.getWebhook(verifier)).to.equal(undefined);
      await store.putWebhook({ verifier, url: 'https://a.example/hook', createdAt: '2026-05-01T08:00:00Z' });
      const second = { verifier, url: 'https://b.example/hook?x=1', createdAt: '2026-05-02T08:00:00Z' };
      await store.putWebhook(second);
      expect(await store.getWebhook(verifier)).to.deep.equal(second);
      expect(await store.deleteWebhook(verifier)).to.equal(true);
      expect(await store.deleteWebhook(verifier)).to.equal(false);
      expect(await store.getWebhook(verifier)).to.equal(undefined);
    });

    test('enqueue is insert-if-absent: the same id twice is queued once and keeps its first state', async () => {
      const n = note();
      expect(await store.enqueueNotifications([n])).to.equal(1);
      expect(
        await store.settleNotification(n.id, 'anyone', { state: 'delivered', at: '2026-05-01T08:00:01Z' }),
      ).to.equal(true);
      const delivered = { ...n, state: 'delivered' as const, deliveredAt: '2026-05-01T08:00:01Z' };
      expect(await store.enqueueNotifications([n, note({ verifier: n.verifier })])).to.equal(1);
      const listed = await store.listNotifications(n.verifier, 10);
      expect(listed).to.have.length(2);
      expect(listed.find((x) => x.id === n.id)).to.deep.equal(delivered);
    });

    /**
     * Make every pending notice other tests left behind not due before `FAR`: claims see
     * only this test's notices.
     */
    const FAR = '9000-01-01T00:00:00Z';
    async function drain(): Promise<void> {
      for (;;) if ((await store.claimDueNotifications(FAR, 1000, 'drain', 1_000)).length < 1000) return;
    }

    test('claim: pending and due only (as time, not text), longest-waiting first, limited; each counts an attempt', async () => {
      await drain();
      const verifier = `employer-${hex(4)}`;
      const later = note({ verifier, nextAttemptAt: '2026-05-01T08:05:00Z' });
      const first = note({ verifier, nextAttemptAt: '2026-05-01T08:00:00.500Z' });
      const second = note({
        verifier,
        nextAttemptAt: '2026-05-01T16:01:00+08:00',
        attempts: 2,
        lastError: 'HTTP 500',
      });
      const failed = note({ verifier, state: 'failed', attempts: 10, lastError: 'HTTP 500' });
      const delivered = note({ verifier, state: 'delivered', attempts: 1, deliveredAt: '2026-05-01T08:00:01Z' });
      await store.enqueueNotifications([later, second, first, failed, delivered]);
      const got = await store.claimDueNotifications('2026-05-01T08:02:00Z', 100, 'gw-a', 30 * 60_000);
      expect(got.map((x) => x.id).sort()).to.deep.equal([first.id, second.id].sort());
      // Leased: the attempt counted, next due when the lease ends.
      const leasedUntil = '2026-05-01T08:32:00.000Z';
      expect(got.find((x) => x.id === first.id)).to.deep.equal({ ...first, attempts: 1, nextAttemptAt: leasedUntil });
      expect(got.find((x) => x.id === second.id)).to.deep.equal({
        ...second,
        attempts: 3,
        nextAttemptAt: leasedUntil,
      });
      // Only the longest-waiting when limited.
      const one = await store.claimDueNotifications('2026-05-01T08:06:00Z', 1, 'gw-a', 30_000);
      expect(one.map((x) => x.id)).to.deep.equal([later.id]);
      expect(await store.claimDueNotifications('2026-05-01T08:06:00Z', 100, 'gw-a', 30_000)).to.deep.equal([]);
    });

    test('a leased notice is not claimed again before its lease ends; after it (its owner never reported), it is', async () => {
      await drain();
      const n = note({ nextAttemptAt: '2026-05-01T08:00:00Z' });
      await store.enqueueNotifications([n]);
      expect(
        (await store.claimDueNotifications('2026-05-01T08:00:00Z', 10, 'gw-a', 60_000)).map((x) => x.id),
      ).to.deep.equal([n.id]);
      expect(await store.claimDueNotifications('2026-05-01T08:00:59.999Z', 10, 'gw-b', 60_000)).to.deep.equal([]);
      const again = await store.claimDueNotifications('2026-05-01T08:01:00Z', 10, 'gw-b', 60_000);
      expect(again.map((x) => ({ id: x.id, attempts: x.attempts }))).to.deep.equal([{ id: n.id, attempts: 2 }]);
    });

    test('two store handles claiming at once never get the same notice, and together get every due one', async () => {
      await drain();
      const other = await open();
      extra.push(other);
      const verifier = `employer-${hex(4)}`;
      const notes = Array.from({ length: 60 }, (_, i) =>
        note({ verifier, nextAttemptAt: new Date(Date.parse('2026-05-01T08:00:00Z') + i * 1000).toISOString() }),
      );
      await store.enqueueNotifications(notes);
      const now = '2026-05-01T09:00:00Z';
      const rounds = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimDueNotifications(now, 10, `gw-${i}`, 60_000)),
      );
      const ids = rounds.flat().map((x) => x.id);
      expect(ids.length, 'no notice claimed twice').to.equal(new Set(ids).size);
      expect(ids.sort()).to.deep.equal(notes.map((x) => x.id).sort());
      expect(rounds.flat().every((x) => x.attempts === 1)).to.equal(true);
    });

    test("settle: the owner's failure schedules a retry with its error; giving up is final; another owner's report is refused", async () => {
      await drain();
      const n = note();
      await store.enqueueNotifications([n]);
      await store.claimDueNotifications('2026-05-01T08:00:00Z', 10, 'gw-a', 60_000);
      const failure = { state: 'pending' as const, error: 'HTTP 503', nextAttemptAt: '2026-05-01T08:01:00Z' };
      expect(await store.settleNotification(n.id, 'gw-b', failure), 'not the owner').to.equal(false);
      expect(await store.settleNotification(n.id, 'gw-a', failure)).to.equal(true);
      const retry = { ...n, attempts: 1, nextAttemptAt: '2026-05-01T08:01:00Z', lastError: 'HTTP 503' };
      expect((await store.listNotifications(n.verifier, 10))[0]).to.deep.equal(retry);
      // The lease ended with the report: a repeated report changes nothing.
      expect(await store.settleNotification(n.id, 'gw-a', failure)).to.equal(false);
      expect(
        await store.claimDueNotifications('2026-05-01T08:00:30Z', 10, 'gw-a', 60_000),
        'not due yet',
      ).to.deep.equal([]);
      await store.claimDueNotifications('2026-05-01T08:01:00Z', 10, 'gw-b', 60_000);
      const givenUp = { state: 'failed' as const, error: 'HTTP 500', nextAttemptAt: '2026-05-01T08:03:00Z' };
      expect(await store.settleNotification(n.id, 'gw-b', givenUp)).to.equal(true);
      expect((await store.listNotifications(n.verifier, 10))[0]).to.deep.equal({
        ...n,
        state: 'failed',
        attempts: 2,
        nextAttemptAt: '2026-05-01T08:03:00Z',
        lastError: 'HTTP 500',
      });
      expect(await store.claimDueNotifications(FAR, 10, 'gw-a', 60_000)).to.deep.equal([]);
    });

    test('never back from delivered: a late failure (two handles: the lease expired, another gateway delivered) leaves it delivered', async () => {
      await drain();
      const other = await open();
      extra.push(other);
      const n = note();
      await store.enqueueNotifications([n]);
      // Gateway A leases it and stalls; its lease ends; gateway B (another handle) leases and delivers it.
      await store.claimDueNotifications('2026-05-01T08:00:00Z', 10, 'gw-a', 10_000);
      const [b] = await other.claimDueNotifications('2026-05-01T08:00:10Z', 10, 'gw-b', 10_000);
      expect(b?.id).to.equal(n.id);
      expect(await other.settleNotification(n.id, 'gw-b', { state: 'delivered', at: '2026-05-01T08:00:11Z' })).to.equal(
        true,
      );
      const delivered = {
        ...n,
        state: 'delivered' as const,
        attempts: 2,
        nextAttemptAt: '2026-05-01T08:00:20.000Z',
        deliveredAt: '2026-05-01T08:00:11Z',
      };
      // A's late failure, and a late failure by B itself: refused; it stays delivered and is never due.
      const late = { state: 'pending' as const, error: 'timed out', nextAttemptAt: '2026-05-01T08:00:40Z' };
      expect(await store.settleNotification(n.id, 'gw-a', late)).to.equal(false);
      expect(await other.settleNotification(n.id, 'gw-b', late)).to.equal(false);
      expect(await store.settleNotification(n.id, 'gw-a', { ...late, state: 'failed' })).to.equal(false);
      expect((await store.listNotifications(n.verifier, 10))[0]).to.deep.equal(delivered);
      expect(await store.claimDueNotifications(FAR, 10, 'gw-c', 60_000)).to.deep.equal([]);
      // A second delivery report changes nothing either.
      expect(await store.settleNotification(n.id, 'gw-a', { state: 'delivered', at: '2026-05-01T08:00:12Z' })).to.equal(
        false,
      );
      expect((await other.listNotifications(n.verifier, 10))[0]).to.deep.equal(delivered);
    });

    test('a delivery reported by a former owner (its lease was taken over) is recorded: it did arrive', async () => {
      await drain();
      const n = note({ lastError: 'HTTP 500', attempts: 1 });
      await store.enqueueNotifications([n]);
      await store.claimDueNotifications('2026-05-01T08:00:00Z', 10, 'gw-a', 10_000);
      await store.claimDueNotifications('2026-05-01T08:00:10Z', 10, 'gw-b', 10_000);
      expect(await store.settleNotification(n.id, 'gw-a', { state: 'delivered', at: '2026-05-01T08:00:12Z' })).to.equal(
        true,
      );
      const back = (await store.listNotifications(n.verifier, 10))[0]!;
      expect(back).to.deep.include({ state: 'delivered', deliveredAt: '2026-05-01T08:00:12Z', attempts: 3 });
      expect(back.lastError).to.equal(undefined);
      // B's report comes later: the failure is refused.
      const late = { state: 'pending' as const, error: 'HTTP 502', nextAttemptAt: '2026-05-01T08:01:00Z' };
      expect(await store.settleNotification(n.id, 'gw-b', late)).to.equal(false);
      expect((await store.listNotifications(n.verifier, 10))[0]!.state).to.equal('delivered');
    });

    test("a verifier's list is newest first and limited", async () => {
      const verifier = `employer-${hex(4)}`;
      const old = note({ verifier, createdAt: '2026-05-01T08:00:00Z' });
      const mid = note({ verifier, createdAt: '2026-05-01T09:00:00Z' });
      const recent = note({ verifier, createdAt: '2026-05-01T18:00:00+08:00' });
      await store.enqueueNotifications([mid, recent, old]);
      expect((await store.listNotifications(verifier, 10)).map((x) => x.id)).to.deep.equal([recent.id, mid.id, old.id]);
      expect((await store.listNotifications(verifier, 2)).map((x) => x.id)).to.deep.equal([recent.id, mid.id]);
      expect(await store.listNotifications(`nobody-${hex(4)}`, 10)).to.deep.equal([]);
    });

    test('the outbox is counted by state, every state present', async () => {
      await drain();
      const before = await store.countNotifications();
      expect(Object.keys(before).sort()).to.deep.equal(['delivered', 'failed', 'pending']);
      const [a, b, c] = [note(), note(), note()];
      await store.enqueueNotifications([a, b, c]);
      await store.claimDueNotifications('2026-05-01T08:00:00Z', 10, 'gw-a', 60_000);
      await store.settleNotification(a.id, 'gw-a', { state: 'delivered', at: '2026-05-01T08:00:01Z' });
      await store.settleNotification(b.id, 'gw-a', { state: 'failed', error: 'HTTP 410', nextAttemptAt: FAR });
      await store.settleNotification(c.id, 'gw-a', { state: 'pending', error: 'HTTP 503', nextAttemptAt: FAR });
      expect(await store.countNotifications()).to.deep.equal({
        pending: before.pending + 1,
        delivered: before.delivered + 1,
        failed: before.failed + 1,
      });
    });
  });
}
