/**
 * Authority is judged when the ledger anchored a credential, end to end: suspension and
 * narrowed types stop new issuance only, a revocation fails what was anchored from its
 * `since` on; the report and the trust list say so.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { ajv } from '@anxin/schemas';
import {
  TestGateway,
  describeOnLedgers,
  expectFailed,
  expectProblem,
  expectVerified,
  isoFromNow,
  DAY,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';
import { USCC_OF_KIND } from '../../helpers/statements';

describeOnLedgers('e2e: who may issue what, judged when anchored', function (ledger) {
  let gw: TestGateway;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  const path = (i: RegisteredIssuer) => `/v1/issuers/${encodeURIComponent(i.id)}`;
  const patch = (i: RegisteredIssuer, body: object) => gw.api('PATCH', path(i), { key: gw.adminKey, body });

  describe('authority is judged when the credential was anchored', () => {
    it('suspended: the earlier credential verifies (rule anchored_before_suspension), new issuance is refused', async () => {
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const before = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      const res = await patch(cdc, { status: 'suspended' });
      expect(res.status, res.text).to.equal(200);
      const r = await gw.verify(verifier, before.presentation);
      expectVerified(r);
      expect(r.authority).to.deep.include({
        judgedAt: before.anchor.anchoredAt,
        basis: 'anchoredAt',
        rule: 'anchored_before_suspension',
        typeRule: 'allowed',
      });
      expectProblem(await gw.issueRaw(cdc.apiKey, 'HealthCertificate'), 403, 'issuer_not_active');
    });

    it('revoked since an instant: what was anchored before passes, what was anchored after fails issuer_revoked', async () => {
      const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
      const early = await gw.issue(platform.apiKey, 'LaborContract');
      await new Promise((r) => setTimeout(r, 20));
      const since = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      const late = await gw.issue(platform.apiKey, 'LaborContract', { format: 'dc+sd-jwt' });
      expect(Date.parse(late.anchor.anchoredAt)).to.be.greaterThan(Date.parse(since));

      expectProblem(await patch(platform, { status: 'revoked', since: isoFromNow(DAY) }), 400, 'validation_failed');
      expectProblem(await patch(platform, { status: 'suspended', since }), 400, 'validation_failed');
      const res = await patch(platform, { status: 'revoked', since });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ status: 'revoked', revokedSince: since });
      expect((await gw.api('GET', path(platform))).body.revokedSince).to.equal(since);
      const listed = (await gw.api('GET', '/v1/issuers')).body.issuers.find((i: Loose) => i.id === platform.id);
      expect(listed).to.include({ status: 'revoked', revokedSince: since });

      const ok = await gw.verify(verifier, early.presentation);
      expectVerified(ok);
      expect(ok.authority).to.deep.include({ judgedAt: early.anchor.anchoredAt, rule: 'anchored_before_revocation' });
      expect(ok.authority!.issuer).to.deep.equal({ status: 'revoked', revokedSince: since });
      const bad = await gw.verify(verifier, late.presentation);
      expectFailed(bad, 'issuerTrusted', 'issuer_revoked');
      expect(bad.authority).to.deep.include({ judgedAt: late.anchor.anchoredAt, rule: 'anchored_after_revocation' });
      expect(bad.reasons.find((x) => x.check === 'issuerTrusted')!.detail).to.include(since);
      expectProblem(await gw.issueRaw(platform.apiKey, 'LaborContract'), 403, 'issuer_not_active');
    });

    it('revoked without since: from now — everything it anchored so far still verifies', async () => {
      const school = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      const c = await gw.issue(school.apiKey, 'SkillCertificate');
      const res = await patch(school, { status: 'revoked' });
      expect(res.status, res.text).to.equal(200);
      expect(Date.parse(res.body.revokedSince)).to.be.greaterThan(Date.parse(c.anchor.anchoredAt));
      expectVerified(await gw.verify(verifier, c.presentation));
    });

    it('allowedTypes narrowed: the earlier credential verifies (type allowed_when_anchored), the type is no longer issued', async () => {
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const res = await patch(cdc, { allowedTypes: [] });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.allowedTypes).to.deep.equal([]);
      const r = await gw.verify(verifier, c.presentation);
      expectVerified(r);
      expect(r.authority).to.deep.include({ rule: 'issuer_active', typeRule: 'allowed_when_anchored' });
      expectProblem(await gw.issueRaw(cdc.apiKey, 'HealthCertificate'), 403, 'type_not_allowed');
    });

    it('the report, authority judgement included, is the VerificationReport of /openapi.json', async () => {
      const doc = (await gw.api('GET', '/openapi.json')).body;
      const schema = doc.components.schemas.VerificationReport;
      expect(doc.paths['/v1/verify'].post.responses['200'].content['application/json'].schema).to.deep.equal({
        $ref: '#/components/schemas/VerificationReport',
      });
      expect(schema.properties.authority.properties.rule.enum).to.include.members([
        'anchored_before_suspension',
        'anchored_before_revocation',
        'anchored_after_revocation',
      ]);
      const check = ajv().compile(schema);
      const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
      const c = await gw.issue(platform.apiKey, 'LaborContract', { format: 'dc+sd-jwt' });
      expect((await patch(platform, { status: 'revoked', since: isoFromNow(-DAY) })).status).to.equal(200);
      const r = await gw.verify(verifier, c.presentation);
      expectFailed(r, 'issuerTrusted', 'issuer_revoked');
      expect(check(r), JSON.stringify(check.errors)).to.equal(true);
      expect(check(await gw.verify(verifier, 'garbage')), JSON.stringify(check.errors)).to.equal(true);
    });

    it('the trust list shows each issuer’s USCC, suspension and revocation instants', async () => {
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const since = isoFromNow(-DAY);
      expect((await patch(cdc, { status: 'revoked', since })).status).to.equal(200);
      const tl = await gw.api('GET', '/v1/trust-list');
      const payload = JSON.parse(Buffer.from(tl.body.trustList.split('.')[1], 'base64url').toString('utf8'));
      const listed = payload.issuers.find((i: Loose) => i.id === cdc.id);
      expect(listed).to.include({ uscc: USCC_OF_KIND.health_authority, status: 'revoked' });
      expect(Date.parse(listed.revokedSince)).to.equal(Date.parse(since));
    });
  });
});
