/** The Store contract: API keys. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { apiKey, hex, uid } from './fixtures';

export function apiKeysContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('API keys', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip, with and without the optional fields; unknown id is undefined', async () => {
      const bare = apiKey();
      const full = apiKey({ label: '成都火锅店 verifier', revokedAt: '2026-05-02T00:00:00Z', scopes: ['verify'] });
      await store.putApiKey(bare);
      await store.putApiKey(full);
      expect(await store.getApiKey(bare.id)).to.deep.equal(bare);
      expect(await store.getApiKey(full.id)).to.deep.equal(full);
      expect(await store.getApiKey(`ak_${hex(8)}`)).to.equal(undefined);
    });

    test('put is an idempotent upsert: same record twice is one record; a later put replaces it (revoke)', async () => {
      const k = apiKey({ label: 'to revoke' });
      await store.putApiKey(k);
      await store.putApiKey(k);
      expect(await store.listApiKeys(k.principal)).to.deep.equal([k]);
      const revoked = { ...k, revokedAt: '2026-05-03T00:00:00Z' };
      await store.putApiKey(revoked);
      expect(await store.getApiKey(k.id)).to.deep.equal(revoked);
      // and an optional field can be removed again
      const { label: _label, ...unlabelled } = revoked;
      await store.putApiKey(unlabelled);
      expect(await store.getApiKey(k.id)).to.deep.equal(unlabelled);
    });

    test('listApiKeys(principal) lists only that principal (type and id), oldest first; without one, all', async () => {
      const id = `employer-${uid()}`;
      const mine = [
        apiKey({ principal: { type: 'verifier', id }, createdAt: '2026-05-01T08:00:00Z' }),
        apiKey({ principal: { type: 'verifier', id }, createdAt: '2026-05-01T07:00:00Z' }),
      ];
      const sameIdOtherType = apiKey({ principal: { type: 'issuer', id } });
      const other = apiKey({ principal: { type: 'verifier', id: `employer-${uid()}` } });
      for (const k of [...mine, sameIdOtherType, other]) await store.putApiKey(k);
      expect(await store.listApiKeys({ type: 'verifier', id })).to.deep.equal([mine[1], mine[0]]);
      expect(await store.listApiKeys({ type: 'issuer', id })).to.deep.equal([sameIdOtherType]);
      expect(await store.listApiKeys({ type: 'admin', id: `nobody-${uid()}` })).to.deep.equal([]);
      const all = await store.listApiKeys();
      const ids = all.map((k) => k.id);
      for (const k of [...mine, sameIdOtherType, other]) expect(ids).to.include(k.id);
    });
  });
}
