/** The Store contract: status list entries — upserted by (block, tx), read by list, summed by issuer. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { StatusEntryRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { anchor, credentialId, issuerId, thumb } from './fixtures';

function entry(list: string, idx: number, issuer: string, block: number, tx = 0): StatusEntryRecord {
  return { list, idx, issuer, credentialId: credentialId(), status: 'active', updatedBlock: block, updatedTx: tx };
}

export function statusEntriesContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('status list entries', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip by list, in index order; taken says which indices are given out', async () => {
      const list = thumb().slice(0, 16);
      const issuer = issuerId();
      const es = [entry(list, 131_071, issuer, 3), entry(list, 0, issuer, 3, 1), entry(list, 42, issuer, 4)];
      for (const e of es) await store.putStatusEntry(e);
      expect(await store.listStatusEntries(list)).to.deep.equal([es[1], es[2], es[0]]);
      expect(await store.statusEntryTaken(list, 42)).to.equal(true);
      expect(await store.statusEntryTaken(list, 43)).to.equal(false);
      expect(await store.listStatusEntries(thumb().slice(0, 16))).to.deep.equal([]);
    });

    test('an older (block, tx) never overwrites a newer one; a newer one does', async () => {
      const list = thumb().slice(0, 16);
      const e = entry(list, 7, issuerId(), 5, 1);
      await store.putStatusEntry({ ...e, status: 'suspended' });
      await store.putStatusEntry({ ...e, updatedTx: 0 });
      expect((await store.listStatusEntries(list))[0]!.status).to.equal('suspended');
      await store.putStatusEntry({ ...e, status: 'revoked', updatedBlock: 6, updatedTx: 0 });
      expect((await store.listStatusEntries(list))[0]!.status).to.equal('revoked');
    });

    test('an anchor written with its entry: both stored, each guarded by its own (block, tx)', async () => {
      const list = thumb().slice(0, 16);
      const a = anchor(8, 2);
      const e = { ...entry(list, 99, a.issuer, 8, 2), credentialId: a.id };
      await store.putAnchor(a, e);
      expect(await store.getAnchor(a.id)).to.deep.equal(a);
      expect(await store.listStatusEntries(list)).to.deep.equal([e]);
      // A revocation at (9,0), then the anchoring change (8,2) replayed: neither goes back.
      const revoked = {
        ...a,
        status: 'revoked' as const,
        statusReason: 'fraud' as const,
        updatedBlock: 9,
        updatedTx: 0,
      };
      await store.putAnchor(revoked, { ...e, status: 'revoked', updatedBlock: 9, updatedTx: 0 });
      await store.putAnchor(a, e);
      expect((await store.getAnchor(a.id))!.status).to.equal('revoked');
      expect((await store.listStatusEntries(list))[0]!.status).to.equal('revoked');
    });

    test('lists in use, of one issuer, with how many entries each has given out', async () => {
      const issuer = issuerId();
      const [a, b] = [`a${thumb().slice(0, 15)}`, `b${thumb().slice(0, 15)}`];
      for (let i = 0; i < 3; i++) await store.putStatusEntry(entry(a, i, issuer, 1, i));
      await store.putStatusEntry(entry(b, 9, issuer, 2));
      await store.putStatusEntry(entry(thumb().slice(0, 16), 9, issuerId(), 2));
      expect(await store.statusLists(issuer)).to.deep.equal([
        { list: a, issuer, entries: 3 },
        { list: b, issuer, entries: 1 },
      ]);
      const all = await store.statusLists();
      expect(all.filter((l) => l.issuer === issuer)).to.have.length(2);
    });
  });
}
