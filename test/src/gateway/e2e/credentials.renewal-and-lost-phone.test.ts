/**
 * Renewal and the lost phone, over HTTP: POST /v1/credentials with `replaces` anchors a
 * renewal linked both ways on the ledger (status and verification reports name the chain);
 * with `supersede: true` and a new device key, the old credential is revoked as superseded in
 * the same transaction, so the old card fails and the new one verifies. A renewal for another
 * holder, of another issuer's credential, or of one renewed already is refused and anchors nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CompactSign, importJWK } from 'jose';
import { after, before, it } from 'mocha';
import {
  TestGateway,
  describeOnLedgers,
  deviceKey,
  expectFailed,
  expectProblem,
  expectVerified,
  exampleHolder,
  presentWith,
  type DeviceKey,
  type Issued,
  type RegisteredIssuer,
} from '../../helpers/gateway';

/** What the worker shows from the device: everything but the commitment, with a KB-JWT signed by `key`. */
async function shownFrom(issued: Issued, key: DeviceKey, nonce: string, aud: string): Promise<string> {
  const presented = presentWith(issued.credential, (d) => !['idNumber', 'salt', 'ref'].includes(d.name ?? ''));
  const kb = await new CompactSign(
    Buffer.from(
      JSON.stringify({
        iat: Math.floor(Date.now() / 1000),
        nonce,
        aud,
        sd_hash: createHash('sha256').update(presented).digest('base64url'),
      }),
    ),
  )
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(await importJWK(key.privateJwk as never, 'ES256'));
  return `${presented}${kb}`;
}

