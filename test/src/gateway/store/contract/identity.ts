/** The Store contract: what the store belongs to, recorded once. */
import { expect } from 'chai';
import { describe } from 'mocha';
import type { StoreIdentity } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { hex } from './fixtures';

export function identityContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('identity', () => {
    const identity = (): StoreIdentity => ({
      ledger: { channel: 'anxin', genesisHash: hex(32) },
      kek: hex(8),
      createdAt: '2026-05-01T08:00:00Z',
    });

    test('the first claim is recorded; a later one changes nothing and gets the first; it survives a reopen', async () => {
      const store = ctx.store;
      expect(await store.getIdentity()).to.equal(undefined);
      const first = identity();
      expect(await store.claimIdentity(first)).to.deep.equal(first);
      expect(await store.claimIdentity(identity()), 'a second claim').to.deep.equal(first);
      expect(await store.getIdentity()).to.deep.equal(first);
      const again = await open();
      extra.push(again);
      expect(await again.getIdentity()).to.deep.equal(first);
      expect(await again.claimIdentity(identity())).to.deep.equal(first);
    });

    test('a rotated key-encryption key is recorded; nothing else changes', async () => {
      const store = ctx.store;
      const first = await store.claimIdentity(identity());
      const next = hex(8);
      await store.recordIdentityKek(next);
      expect(await store.getIdentity()).to.deep.equal({ ...first, kek: next });
    });
  });
}
