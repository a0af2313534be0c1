/** The Store contract: one-time nonces. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { AT_EXPIRY, BEFORE_EXPIRY, nonceRecord, thumb } from './fixtures';

export function noncesContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('one-time nonces (challenges, c_nonces)', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('used once: the first use answers the record, marked used; every later use says "used"', async () => {
      const n = nonceRecord();
      await store.putNonce(n);
      const first = await store.useNonce(
        { nonce: n.nonce, purpose: 'challenge', principal: n.principal! },
        BEFORE_EXPIRY,
      );
      expect(first).to.deep.equal({ ok: true, record: { ...n, usedAt: BEFORE_EXPIRY } });
      for (let i = 0; i < 2; i++)
        expect(
          await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY),
        ).to.deep.equal({ ok: false, why: 'used' });
    });

    test('a c_nonce has no owner: anyone may use it, once', async () => {
      const n = nonceRecord({ purpose: 'c_nonce' });
      expect(n.principal).to.equal(undefined);
      await store.putNonce(n);
      const used = await store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY);
      expect(used).to.deep.equal({ ok: true, record: { ...n, usedAt: BEFORE_EXPIRY } });
      expect(await store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)).to.deep.equal({
        ok: false,
        why: 'used',
      });
    });

    test("another principal's challenge: not yours, and it stays usable by its owner", async () => {
      const n = nonceRecord();
      await store.putNonce(n);
      expect(
        await store.useNonce(
          { nonce: n.nonce, purpose: 'challenge', principal: 'verifier:someone-else' },
          BEFORE_EXPIRY,
        ),
      ).to.deep.equal({ ok: false, why: 'not_yours' });
      expect(
        (await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY)).ok,
      ).to.equal(true);
      // Once used, a stranger still learns nothing but "not yours".
      expect(
        await store.useNonce(
          { nonce: n.nonce, purpose: 'challenge', principal: 'verifier:someone-else' },
          BEFORE_EXPIRY,
        ),
      ).to.deep.equal({ ok: false, why: 'not_yours' });
    });

    test('expired at its expiry instant (offsets compared as instants), and not marked used', async () => {
      const n = nonceRecord();
      await store.putNonce(n);
      const q = { nonce: n.nonce, purpose: 'challenge' as const, principal: n.principal! };
      expect(await store.useNonce(q, AT_EXPIRY)).to.deep.equal({ ok: false, why: 'expired' });
      expect(await store.useNonce(q, '2026-05-01T07:00:00+08:00')).to.deep.equal({ ok: false, why: 'expired' });
      // A minute before, by another clock's offset: still good (it was never marked used).
      expect((await store.useNonce(q, '2026-05-01T06:34:00+08:00')).ok).to.equal(true);
    });

    test('unknown nonce, or a nonce of the other purpose: unknown, and nothing is spent', async () => {
      expect(await store.useNonce({ nonce: thumb(), purpose: 'c_nonce' }, BEFORE_EXPIRY)).to.deep.equal({
        ok: false,
        why: 'unknown',
      });
      const c = nonceRecord({ purpose: 'c_nonce' });
      await store.putNonce(c);
      expect(
        await store.useNonce({ nonce: c.nonce, purpose: 'challenge', principal: 'verifier:x' }, BEFORE_EXPIRY),
      ).to.deep.equal({ ok: false, why: 'unknown' });
      expect((await store.useNonce({ nonce: c.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)).ok).to.equal(true);
    });

    test('a nonce is recorded once: the same value again is refused', async () => {
      const n = nonceRecord();
      await store.putNonce(n);
      let refused = false;
      try {
        await store.putNonce({ ...n, principal: 'verifier:intruder' });
      } catch {
        refused = true;
      }
      expect(refused).to.equal(true);
      expect(
        (await store.useNonce({ nonce: n.nonce, purpose: 'challenge', principal: n.principal! }, BEFORE_EXPIRY)).ok,
      ).to.equal(true);
    });

    test('20 concurrent uses of one nonce: exactly one succeeds', async () => {
      const n = nonceRecord({ purpose: 'c_nonce' });
      await store.putNonce(n);
      const uses = await Promise.all(
        Array.from({ length: 20 }, () => store.useNonce({ nonce: n.nonce, purpose: 'c_nonce' }, BEFORE_EXPIRY)),
      );
      expect(uses.filter((u) => u.ok)).to.have.length(1);
      expect(uses.filter((u) => !u.ok).map((u) => (u.ok ? '' : u.why))).to.deep.equal(Array(19).fill('used'));
    });

    test('close, then reopen: a used nonce is still used, an unused one still usable', async () => {
      const first = await open();
      const used = nonceRecord();
      const fresh = nonceRecord();
      await first.putNonce(used);
      await first.putNonce(fresh);
      expect(
        (await first.useNonce({ nonce: used.nonce, purpose: 'challenge', principal: used.principal! }, BEFORE_EXPIRY))
          .ok,
      ).to.equal(true);
      await first.close();
      const again = await open();
      extra.push(again);
      expect(
        await again.useNonce({ nonce: used.nonce, purpose: 'challenge', principal: used.principal! }, BEFORE_EXPIRY),
      ).to.deep.equal({ ok: false, why: 'used' });
      expect(
        await again.useNonce({ nonce: fresh.nonce, purpose: 'challenge', principal: fresh.principal! }, BEFORE_EXPIRY),
      ).to.deep.equal({ ok: true, record: { ...fresh, usedAt: BEFORE_EXPIRY } });
    });
  });
}
