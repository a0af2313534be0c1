/**
 * Verification threads (VerifierPool): the reports they make are the reports the main
 * thread makes, registry changes reach them before the next verification, a thread that
 * dies fails only what it held and is replaced, and a closed pool still verifies (inline).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { VerifierPool, verifyDeps } from '@anxin/gateway/server';
import { DomainError, type VerificationReport } from '@anxin/gateway';
import {
  TestGateway,
  expectFailed,
  expectVerified,
  withoutCommitment,
  type Issued,
  type RegisteredIssuer,
} from '../helpers/gateway';
import { tempDir } from '../helpers/tmp';

function withoutTime(r: VerificationReport): Omit<VerificationReport, 'checkedAt'> {
  const { checkedAt: _t, ...rest } = r;
  return rest;
}

describe('gateway: verification threads', function () {
  let gw: TestGateway;
  let issuer: RegisteredIssuer;
  let good: Issued;
  let sd: Issued;
  let revoked: Issued;
  let threads: VerifierPool;
  let inline: VerifierPool;

  before(async () => {
    gw = await TestGateway.start();
    issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    good = await gw.issue(issuer.apiKey, 'HealthCertificate');
    sd = await gw.issue(issuer.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    revoked = await gw.issue(issuer.apiKey, 'HealthCertificate');
    expect((await gw.changeStatus(issuer.apiKey, revoked.id, 'revoke', 'superseded')).status).to.equal(200);
    threads = new VerifierPool(2, verifyDeps(gw.services), gw.services.projection);
    inline = new VerifierPool(0, verifyDeps(gw.services), gw.services.projection);
  });
  after(async () => {
    await threads?.close();
    await inline?.close();
    await gw?.stop();
  });

  it('threads and the main thread give the same report, check by check, for good and bad input', async () => {
    // The payload changed after signing (a later expiry), the signature kept.
    const [h, p, s] = good.credential.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { exp: number };
    claims.exp += 365 * 86_400;
    const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const inputs = [good.credential, withoutCommitment(sd.credential), revoked.credential, tampered, 'garbage', ''];
    const fromThreads = await Promise.all(inputs.map((c) => threads.verify(c)));
    const fromMain = await Promise.all(inputs.map((c) => inline.verify(c)));
    expect(fromThreads.map(withoutTime)).to.deep.equal(fromMain.map(withoutTime));
    expectVerified(fromThreads[0]!);
    expectVerified(fromThreads[1]!);
    expectFailed(fromThreads[2]!, 'status', 'revoked');
    expectFailed(fromThreads[3]!, 'signature', 'bad_signature');
    expect(fromThreads[4]!.checks.format).to.equal('fail');
  });

  it('an issuer suspended on the ledger is suspended in every thread by the next verification', async () => {
    const patch = (status: string) =>
      gw.api('PATCH', `/v1/issuers/${encodeURIComponent(issuer.id)}`, { key: gw.adminKey, body: { status } });
    expect((await patch('suspended')).status).to.equal(200);
    // Anchored while the issuer was active, the credential still verifies; each thread judges it
    // against the suspension it now knows of.
    const during = await Promise.all([1, 2, 3, 4].map(() => threads.verify(good.credential)));
    for (const r of during) {
      expectVerified(r);
      expect(r.authority).to.deep.include({ rule: 'anchored_before_suspension' });
      expect(r.authority!.issuer.status).to.equal('suspended');
    }
    expect((await patch('active')).status).to.equal(200);
    for (const r of await Promise.all([1, 2, 3, 4].map(() => threads.verify(good.credential)))) {
      expectVerified(r);
      expect(r.authority!.rule).to.equal('issuer_active');
    }
  });

  it('a key rotated after the threads started is known to them', async () => {
    const res = await gw.api('POST', `/v1/issuers/${encodeURIComponent(issuer.id)}/keys`, {
      key: gw.adminKey,
      body: {},
    });
    expect(res.status, res.text).to.equal(201);
    const fresh = await gw.issue(issuer.apiKey, 'HealthCertificate');
    expect(fresh.credential.split('.')[0]).not.to.equal(good.credential.split('.')[0]);
    for (const r of await Promise.all([1, 2].map(() => threads.verify(fresh.credential)))) expectVerified(r);
  });

  it('a thread that dies fails what it held, is replaced, and verification goes on', async () => {
    const errors: unknown[] = [];
    const pool = new VerifierPool(1, verifyDeps(gw.services), gw.services.projection, (e) => errors.push(e));
    try {
      expectVerified(await pool.verify(good.credential));
      const held = Array.from({ length: 20 }, () => pool.verify(good.credential));
      // Reach into the pool only to kill its one thread, as a crash would.
      await (
        pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }
      ).threads[0]!.worker.terminate();
      const settled = await Promise.allSettled(held);
      const failed = settled.filter((x) => x.status === 'rejected');
      for (const x of settled) if (x.status === 'fulfilled') expectVerified(x.value);
      expect(failed.length, 'verifications held by the dead thread').to.be.greaterThan(0);
      expect(errors).to.have.length(1);
      expectVerified(await pool.verify(good.credential));
    } finally {
      await pool.close();
    }
  });

  it('threads that cannot start are given up after three tries: the pool verifies inline', async () => {
    const broken = join(tempDir('pool'), 'broken-worker.js');
    writeFileSync(broken, "throw new Error('this thread cannot start');\n");
    const errors: unknown[] = [];
    const pool = new VerifierPool(1, verifyDeps(gw.services), gw.services.projection, (e) => errors.push(e), broken);
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 10 && outcomes.at(-1) !== 'verified'; i++) {
        outcomes.push(
          await pool.verify(good.credential).then(
            (r) => (r.verified ? 'verified' : 'failed'),
            () => 'thread died',
          ),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(errors, 'each death reported').to.have.length(3);
      expect(outcomes.at(-1)).to.equal('verified');
      expect(outcomes.filter((o) => o === 'thread died').length).to.be.at.most(3);
      expectVerified(await pool.verify(good.credential));
      expect(errors).to.have.length(3);
    } finally {
      await pool.close();
    }
  });

  it('a coded refusal of the anchor look-up keeps its code across the thread (ledger_unavailable, not a bare Error)', async () => {
    const deps = {
      ...verifyDeps(gw.services),
      anchor: () => Promise.reject(new DomainError('ledger_unavailable', 'the ledger does not answer')),
    };
    const pool = new VerifierPool(1, deps, gw.services.projection);
    const same = new VerifierPool(0, deps, gw.services.projection);
    try {
      for (const p of [pool, same]) {
        const e: unknown = await p.verify(good.credential).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e, p === pool ? 'threaded' : 'inline').to.be.instanceOf(DomainError);
        expect((e as DomainError).code).to.equal('ledger_unavailable');
      }
    } finally {
      await pool.close();
      await same.close();
    }
  });

  it('a closed pool verifies inline', async () => {
    const pool = new VerifierPool(1, verifyDeps(gw.services), gw.services.projection);
    await pool.close();
    expectVerified(await pool.verify(good.credential));
  });
});
