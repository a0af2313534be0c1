/** The Store contract: lifecycle — ping, close, and every kind of record still there after reopening. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { IdempotencyRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { anchor, apiKey, credential, custodialKey, hex, issuerId, issuerProjection, uid } from './fixtures';

export function lifecycleContract(ctx: StoreContractContext): void {
  const { test, open, extra } = ctx;
  describe('lifecycle', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('ping answers true while open', async () => {
      expect(await store.ping()).to.equal(true);
      expect(store.kind).to.be.oneOf(['sqlite', 'mongodb']);
    });

    test('close, then reopen: every kind of record written before is still there', async () => {
      const first = await open();
      const k = apiKey({ label: '重开 reopen' });
      const ck = custodialKey(issuerId());
      const c = credential({
        state: 'anchored',
        anchor: { txId: hex(32), block: 9, anchoredAt: '2026-05-01T06:30:01Z' },
      });
      const a = anchor(9, 2);
      const iss = issuerProjection(issuerId(), 'Reopen Clinic', 9, 1);
      const cp = `reopen-${uid()}`;
      const idem: IdempotencyRecord = {
        principal: k.principal.id,
        key: `idem-${uid()}`,
        requestHash: hex(32),
        createdAt: '2026-05-01T06:30:00Z',
      };
      const cred = c.id;
      await first.putApiKey(k);
      await first.putCustodialKey(ck);
      await first.putCredential(c);
      await first.putAnchor(a);
      await first.putIssuer(iss);
      await first.putCheckpoint(cp, { block: 9, txIndex: 3 });
      expect(await first.claimIdempotencyKey(idem)).to.equal(undefined);
      await first.recordVerifications([
        {
          credentialId: cred,
          verifier: 'v-reopen',
          at: '2026-05-01T06:31:00Z',
          verified: true,
        },
      ]);
      await first.close();
      expect(await first.ping()).to.equal(false, 'a closed store does not answer ping');

      const again = await open();
      extra.push(again);
      expect(await again.getApiKey(k.id)).to.deep.equal(k);
      expect(await again.getCustodialKey(ck.kid)).to.deep.equal(ck);
      expect(await again.getCredential(c.id)).to.deep.equal(c);
      expect(await again.getAnchor(a.id)).to.deep.equal(a);
      expect(await again.getIssuer(iss.issuer.id)).to.deep.equal(iss);
      expect(await again.getCheckpoint(cp)).to.deep.equal({ block: 9, txIndex: 3 });
      expect(await again.claimIdempotencyKey({ ...idem, requestHash: hex(32) })).to.deep.equal(idem);
      expect(await again.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([
        { credentialId: cred, verifier: 'v-reopen', at: '2026-05-01T06:31:00Z', verified: true },
      ]);
    });
  });
}
