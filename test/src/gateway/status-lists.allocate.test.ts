/**
 * Choosing status list entries: random indices, never one the store shows given out nor one
 * handed out moments ago, a list filled to half before another opens, an issuer's lists its
 * own. On a small list, so that filling it is quick; the rule is the same at 131,072.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { StatusEntryAllocator, STATUS_LIST_FILL } from '@anxin/gateway/server';
import { SqliteStore } from '@anxin/gateway/store/sqlite';

const SIZE = 64;
const ISSUER = 'urn:anxin:issuer:allocate-test';

describe('status list entries: allocation', () => {
  it('fills one list to half with distinct random indices, then opens another', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const a = new StatusEntryAllocator(store, SIZE);
      const got = [];
      for (let i = 0; i < SIZE * STATUS_LIST_FILL; i++) got.push(await a.allocate(ISSUER));
      expect(new Set(got.map((e) => e.list)).size).to.equal(1);
      expect(new Set(got.map((e) => e.idx)).size).to.equal(got.length);
      for (const e of got) expect(e.idx).to.be.within(0, SIZE - 1);
      const next = await a.allocate(ISSUER);
      expect(next.list).to.not.equal(got[0]!.list);
      expect(next.list).to.match(/^[A-Za-z0-9_-]{16}$/);
    } finally {
      await store.close();
    }
  });

  it('continues a list of the issuer the store knows, never choosing an index given out there', async () => {
    const store = new SqliteStore(':memory:');
    try {
      const list = 'storedList000001';
      for (let idx = 0; idx < 30; idx++) {
        await store.putStatusEntry({
          list,
          idx,
          issuer: ISSUER,
          credentialId: `urn:uuid:00000000-0000-4000-8000-${String(idx).padStart(12, '0')}`,
          status: 'active',
          updatedBlock: 1,
          updatedTx: idx,
        });
      }
      const a = new StatusEntryAllocator(store, SIZE);
      const e1 = await a.allocate(ISSUER);
      const e2 = await a.allocate(ISSUER);
      expect([e1.list, e2.list]).to.deep.equal([list, list]);
      expect(e1.idx).to.be.at.least(30);
      expect(e2.idx).to.be.at.least(30);
      expect(e1.idx).to.not.equal(e2.idx);
      // Another issuer never gets this issuer's list.
      expect((await a.allocate('urn:anxin:issuer:someone-else')).list).to.not.equal(list);
    } finally {
      await store.close();
    }
  });

  it('lets go of an index held ten minutes and never seen committed, and of no other', async () => {
    const store = new SqliteStore(':memory:');
    const realNow = Date.now;
    let now = realNow();
    Date.now = () => now;
    try {
      const a = new StatusEntryAllocator(store, SIZE);
      const early = [];
      for (let i = 0; i < 10; i++) early.push(await a.allocate(ISSUER));
      now += 5 * 60_000;
      const late = [];
      for (let i = 0; i < 10; i++) late.push(await a.allocate(ISSUER));
      const list = early[0]!.list;
      const held = (a as unknown as { heldIn(list: string, now: number): Map<number, number> }).heldIn.bind(a);
      expect([...held(list, now).keys()].sort()).to.deep.equal([...early, ...late].map((e) => e.idx).sort());
      now += 5 * 60_000 + 1;
      expect([...held(list, now).keys()].sort()).to.deep.equal(late.map((e) => e.idx).sort());
      now += 5 * 60_000;
      expect(held(list, now).size).to.equal(0);
    } finally {
      Date.now = realNow;
      await store.close();
    }
  });
});
