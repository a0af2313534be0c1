/** The Store contract: the ledger projection — anchors, issuers, checkpoints. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { AnchorProjection, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { anchor, credentialId, issuerId, issuerProjection, shuffled, uid } from './fixtures';

export function projectionContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('ledger projection: anchors', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip, with and without optional fields; unknown id is undefined', async () => {
      const a = anchor(3, 0);
      const { validUntil: _v, ...noUntil } = anchor(3, 1);
      const revoked = anchor(4, 0, { status: 'revoked', statusReason: 're_examination_failed' });
      for (const p of [a, noUntil, revoked]) await store.putAnchor(p);
      expect(await store.getAnchor(a.id)).to.deep.equal(a);
      expect(await store.getAnchor(noUntil.id)).to.deep.equal(noUntil);
      expect(await store.getAnchor(revoked.id)).to.deep.equal(revoked);
      expect(await store.getAnchor(credentialId())).to.equal(undefined);
    });

    test('an older (block, tx) never overwrites a newer one: (5,0) then (4,9) stays at (5,0)', async () => {
      const at50 = anchor(5, 0);
      const at49 = {
        ...at50,
        status: 'revoked' as const,
        statusReason: 'fraud' as const,
        updatedBlock: 4,
        updatedTx: 9,
      };
      await store.putAnchor(at50);
      await store.putAnchor(at49);
      expect(await store.getAnchor(at50.id)).to.deep.equal(at50);
    });

    test('a later tx of the same block moves it: (5,1) after (5,0); applying (5,1) again is idempotent', async () => {
      const at50 = anchor(5, 0);
      const at51: AnchorProjection = {
        ...at50,
        status: 'suspended',
        statusReason: 're_examination_pending',
        updatedAt: '2026-05-01T09:00:00Z',
        updatedTx: 1,
      };
      await store.putAnchor(at50);
      await store.putAnchor(at51);
      expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
      await store.putAnchor(at51);
      expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
      await store.putAnchor(at50);
      expect(await store.getAnchor(at50.id)).to.deep.equal(at51);
      // a later block moves it again, and may clear the reason (reinstated)
      const { statusReason: _s, ...at60 } = { ...at51, status: 'active' as const, updatedBlock: 6, updatedTx: 0 };
      await store.putAnchor(at60);
      expect(await store.getAnchor(at50.id)).to.deep.equal(at60);
    });

    test('versions applied concurrently in any order end at the newest', async () => {
      const base = anchor(0, 0);
      const versions: AnchorProjection[] = [];
      for (const [b, t] of [
        [5, 0],
        [5, 1],
        [4, 9],
        [6, 0],
        [6, 2],
        [6, 1],
        [2, 3],
      ] as const) {
        versions.push({ ...base, updatedBlock: b, updatedTx: t, updatedAt: `2026-05-01T0${b}:00:0${t}Z` });
      }
      await Promise.all(shuffled(versions).map((v) => store.putAnchor(v)));
      const got = await store.getAnchor(base.id);
      expect([got?.updatedBlock, got?.updatedTx]).to.deep.equal([6, 2]);
      expect(got?.updatedAt).to.equal('2026-05-01T06:00:02Z');
    });
  });

  describe('ledger projection: issuers', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip (the whole issuer record, unicode included); unknown id is undefined', async () => {
      const p = issuerProjection(issuerId(), '成都市金牛区疾病预防控制中心', 2, 0);
      await store.putIssuer(p);
      await store.putIssuer(p);
      expect(await store.getIssuer(p.issuer.id)).to.deep.equal(p);
      expect(await store.getIssuer(issuerId())).to.equal(undefined);
    });

    test('ordering: (5,0) then (4,9) stays; (5,1) moves', async () => {
      const id = issuerId();
      const at50 = issuerProjection(id, 'Clinic at 5.0', 5, 0);
      await store.putIssuer(at50);
      await store.putIssuer(issuerProjection(id, 'Clinic at 4.9', 4, 9));
      expect(await store.getIssuer(id)).to.deep.equal(at50);
      const at51 = issuerProjection(id, 'Clinic at 5.1', 5, 1);
      at51.issuer.status = 'suspended';
      await store.putIssuer(at51);
      expect(await store.getIssuer(id)).to.deep.equal(at51);
    });

    test('listIssuers includes every issuer put, each at its newest version, sorted by id', async () => {
      const ids = [issuerId(), issuerId(), issuerId()];
      for (const id of ids) {
        await store.putIssuer(issuerProjection(id, `${id} v2`, 8, 1));
        await store.putIssuer(issuerProjection(id, `${id} v1`, 8, 0));
      }
      const listed = await store.listIssuers();
      const listedIds = listed.map((p) => p.issuer.id);
      expect(listedIds).to.deep.equal([...listedIds].sort());
      for (const id of ids) {
        expect(listed.find((p) => p.issuer.id === id)).to.deep.equal(issuerProjection(id, `${id} v2`, 8, 1));
      }
    });
  });

  describe('ledger projection: checkpoints', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip; unknown name is undefined; names are independent', async () => {
      const a = `events-${uid()}`;
      const b = `events-${uid()}`;
      expect(await store.getCheckpoint(a)).to.equal(undefined);
      await store.putCheckpoint(a, { block: 0, txIndex: 0 });
      expect(await store.getCheckpoint(a)).to.deep.equal({ block: 0, txIndex: 0 });
      await store.putCheckpoint(a, { block: 12, txIndex: 3 });
      await store.putCheckpoint(a, { block: 12, txIndex: 3 });
      await store.putCheckpoint(b, { block: 1, txIndex: 0 });
      expect(await store.getCheckpoint(a)).to.deep.equal({ block: 12, txIndex: 3 });
      expect(await store.getCheckpoint(b)).to.deep.equal({ block: 1, txIndex: 0 });
    });

    test('a checkpoint only moves forward: (5,2) then (4,9) or (5,1) stays; (5,3) and (6,0) move', async () => {
      const n = `events-${uid()}`;
      await store.putCheckpoint(n, { block: 5, txIndex: 2 });
      await store.putCheckpoint(n, { block: 4, txIndex: 9 });
      await store.putCheckpoint(n, { block: 5, txIndex: 1 });
      expect(await store.getCheckpoint(n)).to.deep.equal({ block: 5, txIndex: 2 });
      await store.putCheckpoint(n, { block: 5, txIndex: 3 });
      expect(await store.getCheckpoint(n)).to.deep.equal({ block: 5, txIndex: 3 });
      await store.putCheckpoint(n, { block: 6, txIndex: 0 });
      expect(await store.getCheckpoint(n)).to.deep.equal({ block: 6, txIndex: 0 });
    });
  });
}
