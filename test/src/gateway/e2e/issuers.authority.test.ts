/**
 * Who may issue what, end to end: an issuer's kind decides its types; a subject names its
 * issuer by USCC (checked at issuance and at verification, and a platform's contract shows
 * the employer it was issued for); a credential never lasts longer than its subject says.
 * When authority is judged: issuers.authority-when-anchored.test.ts.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import { buildCredential, issueSdJwt, signVcJwt } from '@anxin/gateway/credentials';
import type { AnchorRecord, CredentialType } from '@anxin/schemas';
import {
  FORMATS,
  TestGateway,
  cstDateFromNow,
  describeOnLedgers,
  exampleHolder,
  exampleSubject,
  expectFailed,
  expectProblem,
  expectVerified,
  isoFromNow,
  presentWith,
  shownOf,
  DAY,
  type Format,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';
import { USCC_OF_KIND } from '../../helpers/statements';

/** Another valid USCC: a company no one registered. */
const STRANGER_USCC = '91440300MA5G8NKR4Q';

describeOnLedgers('e2e: who may issue what', function (ledger) {
  let gw: TestGateway;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  const path = (i: RegisteredIssuer) => `/v1/issuers/${encodeURIComponent(i.id)}`;
  /** A problem's field issues, as `field code`. */
  const fieldsOf = (res: { body: Loose }) =>
    (res.body.errors as Array<{ field: string; code: string }>).map((e) => `${e.field} ${e.code}`);
  const patch = (i: RegisteredIssuer, body: object) => gw.api('PATCH', path(i), { key: gw.adminKey, body });

  /**
   * What an issuer signing with its own key may do outside the gateway's checks: build and sign
   * a credential, then anchor it with a statement of its own (`anchorWindow` overrides the window).
   */
  async function selfIssued(
    issuer: RegisteredIssuer,
    type: CredentialType,
    subject: Record<string, unknown>,
    format: Format,
    anchorWindow: { validFrom?: string; validUntil?: string } = {},
  ): Promise<{ id: string; credential: string; presentation: string; record: AnchorRecord }> {
    const signer: StatementSigner = (await gw.services.keys.signer(issuer.issuer.keys[0]!.kid))!;
    const vc = buildCredential(
      { type, holder: exampleHolder(), subject, validFrom: isoFromNow(-DAY), validUntil: isoFromNow(90 * DAY) },
      gw.issuerRecord(issuer.id),
      gw.services.publicUrl,
    );
    const credential = format === 'vc+jwt' ? await signVcJwt(vc, signer) : (await issueSdJwt(vc, signer)).sdJwt;
    const signed = credential.split('~')[0]!;
    const statement = await signStatement(
      {
        kind: 'anchor',
        iss: issuer.id,
        anchor: {
          id: vc.id,
          type,
          kid: signer.kid,
          digest: createHash('sha256').update(signed).digest('hex'),
          holderRef: vc.credentialSubject.holder.ref,
          validFrom: anchorWindow.validFrom ?? vc.validFrom,
          validUntil: anchorWindow.validUntil ?? vc.validUntil!,
        },
      },
      signer,
    );
    const committed = await gw.services.ledgerClient.submit<AnchorRecord>('anchor', statement);
    return { id: vc.id, credential, presentation: shownOf({ format, credential }), record: committed.record };
  }

  describe('the kind decides the types', () => {
    it('an employer registered for health certificates → 400 type_not_for_kind naming the type; nothing registered', async () => {
      const h = await gw.height();
      const res = await gw.api('POST', '/v1/issuers', {
        key: gw.adminKey,
        body: {
          name: '成都蜀味坊火锅餐饮管理有限公司',
          kind: 'employer',
          allowedTypes: ['HealthCertificate'],
          uscc: USCC_OF_KIND.employer,
          slug: 'shuweifang-hotpot',
        },
      });
      expectProblem(res, 400, 'type_not_for_kind');
      expect(fieldsOf(res)).to.deep.equal(['/allowedTypes/0 typeNotForKind']);
      expect(await gw.height()).to.equal(h);
      expectProblem(await gw.api('GET', '/v1/issuers/urn:anxin:issuer:shuweifang-hotpot'), 404, 'not_found');
    });

    it('widening a platform to health certificates → 400 type_not_for_kind; the ledger is unchanged', async () => {
      const platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
      const h = await gw.height();
      expectProblem(
        await patch(platform, { allowedTypes: ['LaborContract', 'HealthCertificate'] }),
        400,
        'type_not_for_kind',
      );
      expect(await gw.height()).to.equal(h);
      expect(gw.issuerRecord(platform.id).allowedTypes).to.deep.equal(['LaborContract']);
    });

    it('registration names the organisation: no USCC → 400 validation_failed at /uscc; the registry shows it', async () => {
      const res = await gw.api('POST', '/v1/issuers', {
        key: gw.adminKey,
        body: { name: '成都锦城职业技能培训学校', kind: 'training_body', allowedTypes: ['SkillCertificate'] },
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).to.include('/uscc');
      const school = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      expect((await gw.api('GET', path(school))).body.uscc).to.equal(USCC_OF_KIND.training_body);
    });
  });

  describe('the subject names its issuer', () => {
    let cdc: RegisteredIssuer;
    let school: RegisteredIssuer;
    let employer: RegisteredIssuer;
    let platform: RegisteredIssuer;

    before(async () => {
      cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      school = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      employer = await gw.registerIssuer({ kind: 'employer', allowedTypes: ['LaborContract'] });
      platform = await gw.registerIssuer({ kind: 'platform', allowedTypes: ['LaborContract'] });
    });

    it('at issuance, another organisation’s USCC (or none) → 400 subject_issuer_mismatch naming the field; nothing anchored', async () => {
      const h = await gw.height();
      const cases: Array<[RegisteredIssuer, CredentialType, (s: Loose) => void, string, string]> = [
        [
          cdc,
          'HealthCertificate',
          (s) => (s.issuingAuthority.uscc = STRANGER_USCC),
          '/subject/issuingAuthority/uscc',
          'issuerMismatch',
        ],
        [cdc, 'HealthCertificate', (s) => delete s.issuingAuthority.uscc, '/subject/issuingAuthority/uscc', 'required'],
        [
          school,
          'SkillCertificate',
          (s) => (s.certifyingBody.uscc = STRANGER_USCC),
          '/subject/certifyingBody/uscc',
          'issuerMismatch',
        ],
        // An employer issues its own contract: the employer is it.
        [
          employer,
          'LaborContract',
          (s) => (s.employer.uscc = STRANGER_USCC),
          '/subject/employer/uscc',
          'issuerMismatch',
        ],
        // A platform issues on the employer's behalf: the platform is it.
        [
          platform,
          'LaborContract',
          (s) => (s.platform.uscc = STRANGER_USCC),
          '/subject/platform/uscc',
          'issuerMismatch',
        ],
        [platform, 'LaborContract', (s) => (delete s.platform, delete s.worker), '/subject/platform/uscc', 'required'],
      ];
      for (const [issuer, type, change, field, code] of cases) {
        const subject = exampleSubject(type);
        change(subject);
        const res = await gw.issueRaw(issuer.apiKey, type, { subject });
        expectProblem(res, 400, 'subject_issuer_mismatch');
        expect(fieldsOf(res), `${type} by ${issuer.issuer.kind}`).to.deep.equal([`${field} ${code}`]);
      }
      expect(await gw.height(), 'nothing anchored').to.equal(h);
    });

    it('the contracts employer and platform each name themselves: both issue, both verify', async () => {
      expectVerified(await gw.verify(verifier, (await gw.issue(employer.apiKey, 'LaborContract')).presentation));
      expectVerified(await gw.verify(verifier, (await gw.issue(platform.apiKey, 'LaborContract')).presentation));
    });

    for (const format of FORMATS) {
      it(`${format}: signed with the issuer's own key, naming another organisation → issuerAuthorizedForType subject_issuer_mismatch`, async () => {
        const subject = exampleSubject('HealthCertificate');
        (subject.issuingAuthority as Loose).uscc = STRANGER_USCC;
        const c = await selfIssued(cdc, 'HealthCertificate', subject, format);
        const r = await gw.verify(verifier, c.presentation);
        expectFailed(r, 'issuerAuthorizedForType', 'subject_issuer_mismatch');
        expect(r.reasons.find((x) => x.check === 'issuerAuthorizedForType')!.field).to.equal(
          '/healthCertificate/issuingAuthority/uscc',
        );
        expect(r.authority!.namedIssuer).to.deep.equal({
          field: '/healthCertificate/issuingAuthority/uscc',
          outcome: 'mismatch',
        });
        for (const check of ['signature', 'issuerTrusted', 'anchored', 'digestMatches', 'status'])
          expect(r.checks[check], check).to.equal('pass');

        const none = exampleSubject('SkillCertificate');
        delete (none.certifyingBody as Loose).uscc;
        const r2 = await gw.verify(verifier, (await selfIssued(school, 'SkillCertificate', none, format)).presentation);
        expectFailed(r2, 'issuerAuthorizedForType', 'subject_issuer_mismatch');
        expect(r2.authority!.namedIssuer!.outcome).to.equal('missing');
      });
    }

    it('dc+sd-jwt: the holder withholding the member that names the issuer → verified, and the report says it could not be checked', async () => {
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      const shown = presentWith(c.credential, (d) => !['issuingAuthority', 'salt', 'ref'].includes(d.name ?? ''));
      const r = await gw.verify(verifier, shown);
      expectVerified(r);
      expect(r.authority!.namedIssuer).to.deep.equal({
        field: '/healthCertificate/issuingAuthority/uscc',
        outcome: 'undisclosed',
      });
      expect(r.credential!.disclosed.healthCertificate).to.not.have.property('issuingAuthority');
      expect((await gw.verify(verifier, c.presentation)).authority!.namedIssuer!.outcome).to.equal('matches');
    });

    it('a platform’s contract: the report names the employer as written and whether its USCC is a registered issuer', async () => {
      for (const format of FORMATS) {
        const c = await gw.issue(platform.apiKey, 'LaborContract', { format });
        const r = await gw.verify(verifier, c.presentation);
        expectVerified(r);
        expect(r.credential!.issuer!.onBehalfOf).to.deep.equal({
          member: 'employer',
          disclosed: true,
          name: '成都蜀味坊火锅餐饮管理有限公司',
          uscc: USCC_OF_KIND.employer,
          registeredAs: [{ id: employer.id, name: employer.issuer.name, kind: 'employer', status: 'active' }],
        });
        if (format === 'dc+sd-jwt') {
          const shown = presentWith(c.credential, (d) => !['employer', 'salt', 'ref'].includes(d.name ?? ''));
          const hidden = await gw.verify(verifier, shown);
          expectVerified(hidden);
          expect(hidden.credential!.issuer!.onBehalfOf).to.deep.equal({ member: 'employer', disclosed: false });
        }
      }
      const subject = exampleSubject('LaborContract');
      (subject.employer as Loose) = { name: '深圳市南山区安康养老服务有限公司', uscc: STRANGER_USCC };
      const r = await gw.verify(verifier, (await gw.issue(platform.apiKey, 'LaborContract', { subject })).presentation);
      expectVerified(r);
      expect(r.credential!.issuer!.onBehalfOf).to.deep.include({ uscc: STRANGER_USCC, registeredAs: [] });
      // An employer's own contract is issued on no one's behalf.
      const own = await gw.verify(verifier, (await gw.issue(employer.apiKey, 'LaborContract')).presentation);
      expect(own.credential!.issuer).to.not.have.property('onBehalfOf');
    });
  });

  describe('a credential never lasts longer than its subject says', () => {
    let cdc: RegisteredIssuer;
    let school: RegisteredIssuer;
    let platform: RegisteredIssuer;

    before(async () => {
      cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      school = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      platform = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
    });

    it('validUntil after the subject’s own end → 400 naming /validUntil (health, skill, contract); nothing anchored', async () => {
      const h = await gw.height();
      // Each subject ends in 30 days; the credential is asked to run 200.
      const health = {
        ...exampleSubject('HealthCertificate'),
        validity: { from: cstDateFromNow(-1), until: cstDateFromNow(30) },
      };
      const skill = { ...exampleSubject('SkillCertificate'), expiryDate: cstDateFromNow(30) };
      const term = { startDate: cstDateFromNow(-1), endDate: cstDateFromNow(30), openEnded: false };
      for (const [issuer, type, subject] of [
        [cdc, 'HealthCertificate', health],
        [school, 'SkillCertificate', skill],
        [platform, 'LaborContract', { ...exampleSubject('LaborContract'), term }],
      ] as const) {
        const res = await gw.issueRaw(issuer.apiKey, type, { subject, validUntil: isoFromNow(200 * DAY) });
        expectProblem(res, 400, 'validation_failed');
        expect(fieldsOf(res), type).to.include('/validUntil afterSubject');
      }
      expect(await gw.height()).to.equal(h);
    });

    it('a health certificate beyond one year → 400 naming /validUntil (maxValidity)', async () => {
      const subject = {
        ...exampleSubject('HealthCertificate'),
        validity: { from: cstDateFromNow(-1), until: cstDateFromNow(360) },
      };
      const res = await gw.issueRaw(cdc.apiKey, 'HealthCertificate', {
        subject,
        validFrom: isoFromNow(-DAY),
        validUntil: isoFromNow(400 * DAY),
      });
      expectProblem(res, 400, 'validation_failed');
      expect(fieldsOf(res)).to.include.members(['/validUntil afterSubject', '/validUntil maxValidity']);
    });

    it('validFrom before the subject’s start → 400 naming /validFrom', async () => {
      const res = await gw.issueRaw(cdc.apiKey, 'HealthCertificate', { validFrom: isoFromNow(-3 * DAY) });
      expectProblem(res, 400, 'validation_failed');
      expect(fieldsOf(res)).to.include('/validFrom beforeSubject');
    });

    it('within the subject: issued with exactly the window asked, the subject’s own by default', async () => {
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate', { validFrom: null, validUntil: null });
      const r = await gw.verify(verifier, c.presentation);
      expectVerified(r);
      const subject = c.request.subject as Loose;
      expect(r.credential!.validUntil).to.equal(
        new Date(`${subject.validity.until}T23:59:59+08:00`).toISOString().replace('.000Z', 'Z'),
      );
    });

    for (const format of FORMATS) {
      it(`${format}: an anchor whose window is longer than the signed credential's → digestMatches validity_mismatch`, async () => {
        const longer = await selfIssued(cdc, 'HealthCertificate', exampleSubject('HealthCertificate'), format, {
          validUntil: isoFromNow(200 * DAY),
        });
        const r = await gw.verify(verifier, longer.presentation);
        expectFailed(r, 'digestMatches', 'validity_mismatch');
        expect(r.checks.anchored).to.equal('pass');
        const earlier = await selfIssued(cdc, 'HealthCertificate', exampleSubject('HealthCertificate'), format, {
          validFrom: isoFromNow(-2 * DAY),
        });
        expectFailed(await gw.verify(verifier, earlier.presentation), 'digestMatches', 'validity_mismatch');
        // The same, anchored with the credential's own window, verifies.
        expectVerified(
          await gw.verify(
            verifier,
            (await selfIssued(cdc, 'HealthCertificate', exampleSubject('HealthCertificate'), format)).presentation,
          ),
        );
      });
    }
  });
});
