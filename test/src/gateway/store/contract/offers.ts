/** The Store contract: credential offers (OpenID4VCI pre-authorized code flow). */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { OfferRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { AT_EXPIRY, BEFORE_EXPIRY, sealedFixture, thumb } from './fixtures';

function offerRecord(over: Partial<OfferRecord> = {}): OfferRecord {
  return {
    id: thumb().slice(0, 22),
    issuer: 'urn:anxin:issuer:chengdu-wuhou-cdc',
    configurationId: 'HealthCertificate',
    sealed: sealedFixture(64).sealed,
    codeHash: thumb(),
    pinHash: thumb(),
    pinSalt: thumb().slice(0, 22),
    createdAt: '2026-05-01T06:25:00+08:00',
    expiresAt: '2026-05-01T06:35:00+08:00',
    failures: 0,
    ...over,
  };
}

const redemption = (at = BEFORE_EXPIRY) => ({
  redeemedAt: at,
  tokenHash: thumb(),
  tokenExpiresAt: '2026-04-30T22:36:00.000Z',
});

export function offersContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('credential offers', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('put, then read back by id and by code hash as written; an id or a code twice is refused', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      expect(await store.getOffer(o.id)).to.deep.equal(o);
      expect(await store.findOffer({ codeHash: o.codeHash })).to.deep.equal(o);
      expect(await store.findOffer({ codeHash: thumb() })).to.equal(undefined);
      expect(await store.getOffer(thumb().slice(0, 22))).to.equal(undefined);
      let refused = 0;
      for (const again of [offerRecord({ id: o.id }), offerRecord({ codeHash: o.codeHash })])
        await store.putOffer(again).catch(() => refused++);
      expect(refused).to.equal(2);
    });

    test('redeemed once: the second redemption is refused; the token hash finds the offer', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      const r = redemption();
      expect(await store.redeemOffer(o.id, r, 5)).to.equal(true);
      expect(await store.redeemOffer(o.id, redemption(), 5)).to.equal(false);
      expect(await store.findOffer({ tokenHash: r.tokenHash })).to.deep.equal({ ...o, ...r });
    });

    test('two concurrent redemptions: exactly one wins', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      const other = await open();
      extra.push(other);
      const won = await Promise.all([
        store.redeemOffer(o.id, redemption(), 5),
        other.redeemOffer(o.id, redemption(), 5),
      ]);
      expect(won.filter(Boolean)).to.have.length(1);
    });

    test('not at or after its expiry', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      expect(await store.redeemOffer(o.id, redemption(AT_EXPIRY), 5)).to.equal(false);
      expect((await store.getOffer(o.id))!.redeemedAt).to.equal(undefined);
    });

    test('wrong PINs are counted, durably; at the limit the offer is not redeemed', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      for (let i = 1; i <= 5; i++) expect(await store.countOfferFailure(o.id)).to.equal(i);
      const reopened = await open();
      extra.push(reopened);
      expect((await reopened.getOffer(o.id))!.failures).to.equal(5);
      expect(await reopened.redeemOffer(o.id, redemption(), 5)).to.equal(false);
      expect(await store.countOfferFailure(thumb())).to.equal(0);
    });

    test('pruned once expired before the cutoff, redeemed or not; a prune without an offer cutoff keeps them', async () => {
      const old = offerRecord({ expiresAt: '2020-05-01T00:00:00Z' });
      const redeemed = offerRecord({ expiresAt: '2020-05-01T00:05:00Z' });
      const live = offerRecord({ expiresAt: '2020-06-02T00:00:00Z' });
      for (const o of [old, redeemed, live]) await store.putOffer(o);
      expect(await store.redeemOffer(redeemed.id, redemption('2020-05-01T00:01:00Z'), 5)).to.equal(true);
      const cut = '2020-06-01T00:00:00Z';
      const base = {
        verifications: '2000-01-01T00:00:00Z',
        idempotency: '2000-01-01T00:00:00Z',
        notifications: '2000-01-01T00:00:00Z',
        nonces: '2000-01-01T00:00:00Z',
      };
      expect((await store.prune(base)).offers).to.equal(undefined);
      expect(await store.getOffer(old.id)).to.not.equal(undefined);
      expect((await store.prune({ ...base, offers: cut })).offers).to.be.at.least(2);
      expect(await store.getOffer(old.id)).to.equal(undefined);
      expect(await store.getOffer(redeemed.id)).to.equal(undefined);
      expect(await store.getOffer(live.id)).to.deep.equal(live);
    });

    test('completed with the credential it issued (idempotent)', async () => {
      const o = offerRecord();
      await store.putOffer(o);
      await store.completeOffer(o.id, 'urn:uuid:00000000-0000-4000-8000-000000000001');
      await store.completeOffer(o.id, 'urn:uuid:00000000-0000-4000-8000-000000000001');
      expect((await store.getOffer(o.id))!.credentialId).to.equal('urn:uuid:00000000-0000-4000-8000-000000000001');
    });
  });
}
