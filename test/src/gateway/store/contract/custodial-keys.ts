/** The Store contract: custodial keys. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { custodialKey, issuerId, sealedFixture, thumb } from './fixtures';

export function custodialKeysContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('custodial keys', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('round trip; unknown kid is undefined; listed by owner only', async () => {
      const owner = issuerId();
      const a = custodialKey(owner, { createdAt: '2026-05-01T00:00:00Z' });
      const b = custodialKey(owner, {
        alg: 'EdDSA',
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: thumb() },
        createdAt: '2026-06-01T00:00:00Z',
      });
      const other = custodialKey(issuerId());
      for (const k of [b, other, a]) await store.putCustodialKey(k);
      await store.putCustodialKey(a);
      expect(await store.getCustodialKey(a.kid)).to.deep.equal(a);
      expect(await store.getCustodialKey(`${owner}#${thumb()}`)).to.equal(undefined);
      expect(await store.listCustodialKeys(owner)).to.deep.equal([a, b]);
      expect(await store.listCustodialKeys(issuerId())).to.deep.equal([]);
    });

    test('the sealed private key round-trips byte-exact', async () => {
      const { sealed, bytes } = sealedFixture(4096);
      const k = custodialKey(issuerId(), { sealed });
      await store.putCustodialKey(k);
      const back = (await store.getCustodialKey(k.kid))!;
      expect(back.sealed).to.deep.equal(sealed);
      expect(Buffer.from(back.sealed.iv, 'base64url').equals(bytes.iv)).to.equal(true);
      expect(Buffer.from(back.sealed.ct, 'base64url').equals(bytes.ct)).to.equal(true);
      expect(Buffer.from(back.sealed.tag, 'base64url').equals(bytes.tag)).to.equal(true);
    });
  });
}
