/** The Store contract: printed work cards. */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { PrintedCardRecord, Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';

function card(): PrintedCardRecord {
  return {
    id: randomBytes(9).toString('base64url'),
    credentialId: `urn:uuid:${crypto.randomUUID()}`,
    issuer: 'urn:anxin:issuer:cdc',
    secretHash: randomBytes(32).toString('hex'),
    disclose: ['holder.name', 'healthCertificate.result'],
    createdAt: '2026-03-20T08:00:00Z',
  };
}

export function printedCardsContract(ctx: StoreContractContext): void {
  const { test, open } = ctx;
  describe('printed work cards', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('put, read back as written, and there for a second handle; an unknown id: undefined', async () => {
      const c = card();
      await store.putPrintedCard(c);
      expect(await store.getPrintedCard(c.id)).to.deep.equal(c);
      const again = await open();
      ctx.extra.push(again);
      expect(await again.getPrintedCard(c.id)).to.deep.equal(c);
      expect(await store.getPrintedCard('no-such-card')).to.equal(undefined);
    });

    test('an id already recorded is refused', async () => {
      const c = card();
      await store.putPrintedCard(c);
      let refused = false;
      await store.putPrintedCard({ ...card(), id: c.id }).catch(() => (refused = true));
      expect(refused).to.equal(true);
      expect(await store.getPrintedCard(c.id)).to.deep.equal(c);
    });

    test('revoked once: the first time kept; an unknown card: false', async () => {
      const c = card();
      await store.putPrintedCard(c);
      expect(await store.revokePrintedCard(c.id, '2026-03-21T00:00:00Z')).to.equal(true);
      expect(await store.revokePrintedCard(c.id, '2026-03-22T00:00:00Z')).to.equal(true);
      expect(await store.getPrintedCard(c.id)).to.deep.equal({ ...c, revokedAt: '2026-03-21T00:00:00Z' });
      expect(await store.revokePrintedCard('no-such-card', '2026-03-21T00:00:00Z')).to.equal(false);
    });
  });
}
