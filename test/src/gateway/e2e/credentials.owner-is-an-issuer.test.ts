/**
 * An issuer's credentials belong to the issuer principal, not to an id string: a key whose
 * principal is a verifier (or an admin principal without the admin scope) that happens to
 * carry the issuer's id sees none of them — the record, the printed card and the list of
 * verifiers answer 404 as for another issuer's credential; status changes and issuance stay
 * 403 — and nothing changes on the ledger.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { TestGateway, expectProblem, type Issued, type RegisteredIssuer } from '../../helpers/gateway';

describe('e2e: an issuer id on a key of another principal type owns nothing', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let cert: Issued;
  const impostors: Array<[string, string]> = [];

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    cert = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
    const scopes = ['issue', 'revoke', 'verify'];
    impostors.push(
      ['verifier', (await gw.createApiKey({ type: 'verifier', id: cdc.id }, scopes)).apiKey],
      [
        'admin principal without the admin scope',
        (await gw.createApiKey({ type: 'admin', id: cdc.id }, scopes)).apiKey,
      ],
    );
  });
  after(async () => gw?.stop());

  it('the issuer itself still reads its record, card and verifiers', async () => {
    expect((await gw.api('GET', `/v1/credentials/${cert.id}`, { key: cdc.apiKey })).status).to.equal(200);
    const card = await gw.api('GET', `/v1/credentials/${cert.id}/card?disclose=holder.name`, { key: cdc.apiKey });
    expect(card.status, card.text.slice(0, 200)).to.equal(200);
    expect((await gw.api('GET', `/v1/credentials/${cert.id}/verifiers`, { key: cdc.apiKey })).status).to.equal(200);
  });

  it('GET the record, the card, the verifiers: 404 not_found, the credential never shown', async () => {
    for (const [who, key] of impostors) {
      for (const path of [
        `/v1/credentials/${cert.id}`,
        `/v1/credentials/${cert.id}/card?disclose=holder.name`,
        `/v1/credentials/${cert.id}/verifiers`,
      ]) {
        const res = await gw.api('GET', path, { key });
        expectProblem(res, 404, 'not_found');
        expect(res.text, `${who} ${path}`).not.to.include(cert.holder.name);
      }
    }
  });

  it('suspend or issue in the issuer’s name: 403 forbidden, the ledger unchanged', async () => {
    const h = await gw.height();
    for (const [, key] of impostors) {
      expectProblem(await gw.changeStatus(key, cert.id, 'suspend', 'investigation'), 403, 'forbidden');
      expectProblem(await gw.issueRaw(key, 'HealthCertificate'), 403, 'forbidden');
    }
    expect(await gw.height()).to.equal(h);
    expect((await gw.api('GET', `/v1/credentials/${cert.id}/status`)).body.status).to.equal('active');
  });
});