describeOnLedgers('e2e: renewal chain and re-issue after a lost phone', function (ledger) {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let other: RegisteredIssuer;
  let verifier: string;
  const status = (id: string) => gw.api('GET', `/v1/credentials/${encodeURIComponent(id)}/status`);

  before(async () => {
    gw = await TestGateway.start({ ledger });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  it('a renewal names the credential it replaces; status and reports show the chain; both verify', async () => {
    const old = await gw.issue(cdc.apiKey, 'HealthCertificate');
    const renewed = await gw.issue(cdc.apiKey, 'HealthCertificate', { replaces: old.id });
    const before = await status(old.id);
    expect(before.body).to.include({ status: 'active', replacedBy: renewed.id });
    expect(before.body).to.not.have.property('replaces');
    expect((await status(renewed.id)).body).to.include({ status: 'active', replaces: old.id });
    const rOld = await gw.verify(verifier, old.presentation);
    expectVerified(rOld);
    expect(rOld.anchor).to.include({ replacedBy: renewed.id });
    const rNew = await gw.verify(verifier, renewed.presentation);
    expectVerified(rNew);
    expect(rNew.anchor).to.include({ replaces: old.id });
    // The issuer's own view of the stored credential names it too.
    const own = await gw.api('GET', `/v1/credentials/${encodeURIComponent(old.id)}`, { key: cdc.apiKey });
    expect(own.body).to.include({ replacedBy: renewed.id });
  });

  it('already_replaced: a credential is renewed once; the second renewal anchors nothing', async () => {
    const old = await gw.issue(cdc.apiKey, 'HealthCertificate');
    const first = await gw.issue(cdc.apiKey, 'HealthCertificate', { replaces: old.id });
    const height = await gw.height();
    const res = await gw.api('POST', '/v1/credentials', {
      key: cdc.apiKey,
      body: { ...gw.issueBody('HealthCertificate'), replaces: old.id },
    });
    expectProblem(res, 409, 'already_replaced');
    expect(await gw.height()).to.equal(height);
    expect((await status(old.id)).body.replacedBy).to.equal(first.id);
  });

  it('replaces_mismatch: the holder given is not the one the replaced credential names', async () => {
    const old = await gw.issue(cdc.apiKey, 'HealthCertificate');
    const res = await gw.api('POST', '/v1/credentials', {
      key: cdc.apiKey,
      body: { ...gw.issueBody('HealthCertificate', { holder: exampleHolder(1) }), replaces: old.id },
    });
    expectProblem(res, 409, 'replaces_mismatch');
    expect(res.body.errors[0]).to.include({ field: '/holder/idNumber' });
    expect((await status(old.id)).body).to.not.have.property('replacedBy');
  });

  it('not_found: another issuer’s credential, or one never issued', async () => {
    const theirs = await gw.issue(other.apiKey, 'HealthCertificate');
    for (const replaces of [theirs.id, `urn:uuid:${randomUUID()}`]) {
      const res = await gw.api('POST', '/v1/credentials', {
        key: cdc.apiKey,
        body: { ...gw.issueBody('HealthCertificate'), replaces },
      });
      expectProblem(res, 404, 'not_found');
      expect(res.body.errors[0]).to.include({ field: '/replaces' });
    }
    expect((await status(theirs.id)).body).to.not.have.property('replacedBy');
  });

  it('validation_failed: supersede without replaces', async () => {
    const res = await gw.api('POST', '/v1/credentials', {
      key: cdc.apiKey,
      body: { ...gw.issueBody('HealthCertificate'), supersede: true },
    });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0]).to.include({ field: '/replaces' });
  });

  it('lost phone: re-issued to a new device key with supersede; the old card fails as superseded, the new verifies', async () => {
    const lost = deviceKey();
    const fresh = deviceKey();
    const old = await gw.issue(cdc.apiKey, 'HealthCertificate', {
      format: 'dc+sd-jwt',
      holderKey: lost.privateJwk,
    });
    const aud = 'https://hotpot.example.cn/verify';
    const nonce = `n-${randomUUID()}`;
    expectVerified(await gw.verify(verifier, await shownFrom(old, lost, nonce, aud), { nonce, audience: aud }), 'pass');

    const height = await gw.height();
    const reissued = await gw.issue(cdc.apiKey, 'HealthCertificate', {
      format: 'dc+sd-jwt',
      holderKey: fresh.privateJwk,
      replaces: old.id,
      supersede: true,
    });
    // One transaction: the new anchor, the link, and the old one's revocation.
    expect(await gw.height()).to.equal(height + 1);

    const oldStatus = (await status(old.id)).body;
    expect(oldStatus).to.include({ status: 'revoked', statusReason: 'superseded', replacedBy: reissued.id });
    expect((await status(reissued.id)).body).to.include({ status: 'active', replaces: old.id });

    const n2 = `n-${randomUUID()}`;
    const rOld = await gw.verify(verifier, await shownFrom(old, lost, n2, aud), { nonce: n2, audience: aud });
    expectFailed(rOld, 'status', 'revoked');
    expect(rOld.anchor).to.include({ status: 'revoked', statusReason: 'superseded', replacedBy: reissued.id });
    const n3 = `n-${randomUUID()}`;
    const rNew = await gw.verify(verifier, await shownFrom(reissued, fresh, n3, aud), { nonce: n3, audience: aud });
    expectVerified(rNew, 'pass');
    expect(rNew.anchor).to.include({ replaces: old.id });
  });

  it('invalid_transition: superseding a revoked credential; renewing it plainly is allowed', async () => {
    const old = await gw.issue(cdc.apiKey, 'HealthCertificate');
    expect((await gw.changeStatus(cdc.apiKey, old.id, 'revoke', 're_examination_failed')).status).to.equal(200);
    const res = await gw.api('POST', '/v1/credentials', {
      key: cdc.apiKey,
      body: { ...gw.issueBody('HealthCertificate'), replaces: old.id, supersede: true },
    });
    expectProblem(res, 409, 'invalid_transition');
    const renewed = await gw.issue(cdc.apiKey, 'HealthCertificate', { replaces: old.id });
    expect((await status(old.id)).body).to.include({ status: 'revoked', replacedBy: renewed.id });
  });
});
