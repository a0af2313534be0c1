/**
 * The issuer registry over HTTP (register, list, suspend, reactivate, revoke) and what
 * verification makes of it; who gets told when a credential changes (recent verifiers);
 * and many issuances and status changes at once.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  TestGateway,
  expectFailed,
  expectProblem,
  expectVerified,
  shownOf,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnLedgers('e2e: issuer registry, verifier notification, concurrency', function (ledger) {
  let gw: TestGateway;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  describe('registry', () => {
    let clinic: RegisteredIssuer;
    let vc: Issued;
    let sd: Issued;

    before(async () => {
      clinic = await gw.registerIssuer({
        allowedTypes: ['HealthCertificate'],
        slug: 'wuhou-clinic',
        name: '武侯区社区卫生服务中心',
      });
      vc = await gw.issue(clinic.apiKey, 'HealthCertificate');
      sd = await gw.issue(clinic.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    });

    it('registers with a slug (the id), refuses the same slug again (409 issuer_exists) and bad bodies (400)', async () => {
      expect(clinic.id).to.equal('urn:anxin:issuer:wuhou-clinic');
      expect(clinic.issuer.status).to.equal('active');
      expect(clinic.issuer.keys).to.have.length(1);
      expect(clinic.issuer.keys[0]!.kid).to.equal(`${clinic.id}#${clinic.issuer.keys[0]!.keyId}`);
      expect(clinic.apiKey).to.match(/^anx_/);
      const uscc = '91510107MA6CK3PQ12';
      const again = await gw.api('POST', '/v1/issuers', {
        key: gw.adminKey,
        body: {
          name: '重复',
          kind: 'health_authority',
          allowedTypes: ['HealthCertificate'],
          uscc: '12510107MB1H27435B',
          slug: 'wuhou-clinic',
        },
      });
      expectProblem(again, 409, 'issuer_exists');
      for (const body of [
        { name: 'x', kind: 'health_authority', allowedTypes: ['HealthCertificate'], uscc },
        { name: '某机构', kind: 'bank', allowedTypes: ['HealthCertificate'], uscc },
        { name: '某机构', kind: 'employer', allowedTypes: [], uscc },
        { name: '某机构', kind: 'employer', allowedTypes: ['DrivingLicence'], uscc },
        { name: '某机构', kind: 'employer', allowedTypes: ['LaborContract'], uscc, slug: 'Has Spaces' },
        { name: '某机构', kind: 'employer', allowedTypes: ['LaborContract'] },
        { name: '某机构', kind: 'employer', allowedTypes: ['LaborContract'], uscc: '91510107MA6CK3PQ13' },
      ]) {
        expectProblem(await gw.api('POST', '/v1/issuers', { key: gw.adminKey, body }), 400, 'validation_failed');
      }
    });

    it('GET /v1/issuers and /v1/issuers/:id are public and show no private key material', async () => {
      const list = await gw.api('GET', '/v1/issuers');
      expect(list.status).to.equal(200);
      const mine = list.body.issuers.find((i: { id: string }) => i.id === clinic.id);
      expect(mine).to.include({ name: '武侯区社区卫生服务中心', kind: 'health_authority', status: 'active' });
      const one = await gw.api('GET', `/v1/issuers/${encodeURIComponent(clinic.id)}`);
      expect(one.status).to.equal(200);
      expect(one.body.keys[0].publicJwk).not.to.have.property('d');
      expect(list.text).not.to.match(/"d"\s*:/);
      expect(list.text).not.to.include(clinic.apiKey);
    });

    it('suspended issuer: what it issued before still verifies (judged when anchored); it may not issue (403 issuer_not_active)', async () => {
      const res = await gw.api('PATCH', `/v1/issuers/${encodeURIComponent(clinic.id)}`, {
        key: gw.adminKey,
        body: { status: 'suspended' },
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.status).to.equal('suspended');
      expect(Date.parse(res.body.suspendedAt)).to.be.closeTo(Date.now(), 60_000);
      for (const c of [vc, sd]) {
        const r = await gw.verify(verifier, c.presentation);
        expectVerified(r);
        expect(r.authority).to.deep.include({
          judgedAt: c.anchor.anchoredAt,
          basis: 'anchoredAt',
          rule: 'anchored_before_suspension',
        });
        expect(r.authority!.issuer).to.deep.equal({ status: 'suspended', suspendedAt: res.body.suspendedAt });
      }
      expectProblem(await gw.issueRaw(clinic.apiKey, 'HealthCertificate'), 403, 'issuer_not_active');
    });

    it('reactivated: verified again, issues again', async () => {
      const res = await gw.api('PATCH', `/v1/issuers/${encodeURIComponent(clinic.id)}`, {
        key: gw.adminKey,
        body: { status: 'active' },
      });
      expect(res.status, res.text).to.equal(200);
      for (const c of [vc, sd]) expectVerified(await gw.verify(verifier, c.presentation));
      expectVerified(await gw.verify(verifier, (await gw.issue(clinic.apiKey, 'HealthCertificate')).presentation));
    });

    it('PATCH needs admin, a known issuer and a valid body', async () => {
      const path = `/v1/issuers/${encodeURIComponent(clinic.id)}`;
      expectProblem(await gw.api('PATCH', path, { key: clinic.apiKey, body: { status: 'active' } }), 403, 'forbidden');
      expectProblem(await gw.api('PATCH', path, { key: gw.adminKey, body: {} }), 400, 'validation_failed');
      expectProblem(
        await gw.api('PATCH', path, { key: gw.adminKey, body: { status: 'sleeping' } }),
        400,
        'validation_failed',
      );
      expectProblem(
        await gw.api('PATCH', '/v1/issuers/urn:anxin:issuer:nobody', { key: gw.adminKey, body: { status: 'active' } }),
        404,
        'not_found',
      );
    });

    it('revoked issuer: since before its credential → issuer_revoked, for good (reactivation is 409 invalid_transition)', async () => {
      const rogue = await gw.registerIssuer({ allowedTypes: ['LaborContract'] });
      const c = await gw.issue(rogue.apiKey, 'LaborContract');
      const path = `/v1/issuers/${encodeURIComponent(rogue.id)}`;
      const since = new Date(Date.parse(c.anchor.anchoredAt) - 1000).toISOString();
      const res = await gw.api('PATCH', path, { key: gw.adminKey, body: { status: 'revoked', since } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ status: 'revoked', revokedSince: since });
      expectFailed(await gw.verify(verifier, c.presentation), 'issuerTrusted', 'issuer_revoked');
      expectProblem(
        await gw.api('PATCH', path, { key: gw.adminKey, body: { status: 'active' } }),
        409,
        'invalid_transition',
      );
      expectProblem(await gw.issueRaw(rogue.apiKey, 'LaborContract'), 403, 'issuer_not_active');
    });
  });

  describe('recent verifiers are told of a change', () => {
    it('a suspension names the employers who verified the credential; GET …/verifiers lists them for its issuer only', async () => {
      const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
      const hotpot = await gw.verifierKey('hotpot-chengdu-chunxi');
      const noodles = await gw.verifierKey('noodles-wuhou');
      const bystander = await gw.verifierKey('never-saw-it');
      expectVerified(await gw.verify(hotpot, c.presentation));
      expectVerified(await gw.verify(noodles, c.presentation));
      expect((await gw.verify(bystander, 'garbage')).verified).to.equal(false);
      await sleep(400); // the verification log is written in the background
      const res = await gw.changeStatus(cdc.apiKey, c.id, 'suspend', 're_examination_pending');
      expect(res.status).to.equal(200);
      const told = (res.body.recentVerifiers as Array<{ verifier: string; lastCheckedAt: string }>)
        .map((v) => v.verifier)
        .sort();
      expect(told).to.deep.equal(['hotpot-chengdu-chunxi', 'noodles-wuhou']);
      const list = await gw.api('GET', `/v1/credentials/${c.id}/verifiers`, { key: cdc.apiKey });
      expect(list.status).to.equal(200);
      expect(list.body.verifiers.map((v: { verifier: string }) => v.verifier).sort()).to.deep.equal(told);
      expectProblem(await gw.api('GET', `/v1/credentials/${c.id}/verifiers`, { key: other.apiKey }), 404, 'not_found');
      expectProblem(await gw.api('GET', `/v1/credentials/${c.id}/verifiers`, { key: hotpot }), 403, 'forbidden');
    });
  });

  describe('at once', () => {
    const issuerOf = new Map<string, RegisteredIssuer>();
    let cdc: RegisteredIssuer;
    let beforeBurst: Issued;

    before(async () => {
      for (const type of ['LaborContract', 'HealthCertificate', 'SkillCertificate'] as const)
        issuerOf.set(type, await gw.registerIssuer({ allowedTypes: [type] }));
      cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      beforeBurst = await gw.issue(cdc.apiKey, 'HealthCertificate');
    });

    it('suspend and revoke of one credential at once → one consistent final state on the ledger and in verification', async () => {
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const [s, r] = await Promise.all([
        gw.changeStatus(cdc.apiKey, c.id, 'suspend', 'investigation'),
        gw.changeStatus(cdc.apiKey, c.id, 'revoke', 'fraud'),
      ]);
      expect(r.status, r.text).to.equal(200); // revoke is allowed from active and from suspended
      expect([200, 409], s.text).to.include(s.status);
      if (s.status === 409) expectProblem(s, 409, 'invalid_transition');
      const status = await gw.api('GET', `/v1/credentials/${c.id}/status`);
      expect(status.body.status).to.equal('revoked');
      expectFailed(await gw.verify(verifier, c.presentation), 'status', 'revoked');
    });

    it('40 concurrent issuances (both formats, three types) → 40 distinct credentials, each anchored once, each verified', async () => {
      const from = await gw.height();
      const types = ['LaborContract', 'HealthCertificate', 'SkillCertificate'] as const;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          gw.issueRaw(issuerOf.get(types[i % 3]!)!.apiKey, types[i % 3]!, { format: i % 2 ? 'dc+sd-jwt' : 'vc+jwt' }),
        ),
      );
      expect(answers.map((a) => a.status)).to.deep.equal(Array(40).fill(201));
      const ids = answers.map((a) => a.body.id as string);
      expect(new Set(ids).size).to.equal(40);
      expect((await gw.anchoredIds(from)).sort()).to.deep.equal([...ids].sort());
      const batch = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: answers.map((a) => shownOf(a.body)) },
      });
      expect(batch.body.summary).to.deep.equal({ total: 40, verified: 40, failed: 0 });
    });

    // With the embedded ledger's endorsement workers (started by the burst above), state
    // read in a worker is cached and never refreshed: keys written after the burst stay
    // "absent" (or stale) for endorsement.
    it('after that burst, the ledger still sees new state: new issuers issue, new credentials change status', async () => {
      const late = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      const fresh = await gw.issueRaw(late.apiKey, 'HealthCertificate');
      expect(fresh.status, fresh.text).to.equal(201);
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate');
      const s = await gw.changeStatus(cdc.apiKey, c.id, 'suspend', 'investigation');
      expect(s.status, s.text).to.equal(200);
      const back = await gw.changeStatus(cdc.apiKey, c.id, 'reinstate', 'investigation_closed');
      expect(back.status, back.text).to.equal(200);
      const again = await gw.changeStatus(cdc.apiKey, c.id, 'suspend', 'investigation');
      expect(again.status, again.text).to.equal(200);
      expectFailed(await gw.verify(verifier, c.presentation), 'status', 'suspended');
      expect((await gw.changeStatus(cdc.apiKey, beforeBurst.id, 'revoke', 'fraud')).status).to.equal(200);
    });
  });
});
