/** The Store contract: presentation requests (OpenID4VP), answered once. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store, StoredPresentationRequest } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { AT_EXPIRY, BEFORE_EXPIRY, sealedFixture, thumb } from './fixtures';

function presentationRequest(over: Partial<StoredPresentationRequest> = {}): StoredPresentationRequest {
  return {
    id: thumb().slice(0, 22),
    verifier: { type: 'verifier', id: 'chengdu-hotpot-house' },
    // What a DCQL query looks like, keys with `$` and `.` in names included: read back as written.
    request: {
      verifierName: '成都老码头火锅',
      preset: 'food_service_shift',
      job: { zh: '餐饮服务', en: 'Food service' },
      dcql: { credentials: [{ id: 'health', format: 'dc+sd-jwt', meta: { vct_values: ['https://x/vct'] } }] },
      fields: [
        { credential: 'health', path: ['healthCertificate', 'categories'], label_zh: '类别', label_en: 'Categories' },
      ],
      nonce: thumb(),
      state: thumb().slice(0, 22),
      clientId: 'decentralized_identifier:did:web:anxin.example',
      odd: { 'a.b': 1, $c: [null, true, 0.5, ''] },
    },
    createdAt: '2026-05-01T06:30:00+08:00',
    expiresAt: '2026-05-01T06:35:00+08:00',
    ...over,
  };
}

const answer = (at = BEFORE_EXPIRY) => ({ answeredAt: at, answer: sealedFixture(64).sealed });

export function presentationRequestsContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('presentation requests', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('put, then read back as written; an id twice is refused; an unknown id is not found', async () => {
      const r = presentationRequest();
      await store.putPresentationRequest(r);
      expect(await store.getPresentationRequest(r.id)).to.deep.equal(r);
      expect(await store.getPresentationRequest(thumb().slice(0, 22))).to.equal(undefined);
      let refused = false;
      await store.putPresentationRequest(presentationRequest({ id: r.id })).catch(() => (refused = true));
      expect(refused).to.equal(true);
      expect(await store.getPresentationRequest(r.id)).to.deep.equal(r);
    });

    test('answered once: the second answer is refused and the first is kept, after a reopen too', async () => {
      const r = presentationRequest();
      await store.putPresentationRequest(r);
      const first = answer();
      expect(await store.answerPresentationRequest(r.id, first)).to.equal(true);
      expect(await store.answerPresentationRequest(r.id, answer())).to.equal(false);
      const reopened = await open();
      extra.push(reopened);
      expect(await reopened.getPresentationRequest(r.id)).to.deep.equal({ ...r, ...first });
      expect(await store.answerPresentationRequest(thumb().slice(0, 22), answer())).to.equal(false);
    });

    test('two concurrent answers on two handles: exactly one is kept', async () => {
      const r = presentationRequest();
      await store.putPresentationRequest(r);
      const other = await open();
      extra.push(other);
      const a = answer();
      const b = answer();
      const won = await Promise.all([
        store.answerPresentationRequest(r.id, a),
        other.answerPresentationRequest(r.id, b),
      ]);
      expect(won.filter(Boolean)).to.have.length(1);
      const kept = (await store.getPresentationRequest(r.id))!.answer;
      expect(kept).to.deep.equal(won[0] ? a.answer : b.answer);
    });

    test('not answered at or after its expiry', async () => {
      const r = presentationRequest();
      await store.putPresentationRequest(r);
      expect(await store.answerPresentationRequest(r.id, answer(AT_EXPIRY))).to.equal(false);
      expect(await store.getPresentationRequest(r.id)).to.deep.equal(r);
    });

    test('pending ones counted: neither answered nor expired', async () => {
      // A day of its own, counted before and after: a shared database may hold others' requests.
      const day = (h: string) => `2031-03-0${h}`;
      const at = day('1T12:00:00Z');
      const before = await store.countPendingPresentationRequests(at);
      const beforeLater = await store.countPendingPresentationRequests(day('1T12:03:00Z'));
      const live = presentationRequest({ createdAt: day('1T11:58:00Z'), expiresAt: day('1T12:03:00Z') });
      const answered = presentationRequest({ createdAt: day('1T11:58:00Z'), expiresAt: day('1T12:03:00Z') });
      const expired = presentationRequest({ createdAt: day('1T11:50:00Z'), expiresAt: day('1T11:55:00Z') });
      for (const r of [live, answered, expired]) await store.putPresentationRequest(r);
      expect(await store.answerPresentationRequest(answered.id, answer(day('1T11:59:00Z')))).to.equal(true);
      expect(await store.countPendingPresentationRequests(at)).to.equal(before + 1);
      expect(await store.countPendingPresentationRequests(day('1T12:03:00Z'))).to.equal(beforeLater);
    });

    test('pruned once expired before the cutoff, answered or not; a prune without that cutoff keeps them', async () => {
      const old = presentationRequest({ expiresAt: '2020-05-01T00:00:00Z' });
      const answered = presentationRequest({ expiresAt: '2020-05-01T00:05:00Z' });
      const live = presentationRequest({ expiresAt: '2020-06-02T00:00:00Z' });
      for (const r of [old, answered, live]) await store.putPresentationRequest(r);
      expect(await store.answerPresentationRequest(answered.id, answer('2020-05-01T00:01:00Z'))).to.equal(true);
      const base = {
        verifications: '2000-01-01T00:00:00Z',
        idempotency: '2000-01-01T00:00:00Z',
        notifications: '2000-01-01T00:00:00Z',
        nonces: '2000-01-01T00:00:00Z',
      };
      expect((await store.prune(base)).presentationRequests).to.equal(undefined);
      expect(await store.getPresentationRequest(old.id)).to.not.equal(undefined);
      const pruned = await store.prune({ ...base, presentationRequests: '2020-06-01T00:00:00Z' });
      expect(pruned.presentationRequests).to.be.at.least(2);
      expect(await store.getPresentationRequest(old.id)).to.equal(undefined);
      expect(await store.getPresentationRequest(answered.id)).to.equal(undefined);
      expect(await store.getPresentationRequest(live.id)).to.deep.equal(live);
    });
  });
}
