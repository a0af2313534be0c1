/** The Store contract: credential records. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { CredentialRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credential, credentialId, hex, sealedFixture, uid } from './fixtures';

export function credentialsContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('credential records', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip pending, then anchored (same id, upsert); unknown id is undefined', async () => {
      const pending = credential({ idempotencyKey: `idem-${uid()}` });
      await store.putCredential(pending);
      await store.putCredential(pending);
      expect(await store.getCredential(pending.id)).to.deep.equal(pending);
      const anchored: CredentialRecord = {
        ...pending,
        state: 'anchored',
        anchor: { txId: hex(32), block: 42, anchoredAt: '2026-05-01T06:30:00.5Z' },
      };
      await store.putCredential(anchored);
      await store.putCredential(anchored);
      expect(await store.getCredential(pending.id)).to.deep.equal(anchored);
      expect(await store.getCredential(credentialId())).to.equal(undefined);
    });

    test('an anchored record is not turned back into a pending one by a late write', async () => {
      const c = credential();
      const anchored: CredentialRecord = {
        ...c,
        state: 'anchored',
        anchor: { txId: hex(32), block: 7, anchoredAt: '2026-05-01T06:30:00Z' },
      };
      await store.putCredential(anchored);
      await store.putCredential(c);
      expect(await store.getCredential(c.id)).to.deep.equal(anchored);
    });

    test('the sealed credential round-trips byte-exact', async () => {
      const { sealed, bytes } = sealedFixture(16 * 1024);
      const c = credential({ sealed });
      await store.putCredential(c);
      const back = (await store.getCredential(c.id))!;
      expect(back.sealed).to.deep.equal(sealed);
      expect(Buffer.from(back.sealed.ct, 'base64url').equals(bytes.ct)).to.equal(true);
      expect(Buffer.from(back.sealed.iv, 'base64url').equals(bytes.iv)).to.equal(true);
      expect(Buffer.from(back.sealed.tag, 'base64url').equals(bytes.tag)).to.equal(true);
    });

    test('create records a credential unless its id is recorded: the first one stays, untouched, and is returned', async () => {
      const first = credential({ idempotencyKey: `idem-${uid()}` });
      expect(await store.createCredential(first)).to.deep.equal(first);
      const second = { ...credential(), id: first.id };
      expect(await store.createCredential(second)).to.deep.equal(first);
      expect(await store.getCredential(first.id)).to.deep.equal(first);
      const anchored: CredentialRecord = {
        ...first,
        state: 'anchored',
        anchor: { txId: hex(32), block: 3, anchoredAt: '2026-05-01T06:30:00Z' },
      };
      await store.putCredential(anchored);
      expect(await store.createCredential(second)).to.deep.equal(anchored);
    });

    test('racing creates of one id (two store handles): one record, every caller gets it', async () => {
      const other = await open();
      extra.push(other);
      const id = credentialId();
      const contenders = Array.from({ length: 6 }, () => ({ ...credential(), id }));
      const results = await Promise.all(contenders.map((c, i) => (i % 2 ? other : store).createCredential(c)));
      const stored = await store.getCredential(id);
      expect(contenders.some((c) => JSON.stringify(c) === JSON.stringify(stored))).to.equal(true);
      for (const r of results) expect(r).to.deep.equal(stored);
    });
  });
}
