/**
 * Retention on a real (in-memory SQLite) store with a fixed clock: the cutoffs are the
 * notify window plus a day, a week for completed idempotency claims, 30 days for finished
 * notices, expiry for one-time nonces (challenges, c_nonces), a day past expiry for credential
 * offers, the challenge lifetime past expiry for presentation requests; one pass deletes
 * exactly what is older and reports it; a failing store is reported, not thrown.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SqliteStore } from '@anxin/gateway/store/sqlite';
import { NOTIFY_WINDOW_DAYS } from '@anxin/gateway/credentials';
import { Retention, type RetentionRun } from '@anxin/gateway/server';

const NOW = new Date('2026-11-25T08:00:00.000Z');
const daysAgo = (d: number, extraMs = 0) => new Date(NOW.getTime() - d * 86_400_000 + extraMs).toISOString();

describe('retention', () => {
  let store: SqliteStore;
  before(() => {
    store = new SqliteStore(':memory:');
  });
  after(() => store.close());

  it('cutoffs: the notify window plus a day, 7 days for claims, 30 for notices, nonces once expired, offers a day after, presentation requests 5 minutes after', () => {
    expect(NOTIFY_WINDOW_DAYS).to.equal(30);
    expect(Retention.cutoffs(NOW)).to.deep.equal({
      verifications: daysAgo(31),
      idempotency: daysAgo(7),
      notifications: daysAgo(30),
      nonces: NOW.toISOString(),
      offers: daysAgo(1),
      presentationRequests: new Date(NOW.getTime() - 300_000).toISOString(),
    });
  });

  it('one pass deletes what is older than its cutoff, keeps what is not, and reports the counts', async () => {
    const cred = 'urn:uuid:6f1c2b0e-8d8a-4b55-9e0e-3f6a2f1d2c01';
    await store.recordVerifications([
      { credentialId: cred, verifier: 'too-old', at: daysAgo(31, -1), verified: true },
      { credentialId: cred, verifier: 'still-in-window', at: daysAgo(31, 1), verified: true },
    ]);
    for (const [key, age] of [
      ['claim-8-days-old', 8],
      ['claim-6-days-old', 6],
    ] as const) {
      await store.claimIdempotencyKey({
        principal: 'p',
        key,
        requestHash: 'h',
        resource: cred,
        createdAt: daysAgo(age),
      });
      await store.completeIdempotencyKey('p', key, { status: 201, body: {} });
    }
    const nonce = (n: string, expiresAt: string) => ({
      nonce: n,
      purpose: 'challenge' as const,
      principal: 'verifier:hotpot',
      aud: 'https://anxin.example/verifiers/hotpot',
      createdAt: daysAgo(1),
      expiresAt,
    });
    await store.putNonce(nonce('expired-challenge-aaaaaaaaaaaaa', daysAgo(0, -1)));
    await store.putNonce(nonce('live-challenge-aaaaaaaaaaaaaaaa', daysAgo(0, 60_000)));
    const runs: RetentionRun[] = [];
    const r = new Retention(
      store,
      () => NOW,
      (x) => runs.push(x),
    );
    const run = await r.runOnce();
    expect(run).to.deep.equal({
      at: NOW.toISOString(),
      deleted: { verifications: 1, idempotency: 1, notifications: 0, nonces: 1, offers: 0, presentationRequests: 0 },
    });
    expect(
      await store.useNonce({ nonce: 'expired-challenge-aaaaaaaaaaaaa', purpose: 'challenge' }, NOW.toISOString()),
    ).to.deep.equal({ ok: false, why: 'unknown' });
    expect(
      (await store.useNonce({ nonce: 'live-challenge-aaaaaaaaaaaaaaaa', purpose: 'challenge' }, NOW.toISOString())).ok,
    ).to.equal(true);
    expect(runs).to.deep.equal([run]);
    expect((await store.verifiersSince(cred, daysAgo(400))).map((v) => v.verifier)).to.deep.equal(['still-in-window']);
    expect(
      await store.claimIdempotencyKey({
        principal: 'p',
        key: 'claim-8-days-old',
        requestHash: 'h2',
        createdAt: NOW.toISOString(),
      }),
    ).to.equal(undefined);
    expect(
      (
        await store.claimIdempotencyKey({
          principal: 'p',
          key: 'claim-6-days-old',
          requestHash: 'h2',
          createdAt: NOW.toISOString(),
        })
      )?.requestHash,
    ).to.equal('h');
    await r.stop();
  });

  it('a store that fails: the error goes to onError, the pass resolves to undefined', async () => {
    const broken = new SqliteStore(':memory:');
    await broken.close();
    const errors: unknown[] = [];
    const r = new Retention(
      broken,
      () => NOW,
      undefined,
      (e) => errors.push(e),
    );
    expect(await r.runOnce()).to.equal(undefined);
    expect(errors).to.have.length(1);
    expect(String(errors[0])).to.match(/closed/);
  });
});
