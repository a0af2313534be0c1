/** The Store contract: sealed records listed page by page, and re-sealed one at a time (compare-and-set). */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credential, custodialKey, issuerId, sealedFixture } from './fixtures';

export function resealingContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('re-sealing', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('lists every sealed record of a kind in id order, page by page', async () => {
      const keys = [custodialKey(issuerId()), custodialKey(issuerId()), custodialKey(issuerId())];
      const creds = [credential(), credential(), credential()];
      for (const k of keys) await store.putCustodialKey(k);
      for (const c of creds) await store.putCredential(c);
      for (const [kind, records] of [
        ['custodial_key', keys.map((k) => ({ id: k.kid, sealed: k.sealed }))],
        ['credential', creds.map((c) => ({ id: c.id, sealed: c.sealed }))],
      ] as const) {
        const seen: Array<{ id: string; sealed: unknown }> = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listSealed(kind, after, 2);
          expect(page.length).to.be.at.most(2);
          if (!page.length) break;
          for (const e of page) {
            expect(e.kind).to.equal(kind);
            seen.push({ id: e.id, sealed: e.sealed });
          }
          after = page.at(-1)!.id;
        }
        const ids = seen.map((e) => e.id);
        expect(ids).to.deep.equal([...ids].sort());
        for (const r of records) expect(seen).to.deep.include(r);
      }
    });

    test('replaces a sealed value only while it is the one expected; nothing else of the record changes', async () => {
      const k = custodialKey(issuerId());
      const c = credential({
        state: 'anchored',
        anchor: { txId: 'a'.repeat(64), block: 3, anchoredAt: '2026-05-01T00:00:00Z' },
      });
      await store.putCustodialKey(k);
      await store.putCredential(c);
      const next = sealedFixture(64).sealed;
      const other = sealedFixture(64).sealed;
      expect(await store.replaceSealed('custodial_key', k.kid, k.sealed, next)).to.equal(true);
      expect(await store.getCustodialKey(k.kid)).to.deep.equal({ ...k, sealed: next });
      // Stale expectation: refused, nothing written.
      expect(await store.replaceSealed('custodial_key', k.kid, k.sealed, other)).to.equal(false);
      expect((await store.getCustodialKey(k.kid))!.sealed).to.deep.equal(next);

      expect(await store.replaceSealed('credential', c.id, c.sealed, next)).to.equal(true);
      expect(await store.getCredential(c.id)).to.deep.equal({ ...c, sealed: next });
      expect(await store.replaceSealed('credential', c.id, c.sealed, other)).to.equal(false);
      expect(await store.replaceSealed('credential', credential().id, c.sealed, other)).to.equal(false);
    });
  });
}
