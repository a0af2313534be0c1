/** The Store contract: the verification log. */
import { expect } from 'chai';
import { beforeEach, describe } from 'mocha';
import type { Store } from '@anxin/gateway/store';
import type { StoreContractContext } from './context';
import { credentialId, shuffled } from './fixtures';

export function verificationsContract(ctx: StoreContractContext): void {
  const { test } = ctx;
  describe('verification log', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    test('verifiersSince: distinct verifiers, each with its latest entry, newest first', async () => {
      const cred = credentialId();
      const other = credentialId();
      const log = [
        { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-01T06:30:00Z', verified: true },
        { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-20T06:30:00Z', verified: false },
        { credentialId: cred, verifier: 'hotpot-chengdu', at: '2026-05-10T06:30:00Z', verified: true },
        { credentialId: cred, verifier: 'noodle-shop', at: '2026-05-15T12:00:00Z', verified: true },
        { credentialId: cred, verifier: 'noodle-shop', at: '2026-05-15T11:00:00Z', verified: true },
        { credentialId: other, verifier: 'tea-house', at: '2026-05-16T12:00:00Z', verified: true },
      ];
      await store.recordVerifications(shuffled(log));
      expect(await store.verifiersSince(cred, '2026-04-01T00:00:00Z')).to.deep.equal([log[1], log[3]]);
      expect(await store.verifiersSince(other, '2026-04-01T00:00:00Z')).to.deep.equal([log[5]]);
      expect(await store.verifiersSince(credentialId(), '2026-04-01T00:00:00Z')).to.deep.equal([]);
    });

    test('since filters by instant (inclusive) and drops verifiers seen only before it', async () => {
      const cred = credentialId();
      const early = { credentialId: cred, verifier: 'early-only', at: '2026-03-01T00:00:00Z', verified: true };
      const edge = { credentialId: cred, verifier: 'on-the-edge', at: '2026-04-01T00:00:00Z', verified: true };
      const late = { credentialId: cred, verifier: 'late', at: '2026-04-15T00:00:00Z', verified: false };
      const lateBefore = { ...late, at: '2026-03-15T00:00:00Z', verified: true };
      await store.recordVerifications([early, edge, late, lateBefore]);
      expect(await store.verifiersSince(cred, '2026-04-01T00:00:00Z')).to.deep.equal([late, edge]);
      expect(await store.verifiersSince(cred, '2026-04-01T00:00:00.001Z')).to.deep.equal([late]);
      expect(await store.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([]);
      expect(await store.verifiersSince(cred, '2026-01-01T00:00:00Z')).to.deep.equal([late, edge, early]);
    });

    test('instants compare as time, not as text (with and without fractional seconds, offsets)', async () => {
      const cred = credentialId();
      const whole = { credentialId: cred, verifier: 'v', at: '2026-05-01T08:00:00Z', verified: false };
      const fraction = { credentialId: cred, verifier: 'v', at: '2026-05-01T08:00:00.500Z', verified: true };
      await store.recordVerifications([fraction]);
      await store.recordVerifications([whole]);
      expect(await store.verifiersSince(cred, '2026-05-01T00:00:00Z')).to.deep.equal([fraction]);
      expect(await store.verifiersSince(cred, '2026-05-01T08:00:00.250Z')).to.deep.equal([fraction]);
      // 16:00+08:00 is 08:00Z: the same instant, so the entry at 08:00:00.500Z is after it
      expect(await store.verifiersSince(cred, '2026-05-01T16:00:00+08:00')).to.deep.equal([fraction]);
    });

    test('recording the same entry twice is one entry', async () => {
      const cred = credentialId();
      const e = { credentialId: cred, verifier: 'dup', at: '2026-05-01T08:00:00Z', verified: true };
      await store.recordVerifications([e]);
      await store.recordVerifications([e, e]);
      expect(await store.verifiersSince(cred, '2026-01-01T00:00:00Z')).to.deep.equal([e]);
    });
  });
}
