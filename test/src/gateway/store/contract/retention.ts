/** The Store contract: retention (prune). */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credentialId, hex, nonceRecord, uid } from './fixtures';

export function retentionContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('retention (prune)', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    // Dates in 2020: no other test writes any, so the counts are this test's own.
    test('deletes old verifications, completed old claims and finished old notices; keeps the rest', async () => {
      const cred = credentialId();
      const v = (verifier: string, at: string) => ({ credentialId: cred, verifier, at, verified: true });
      await store.recordVerifications([
        v('old-1', '2020-03-01T08:00:00Z'),
        v('old-2', '2020-05-31T23:59:59.999Z'),
        // 07:00+08:00 is 23:00Z the day before the cutoff: old, as time (as text it would look newer)
        v('old-3', '2020-06-01T07:00:00+08:00'),
        v('kept', '2020-06-01T00:00:00Z'),
      ]);
      const principal = `urn:anxin:issuer:store-test-${uid()}`;
      const claim = (key: string, createdAt: string, done: boolean) => ({
        rec: { principal, key, requestHash: hex(32), resource: credentialId(), createdAt },
        done,
      });
      const claims = [
        claim('done-old-aaaa', '2020-05-01T00:00:00.000Z', true),
        claim('done-old-offset', '2020-06-01T07:00:00+08:00', true),
        claim('open-old-aaaa', '2020-05-01T00:00:00.000Z', false),
        claim('done-new-aaaa', '2020-06-02T00:00:00.000Z', true),
      ];
      for (const c of claims) {
        expect(await store.claimIdempotencyKey(c.rec)).to.equal(undefined);
        if (c.done) await store.completeIdempotencyKey(principal, c.rec.key, { status: 201, body: { id: 'x' } });
      }
      const verifier = `employer-${hex(4)}`;
      const n = (state: 'pending' | 'delivered' | 'failed', createdAt: string) => ({
        id: hex(16),
        verifier,
        url: 'https://hr.example.cn/hook',
        credentialId: cred,
        body: 'e30.e30.sig',
        state,
        attempts: state === 'pending' ? 0 : 1,
        nextAttemptAt: createdAt,
        createdAt,
      });
      const notes = [
        n('delivered', '2020-05-01T00:00:00Z'),
        n('failed', '2020-05-01T00:00:00Z'),
        n('pending', '2020-05-01T00:00:00Z'),
        n('delivered', '2020-06-02T00:00:00Z'),
      ];
      await store.enqueueNotifications(notes);

      const nonces = [
        nonceRecord({ expiresAt: '2020-05-31T23:59:59Z' }),
        nonceRecord({ purpose: 'c_nonce', expiresAt: '2020-06-01T07:00:00+08:00' }),
        nonceRecord({ expiresAt: '2020-06-01T00:00:00Z' }),
      ];
      for (const x of nonces) await store.putNonce(x);
      // Used or not, an expired nonce goes.
      expect(
        (await store.useNonce({ ...nonces[0]!, principal: nonces[0]!.principal! }, '2020-05-31T12:00:00Z')).ok,
      ).to.equal(true);

      const cut = '2020-06-01T00:00:00Z';
      expect(
        await store.prune({ verifications: cut, idempotency: cut, notifications: cut, nonces: cut }),
      ).to.deep.equal({
        verifications: 3,
        idempotency: 2,
        notifications: 2,
        nonces: 2,
      });
      expect(
        await store.useNonce({ ...nonces[0]!, principal: nonces[0]!.principal! }, '2020-05-01T00:00:00Z'),
      ).to.deep.equal({
        ok: false,
        why: 'unknown',
      });
      expect(
        (await store.useNonce({ ...nonces[2]!, principal: nonces[2]!.principal! }, '2020-05-01T00:00:00Z')).ok,
      ).to.equal(true);
      expect((await store.verifiersSince(cred, '2019-01-01T00:00:00Z')).map((x) => x.verifier)).to.deep.equal(['kept']);
      // A pruned key can be claimed afresh; a kept one still answers with its record.
      expect(await store.claimIdempotencyKey({ ...claims[0]!.rec, requestHash: hex(32) })).to.equal(undefined);
      expect(await store.claimIdempotencyKey({ ...claims[1]!.rec, requestHash: hex(32) })).to.equal(undefined);
      expect((await store.claimIdempotencyKey(claims[2]!.rec))?.requestHash).to.equal(claims[2]!.rec.requestHash);
      expect((await store.claimIdempotencyKey(claims[3]!.rec))?.response).to.deep.equal({
        status: 201,
        body: { id: 'x' },
      });
      expect((await store.listNotifications(verifier, 10)).map((x) => x.id).sort()).to.deep.equal(
        [notes[2]!.id, notes[3]!.id].sort(),
      );
      expect(
        await store.prune({ verifications: cut, idempotency: cut, notifications: cut, nonces: cut }),
      ).to.deep.equal({
        verifications: 0,
        idempotency: 0,
        notifications: 0,
        nonces: 0,
      });
    });

    test('more rows than one delete batch: all go', async () => {
      const cred = credentialId();
      const entries = Array.from({ length: 12_001 }, (_, i) => ({
        credentialId: cred,
        verifier: `bulk-${i}`,
        at: '2019-01-01T00:00:00Z',
        verified: true,
      }));
      await store.recordVerifications(entries);
      const r = await store.prune({
        verifications: '2019-06-01T00:00:00Z',
        idempotency: '2000-01-01T00:00:00Z',
        notifications: '2000-01-01T00:00:00Z',
        nonces: '2000-01-01T00:00:00Z',
      });
      expect(r.verifications).to.equal(12_001);
      expect(await store.verifiersSince(cred, '2000-01-01T00:00:00Z')).to.deep.equal([]);
    });
  });
}
