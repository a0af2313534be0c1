/** The Store contract: idempotency claims and their leases. */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { IdempotencyRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credentialId, hex, uid } from './fixtures';

export function idempotencyContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('idempotency keys', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    const claim = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      principal: `urn:anxin:issuer:store-test-${uid()}`,
      key: `key-${randomUUID()}`,
      requestHash: hex(32),
      resource: credentialId(),
      createdAt: '2026-05-01T07:00:00.000Z',
      ...over,
    });

    test('first claim gets undefined; a second claimer gets the first record untouched', async () => {
      const first = claim();
      expect(await store.claimIdempotencyKey(first)).to.equal(undefined);
      const second = { ...first, requestHash: hex(32), resource: credentialId(), createdAt: '2026-05-01T07:00:05Z' };
      expect(await store.claimIdempotencyKey(second)).to.deep.equal(first);
      expect(await store.claimIdempotencyKey(second)).to.deep.equal(first);
    });

    test('the same key under another principal is another claim', async () => {
      const a = claim();
      const b = { ...a, principal: `urn:anxin:issuer:store-test-${uid()}` };
      expect(await store.claimIdempotencyKey(a)).to.equal(undefined);
      expect(await store.claimIdempotencyKey(b)).to.equal(undefined);
      expect(await store.claimIdempotencyKey({ ...a, requestHash: hex(32) })).to.deep.equal(a);
    });

    test("racing claims (Promise.all): exactly one wins, every other gets the winner's record", async () => {
      const base = claim();
      const contenders = Array.from({ length: 8 }, () => ({ ...base, requestHash: hex(32) }));
      const results = await Promise.all(contenders.map((c) => store.claimIdempotencyKey(c)));
      const winners = results.map((r, i) => (r === undefined ? i : -1)).filter((i) => i >= 0);
      expect(winners).to.have.length(1);
      const winner = contenders[winners[0]!]!;
      for (const r of results) if (r !== undefined) expect(r).to.deep.equal(winner);
    });

    test('complete stores the response; later claims return it', async () => {
      const c = claim();
      await store.claimIdempotencyKey(c);
      const response = {
        status: 201,
        body: { id: c.resource, anchor: { txId: hex(32), block: 5 }, $id: 'odd key', 'a.b': ['点', null, 1.5, true] },
      };
      await store.completeIdempotencyKey(c.principal, c.key, response);
      await store.completeIdempotencyKey(c.principal, c.key, response);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal({ ...c, response });
    });

    test('a claim without a resource round-trips without one', async () => {
      const { resource: _r, ...c } = claim();
      expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(c);
    });

    test('release forgets an open claim, so a retry can claim again; releasing twice is harmless', async () => {
      const c = claim();
      await store.claimIdempotencyKey(c);
      await store.releaseIdempotencyKey(c.principal, c.key);
      await store.releaseIdempotencyKey(c.principal, c.key);
      const retry = { ...c, requestHash: hex(32) };
      expect(await store.claimIdempotencyKey(retry)).to.equal(undefined);
      expect(await store.claimIdempotencyKey(c)).to.deep.equal(retry);
    });

    test('release does not forget a completed claim (its response keeps answering retries)', async () => {
      const c = claim();
      await store.claimIdempotencyKey(c);
      const response = { status: 201, body: { id: c.resource } };
      await store.completeIdempotencyKey(c.principal, c.key, response);
      await store.releaseIdempotencyKey(c.principal, c.key);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal({ ...c, response });
    });

    test('complete or release of a key never claimed does nothing', async () => {
      const c = claim();
      await store.completeIdempotencyKey(c.principal, c.key, { status: 200, body: {} });
      await store.releaseIdempotencyKey(c.principal, c.key);
      expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
    });

    test('a claim keeps its lease; a claim without one round-trips without one', async () => {
      const c = claim({ leaseUntil: '2026-05-01T07:01:00.000Z' });
      expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(c);
    });

    test('take over: refused while leased; after the lease ends, one new lease; then refused again until it ends', async () => {
      const c = claim({ leaseUntil: '2026-05-01T07:01:00.000Z' });
      await store.claimIdempotencyKey(c);
      const lease2 = '2026-05-01T07:02:00.000Z';
      expect(await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:00:59.999Z', lease2)).to.equal(
        undefined,
      );
      const taken = await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:01:00Z', lease2);
      expect(taken).to.deep.equal({ ...c, leaseUntil: lease2 });
      expect(
        await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:01:30Z', '2026-05-01T07:02:30.000Z'),
        'the taker holds it now',
      ).to.equal(undefined);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(taken);
      const lease3 = '2026-05-01T07:03:00.000Z';
      expect(await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:02:00+00:00', lease3)).to.deep.equal(
        {
          ...c,
          leaseUntil: lease3,
        },
      );
    });

    test('take over: an open claim without a lease (from before leases) is taken at once; completed, released or unknown claims never', async () => {
      const legacy = claim();
      await store.claimIdempotencyKey(legacy);
      const lease = '2026-05-01T07:01:00.000Z';
      expect(
        await store.takeOverIdempotencyKey(legacy.principal, legacy.key, '2026-05-01T07:00:00Z', lease),
      ).to.deep.equal({ ...legacy, leaseUntil: lease });
      const done = claim({ leaseUntil: '2026-05-01T07:00:01Z' });
      await store.claimIdempotencyKey(done);
      await store.completeIdempotencyKey(done.principal, done.key, { status: 201, body: { id: done.resource } });
      expect(await store.takeOverIdempotencyKey(done.principal, done.key, '2026-06-01T00:00:00Z', lease)).to.equal(
        undefined,
      );
      const { leaseUntil: _ended, ...completed } = done;
      expect(
        await store.claimIdempotencyKey({ ...done, requestHash: hex(32) }),
        'completing ends the lease',
      ).to.deep.equal({ ...completed, response: { status: 201, body: { id: done.resource } } });
      const gone = claim({ leaseUntil: '2026-05-01T07:00:01Z' });
      await store.claimIdempotencyKey(gone);
      await store.releaseIdempotencyKey(gone.principal, gone.key);
      expect(await store.takeOverIdempotencyKey(gone.principal, gone.key, '2026-06-01T00:00:00Z', lease)).to.equal(
        undefined,
      );
      const never = claim();
      expect(await store.takeOverIdempotencyKey(never.principal, never.key, '2026-06-01T00:00:00Z', lease)).to.equal(
        undefined,
      );
    });

    test('racing take-overs (two store handles, Promise.all): exactly one wins', async () => {
      const other = await open();
      extra.push(other);
      const c = claim({ leaseUntil: '2026-05-01T07:01:00.000Z' });
      await store.claimIdempotencyKey(c);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? other : store).takeOverIdempotencyKey(
            c.principal,
            c.key,
            '2026-05-01T07:05:00Z',
            `2026-05-01T07:06:0${i}.000Z`,
          ),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).to.have.length(1);
      expect(await other.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(winners[0]);
    });

    test('yield ends the lease of a claim still under it (a retry may take it over at once), and keeps the claim', async () => {
      const c = claim({ leaseUntil: '2026-05-01T07:01:00.000Z' });
      await store.claimIdempotencyKey(c);
      await store.yieldIdempotencyKey(c.principal, c.key, '2026-05-01T07:00:30.000Z');
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) }), 'another lease: unchanged').to.deep.equal(
        c,
      );
      await store.yieldIdempotencyKey(c.principal, c.key, c.leaseUntil!);
      const { leaseUntil: _gone, ...open } = c;
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal(open);
      const lease2 = '2026-05-01T07:01:00.000Z';
      expect(await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:00:01Z', lease2)).to.deep.equal({
        ...c,
        leaseUntil: lease2,
      });
    });

    test('release with a lease forgets the claim only while it is still under that lease', async () => {
      const c = claim({ leaseUntil: '2026-05-01T07:01:00.000Z' });
      await store.claimIdempotencyKey(c);
      const lease2 = '2026-05-01T07:02:00.000Z';
      await store.takeOverIdempotencyKey(c.principal, c.key, '2026-05-01T07:01:00Z', lease2);
      // The first holder, presumed gone, comes back and releases: the taker's claim stays.
      await store.releaseIdempotencyKey(c.principal, c.key, c.leaseUntil);
      expect(await store.claimIdempotencyKey({ ...c, requestHash: hex(32) })).to.deep.equal({
        ...c,
        leaseUntil: lease2,
      });
      await store.releaseIdempotencyKey(c.principal, c.key, lease2);
      expect(await store.claimIdempotencyKey(c)).to.equal(undefined);
    });
  });
}
