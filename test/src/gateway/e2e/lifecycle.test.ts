/**
 * The full lifecycle of each credential type in each format, over real HTTP against a
 * started gateway: issue (anchored, 201) → read back by its issuer only → verify →
 * public status without personal data → suspend → reinstate → revoke, with reasons
 * checked per action and transitions the ledger refuses.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { CredentialType } from '@anxin/schemas';
import {
  CREDENTIAL_TYPES,
  FORMATS,
  TestGateway,
  expectFailed,
  expectProblem,
  expectVerified,
  shownOf,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

describeOnLedgers('e2e: credential lifecycle, every type in both formats', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let other: RegisteredIssuer;
  const issuers = new Map<CredentialType, RegisteredIssuer>();

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    for (const t of CREDENTIAL_TYPES) issuers.set(t, await gw.registerIssuer({ allowedTypes: [t] }));
    other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  after(async () => gw?.stop());

  for (const type of CREDENTIAL_TYPES) {
    for (const format of FORMATS) {
      describe(`${type} as ${format}`, () => {
        let issuer: RegisteredIssuer;
        let c: Issued;

        before(() => {
          issuer = issuers.get(type)!;
        });

        it('issues: 201, anchored (block and txId), digest of the signed part, a Location', async () => {
          const request = gw.issueBody(type, { format });
          const res = await gw.api('POST', '/v1/credentials', { key: issuer.apiKey, body: request });
          expect(res.status, res.text).to.equal(201);
          c = { ...res.body, presentation: shownOf(res.body), request, holder: request.holder as Issued['holder'] };
          expect(res.headers.get('location')).to.equal(`/v1/credentials/${c.id}`);
          expect(c.id).to.match(/^urn:uuid:[0-9a-f-]{36}$/);
          expect(c.format).to.equal(format);
          expect(c.anchor.txId).to.be.a('string').and.not.equal('');
          expect(c.anchor.block).to.be.a('number').and.greaterThan(0);
          expect(Number.isNaN(Date.parse(c.anchor.anchoredAt))).to.equal(false);
          expect(c.digest).to.match(/^[0-9a-f]{64}$/);
          const signed = format === 'vc+jwt' ? c.credential : c.credential.slice(0, c.credential.indexOf('~'));
          expect(createHash('sha256').update(signed).digest('hex')).to.equal(c.digest);
          if (format === 'dc+sd-jwt') expect(c.credential.endsWith('~')).to.equal(true);
          else expect(c.credential.split('.')).to.have.length(3);
        });

        it('GET /v1/credentials/:id gives the record to its issuer; another issuer gets 404', async () => {
          const mine = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}`, { key: issuer.apiKey });
          expect(mine.status, mine.text).to.equal(200);
          expect(mine.body).to.include({
            id: c.id,
            type,
            format,
            issuer: issuer.id,
            credential: c.credential,
            digest: c.digest,
            status: 'active',
          });
          expect(mine.body.anchor).to.deep.equal(c.anchor);
          const theirs = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}`, { key: other.apiKey });
          expectProblem(theirs, 404, 'not_found');
          // A verifier's key has no business reading issued records.
          expectProblem(
            await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}`, { key: verifier }),
            403,
            'forbidden',
          );
        });

        it('verifies: every check passes (holder binding skipped), the ID number masked', async () => {
          const r = await gw.verify(verifier, c.presentation);
          expectVerified(r);
          expect(r.credential!.id).to.equal(c.id);
          expect(r.credential!.type).to.equal(type);
          expect(r.credential!.format).to.equal(format);
          expect(r.credential!.issuer!.id).to.equal(issuer.id);
          expect(r.anchor!.txId).to.equal(c.anchor.txId);
          expect(r.anchor!.block).to.equal(c.anchor.block);
          expect(r.anchor!.status).to.equal('active');
          const holder = r.credential!.disclosed.holder as { name: string; idNumber: string };
          expect(holder.name).to.equal(c.holder.name);
          expect(holder.idNumber).to.match(/^\*+.{4}$/);
          expect(holder.idNumber.slice(-4)).to.equal(c.holder.idNumber.slice(-4));
          expect(holder.idNumber).to.have.length(c.holder.idNumber.length);
          expect(JSON.stringify(r)).not.to.include(c.holder.idNumber);
        });

        it('GET /v1/credentials/:id/status is public and carries no personal data', async () => {
          const res = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}/status`);
          expect(res.status, res.text).to.equal(200);
          expect(res.body).to.include({ id: c.id, type, status: 'active', digest: c.digest });
          expect(res.body.issuer.id).to.equal(issuer.id);
          expect(res.body.anchor).to.include({
            txId: c.anchor.txId,
            block: c.anchor.block,
            anchoredAt: c.anchor.anchoredAt,
          });
          expect(res.body.validFrom).to.equal(c.request.validFrom);
          expect(res.body.validUntil).to.equal(c.request.validUntil);
          expect(res.text).not.to.include(c.holder.name);
          expect(res.text).not.to.include(c.holder.idNumber);
          expect(res.text).not.to.include(c.holder.idNumber.slice(-8));
          expect(res.text).not.to.include(c.credential.split('.')[1]!);
          expect(res.headers.get('cache-control')).to.equal('no-store');
        });

        it('refuses a reason that does not fit the action (400), before touching the ledger', async () => {
          const h = await gw.height();
          expectProblem(await gw.changeStatus(issuer.apiKey, c.id, 'reinstate', 'fraud'), 400, 'validation_failed');
          expectProblem(await gw.changeStatus(issuer.apiKey, c.id, 'suspend', 'fraud'), 400, 'validation_failed');
          expectProblem(
            await gw.changeStatus(issuer.apiKey, c.id, 'revoke', 're_examination_passed'),
            400,
            'validation_failed',
          );
          expectProblem(
            await gw.changeStatus(issuer.apiKey, c.id, 'revoke', 'no_such_reason'),
            400,
            'validation_failed',
          );
          expect(await gw.height()).to.equal(h);
        });

        it('a reinstate of an active credential is an invalid transition (409); another issuer may not touch it', async () => {
          expectProblem(await gw.changeStatus(issuer.apiKey, c.id, 'reinstate', 'other'), 409, 'invalid_transition');
          expectProblem(await gw.changeStatus(other.apiKey, c.id, 'suspend', 'investigation'), 403, 'forbidden');
          expectProblem(await gw.changeStatus(verifier, c.id, 'suspend', 'investigation'), 403, 'forbidden');
          expectProblem(
            await gw.changeStatus(
              issuer.apiKey,
              'urn:uuid:00000000-0000-4000-8000-000000000000',
              'suspend',
              'investigation',
            ),
            404,
            'not_found',
          );
        });

        it('suspend → verification fails with status:suspended → reinstate → verified again', async () => {
          const s = await gw.changeStatus(issuer.apiKey, c.id, 'suspend', 're_examination_pending');
          expect(s.status, s.text).to.equal(200);
          expect(s.body).to.include({ id: c.id, status: 'suspended', statusReason: 're_examination_pending' });
          expect(s.body.anchor.block).to.be.greaterThan(c.anchor.block);
          expect(s.body.recentVerifiers).to.be.an('array');
          const r1 = await gw.verify(verifier, c.presentation);
          expectFailed(r1, 'status', 'suspended');
          expect(r1.anchor!.status).to.equal('suspended');
          const st = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}/status`);
          expect(st.body).to.include({ status: 'suspended', statusReason: 're_examination_pending' });

          const back = await gw.changeStatus(issuer.apiKey, c.id, 'reinstate', 're_examination_passed');
          expect(back.status, back.text).to.equal(200);
          expect(back.body).to.include({ status: 'active', statusReason: 're_examination_passed' });
          expectVerified(await gw.verify(verifier, c.presentation));
        });

        it('revoke → verification fails with status:revoked, for good (no reinstate)', async () => {
          const res = await gw.changeStatus(
            issuer.apiKey,
            c.id,
            'revoke',
            type === 'LaborContract' ? 'contract_terminated' : 'fraud',
          );
          expect(res.status, res.text).to.equal(200);
          expect(res.body.status).to.equal('revoked');
          const r = await gw.verify(verifier, c.presentation);
          expectFailed(r, 'status', 'revoked');
          for (const check of ['format', 'signature', 'issuerTrusted', 'anchored', 'digestMatches'])
            expect(r.checks[check], check).to.equal('pass');
          expectProblem(
            await gw.changeStatus(issuer.apiKey, c.id, 'reinstate', 'issued_in_error'),
            409,
            'invalid_transition',
          );
          expectProblem(await gw.changeStatus(issuer.apiKey, c.id, 'revoke', 'other'), 409, 'invalid_transition');
          const st = await gw.api('GET', `/v1/credentials/${encodeURIComponent(c.id)}/status`);
          expect(st.body.status).to.equal('revoked');
          expect(st.body.anchor.block).to.equal(c.anchor.block);
        });
      });
    }
  }

  it('the status of a credential that was never anchored is 404', async () => {
    expectProblem(
      await gw.api('GET', '/v1/credentials/urn:uuid:00000000-0000-4000-8000-000000000000/status'),
      404,
      'not_found',
    );
  });
});
