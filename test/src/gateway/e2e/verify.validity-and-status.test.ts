/**
 * Status and validity window at POST /v1/verify: revoked, suspended then reinstated,
 * expired, not yet valid — each with its check and reason code, in both formats.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  FORMATS,
  TestGateway,
  expectFailed,
  expectProblem,
  expectVerified,
  isoFromNow,
  cstDateFromNow,
  exampleSubject,
  DAY,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

describeOnLedgers('e2e: status and validity window at /v1/verify', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let skills: RegisteredIssuer;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    skills = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
  });
  after(async () => gw?.stop());

  for (const format of FORMATS) {
    describe(format, () => {
      it('revoked → status revoked (the anchor in the report says so, with its reason)', async () => {
        const c = await gw.issue(skills.apiKey, 'SkillCertificate', { format });
        expectVerified(await gw.verify(verifier, c.presentation));
        expect((await gw.changeStatus(skills.apiKey, c.id, 'revoke', 'issued_in_error')).status).to.equal(200);
        const r = await gw.verify(verifier, c.presentation);
        expectFailed(r, 'status', 'revoked');
        expect(r.anchor).to.include({
          status: 'revoked',
          statusReason: 'issued_in_error',
          txId: c.anchor.txId,
          block: c.anchor.block,
        });
        expect(r.reasons).to.have.length(1);
        for (const check of ['notExpired', 'notBefore', 'schema']) expect(r.checks[check], check).to.equal('pass');
      });

      it('suspended → status suspended; reinstated → verified; suspended again → suspended', async () => {
        const c = await gw.issue(skills.apiKey, 'SkillCertificate', { format });
        expect((await gw.changeStatus(skills.apiKey, c.id, 'suspend', 'investigation')).status).to.equal(200);
        const r1 = await gw.verify(verifier, c.presentation);
        expectFailed(r1, 'status', 'suspended');
        expect(r1.anchor).to.include({ status: 'suspended', statusReason: 'investigation' });
        expect((await gw.changeStatus(skills.apiKey, c.id, 'reinstate', 'investigation_closed')).status).to.equal(200);
        const r2 = await gw.verify(verifier, c.presentation);
        expectVerified(r2);
        expect(r2.anchor).to.include({ status: 'active', statusReason: 'investigation_closed' });
        expect((await gw.changeStatus(skills.apiKey, c.id, 'suspend', 'holder_request')).status).to.equal(200);
        expectFailed(await gw.verify(verifier, c.presentation), 'status', 'suspended');
      });

      it('expired (validFrom and validUntil in the past) → notExpired expired, everything else passes', async () => {
        const c = await gw.issue(skills.apiKey, 'SkillCertificate', {
          format,
          // A certificate issued 400 days ago (the credential never starts before its subject).
          subject: { ...exampleSubject('SkillCertificate'), issueDate: cstDateFromNow(-400) },
          validFrom: isoFromNow(-400 * DAY),
          validUntil: isoFromNow(-30 * DAY),
        });
        const r = await gw.verify(verifier, c.presentation);
        expectFailed(r, 'notExpired', 'expired');
        expect(r.reasons).to.have.length(1);
        for (const check of [
          'signature',
          'keyValidAtIssue',
          'anchored',
          'digestMatches',
          'status',
          'notBefore',
          'schema',
        ]) {
          expect(r.checks[check], check).to.equal('pass');
        }
        expect(Date.parse(r.credential!.validUntil!)).to.equal(Date.parse(c.request.validUntil as string));
      });

      it('just expired (validUntil a second ago) → expired; the window is the anchored one', async () => {
        const c = await gw.issue(skills.apiKey, 'SkillCertificate', {
          format,
          validFrom: isoFromNow(-DAY),
          validUntil: new Date(Date.now() + 1200).toISOString(),
        });
        expectVerified(await gw.verify(verifier, c.presentation));
        await new Promise((r) => setTimeout(r, Date.parse(c.request.validUntil as string) - Date.now() + 50));
        expectFailed(await gw.verify(verifier, c.presentation), 'notExpired', 'expired');
      });

      it('not yet valid (validFrom in the future) → notBefore not_yet_valid', async () => {
        const c = await gw.issue(skills.apiKey, 'SkillCertificate', {
          format,
          validFrom: isoFromNow(30 * DAY),
          validUntil: isoFromNow(400 * DAY),
        });
        const r = await gw.verify(verifier, c.presentation);
        expectFailed(r, 'notBefore', 'not_yet_valid');
        expect(r.reasons).to.have.length(1);
        expect(r.checks.notExpired).to.equal('pass');
        expect(r.checks.keyValidAtIssue).to.equal('pass');
      });
    });
  }

  it('validUntil not after validFrom → 400 validation_failed, nothing anchored', async () => {
    const h = await gw.height();
    const res = await gw.issueRaw(skills.apiKey, 'SkillCertificate', {
      validFrom: isoFromNow(DAY),
      validUntil: isoFromNow(-DAY),
    });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.include('/validUntil');
    expect(await gw.height()).to.equal(h);
  });

  // The gateway compares validFrom with validUntil only when the request gives both; a
  // validFrom after the validUntil implied by the subject reaches the ledger, which refuses it.
  it('validFrom after the subject’s own end date → 400 validation_failed, not a ledger refusal', async () => {
    const h = await gw.height();
    // A certificate that expires on 2027-01-14, asked to be valid from 2028 with no validUntil.
    const subject = {
      ...(gw.issueBody('SkillCertificate').subject as object),
      issueDate: '2026-01-15',
      expiryDate: '2027-01-14',
    };
    const res = await gw.issueRaw(skills.apiKey, 'SkillCertificate', {
      subject,
      validFrom: '2028-01-01T00:00:00Z',
      validUntil: null,
    });
    expectProblem(res, 400, 'validation_failed');
    expect(await gw.height()).to.equal(h);
  });
});
