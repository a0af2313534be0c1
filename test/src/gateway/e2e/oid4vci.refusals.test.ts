/**
 * What the OpenID4VCI endpoints refuse, with OAuth's error codes (RFC 6749 JSON, not
 * problem+json) and nothing issued: a wrong PIN (counted: the fifth voids the offer, the
 * right PIN then too), a missing PIN, an expired offer, a code used twice, another grant type,
 * a token that is not one, a proof over a nonce that is not a c_nonce or for another
 * audience, another configuration than offered. Offers are made only by an issuer's key, from
 * a body that would issue; they outlive a restart (they are in the store); token requests
 * are limited per address.
 */
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { deviceKeyFromCryptoKeyPair, signJws, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { Oid4vciError, receiveCredential } from '@anxin/gateway/wallet/oid4vci';
import {
  TestGateway,
  deviceKey,
  expectProblem,
  makeOffer,
  pathOf,
  type ApiResponse,
  type Offer,
  type RegisteredIssuer,
} from '../../helpers/gateway';

const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

async function walletKey(): Promise<DeviceKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  return deviceKeyFromCryptoKeyPair(pair);
}

function expectOAuthError(res: ApiResponse, status: number, error: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.contentType).to.match(/^application\/json/);
  expect(res.body.error).to.equal(error);
  expect(res.body.error_description).to.be.a('string');
  expect(res.headers.get('cache-control')).to.include('no-store');
}

describe('e2e: OpenID4VCI refusals', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  const realNow = () => new Date();

  const codeOf = async (offer: Offer): Promise<string> => {
    const doc = await gw.api('GET', pathOf(offer.credential_offer_uri));
    expect(doc.status, doc.text).to.equal(200);
    return doc.body.grants[PRE_AUTH]['pre-authorized_code'] as string;
  };
  const token = (form: Record<string, string>, g = gw) =>
    g.api('POST', '/v1/oid4vci/token', {
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const redeem = async (offer: Offer, pin = offer.txCode) =>
    token({ grant_type: PRE_AUTH, 'pre-authorized_code': await codeOf(offer), tx_code: pin });
  const wrongPin = (pin: string) => String((Number(pin) + 1) % 1_000_000).padStart(6, '0');

  before(async () => {
    gw = await TestGateway.start({ env: { ANXIN_TOKEN_RATE_LIMIT: '1000' } });
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
  });
  afterEach(() => {
    gw.services.now = realNow;
  });
  after(async () => gw?.stop());

  describe('the PIN', () => {
    it('a wrong PIN is invalid_grant with the attempts left; the fifth voids the offer, the right PIN included', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      const code = await codeOf(offer);
      for (let left = 4; left >= 0; left--) {
        const res = await token({ grant_type: PRE_AUTH, 'pre-authorized_code': code, tx_code: wrongPin(offer.txCode) });
        expectOAuthError(res, 400, 'invalid_grant');
        expect(res.body.attempts_left).to.equal(left);
      }
      expectOAuthError(
        await token({ grant_type: PRE_AUTH, 'pre-authorized_code': code, tx_code: offer.txCode }),
        400,
        'invalid_grant',
      );
      expect((await gw.api('GET', pathOf(offer.credential_offer_uri))).status).to.equal(404);
    });

    it('the wallet module tells a wrong PIN (and how many tries are left); the right one then works', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      const key = await walletKey();
      try {
        await receiveCredential({ offer: offer.link, txCode: wrongPin(offer.txCode), key, fetch });
        expect.fail('a wrong PIN was accepted');
      } catch (e) {
        expect(e).to.be.instanceOf(Oid4vciError);
        expect(e).to.include({ code: 'wrong_pin', error: 'invalid_grant', attemptsLeft: 4 });
      }
      const got = await receiveCredential({ offer: offer.link, txCode: offer.txCode, key, fetch });
      expect(got.credential).to.be.a('string');
    });

    it('no PIN: invalid_request, and not counted', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      const res = await token({ grant_type: PRE_AUTH, 'pre-authorized_code': await codeOf(offer) });
      expectOAuthError(res, 400, 'invalid_request');
      expect((await redeem(offer)).status).to.equal(200);
    });
  });

  describe('the code', () => {
    it('used twice: the second time invalid_grant', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      const code = await codeOf(offer);
      const first = await token({ grant_type: PRE_AUTH, 'pre-authorized_code': code, tx_code: offer.txCode });
      expect(first.status, first.text).to.equal(200);
      const second = await token({ grant_type: PRE_AUTH, 'pre-authorized_code': code, tx_code: offer.txCode });
      expectOAuthError(second, 400, 'invalid_grant');
      expect(second.body).not.to.have.property('access_token');
    });

    it('of an expired offer: invalid_grant, and the offer document is gone', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate', { expiresInSeconds: 60 });
      const code = await codeOf(offer);
      gw.services.now = () => new Date(Date.now() + 61_000);
      expectOAuthError(
        await token({ grant_type: PRE_AUTH, 'pre-authorized_code': code, tx_code: offer.txCode }),
        400,
        'invalid_grant',
      );
      expect((await gw.api('GET', pathOf(offer.credential_offer_uri))).status).to.equal(404);
    });

    it('unknown: invalid_grant; another grant type: unsupported_grant_type; JSON instead of a form: invalid_request', async () => {
      expectOAuthError(
        await token({ grant_type: PRE_AUTH, 'pre-authorized_code': 'x'.repeat(43), tx_code: '123456' }),
        400,
        'invalid_grant',
      );
      expectOAuthError(await token({ grant_type: 'authorization_code', code: 'abc' }), 400, 'unsupported_grant_type');
      const json = await gw.api('POST', '/v1/oid4vci/token', { body: { grant_type: PRE_AUTH } });
      expectOAuthError(json, 400, 'invalid_request');
    });
  });

  describe('the credential request', () => {
    let accessToken: string;
    let key: DeviceKey;
    const proof = async (payload: Record<string, unknown> = {}) => {
      const nonce = (await gw.api('POST', '/v1/nonce')).body.c_nonce as string;
      return signJws(
        key,
        { typ: 'openid4vci-proof+jwt', jwk: key.publicJwk },
        { aud: gw.services.publicUrl, iat: Math.floor(Date.now() / 1000), nonce, ...payload },
      );
    };
    const ask = (body: unknown, bearer = accessToken) =>
      gw.api('POST', '/v1/oid4vci/credential', {
        headers: { authorization: `Bearer ${bearer}` },
        body: body as object,
      });

    before(async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      const res = await redeem(offer);
      expect(res.status, res.text).to.equal(200);
      accessToken = res.body.access_token as string;
      key = await walletKey();
    });

    it('refused proofs and requests anchor nothing; the right request then issues', async () => {
      const height = await gw.height();
      const id = 'HealthCertificate';
      // A nonce that is no c_nonce of the gateway.
      expectOAuthError(
        await ask({ credential_configuration_id: id, proofs: { jwt: [await proof({ nonce: 'n'.repeat(32) })] } }),
        400,
        'invalid_nonce',
      );
      // For another audience.
      expectOAuthError(
        await ask({
          credential_configuration_id: id,
          proofs: { jwt: [await proof({ aud: 'https://elsewhere.example' })] },
        }),
        400,
        'invalid_proof',
      );
      // Signed by another key than its header names.
      const other = deviceKey().publicJwk;
      const forged = await signJws(
        key,
        { typ: 'openid4vci-proof+jwt', jwk: other },
        {
          aud: gw.services.publicUrl,
          iat: Math.floor(Date.now() / 1000),
          nonce: (await gw.api('POST', '/v1/nonce')).body.c_nonce,
        },
      );
      expectOAuthError(await ask({ credential_configuration_id: id, proofs: { jwt: [forged] } }), 400, 'invalid_proof');
      // No proof; two proofs; the draft's single proof.
      expectOAuthError(await ask({ credential_configuration_id: id }), 400, 'invalid_proof');
      expectOAuthError(
        await ask({ credential_configuration_id: id, proofs: { jwt: [await proof(), await proof()] } }),
        400,
        'invalid_proof',
      );
      expectOAuthError(
        await ask({ credential_configuration_id: id, proof: { proof_type: 'jwt', jwt: await proof() } }),
        400,
        'invalid_credential_request',
      );
      // Another configuration than offered.
      expectOAuthError(
        await ask({ credential_configuration_id: 'SkillCertificate', proofs: { jwt: [await proof()] } }),
        400,
        'unknown_credential_configuration',
      );
      // Not an access token.
      const bad = await ask({ credential_configuration_id: id, proofs: { jwt: [await proof()] } }, 'A'.repeat(43));
      expectOAuthError(bad, 401, 'invalid_token');
      expect(bad.headers.get('www-authenticate')).to.match(/^Bearer error="invalid_token"/);
      expect(await gw.anchoredIds(height)).to.deep.equal([]);

      const ok = await ask({ credential_configuration_id: id, proofs: { jwt: [await proof()] } });
      expect(ok.status, ok.text).to.equal(200);
      expect(await gw.anchoredIds(height)).to.have.length(1);
    });

    it('an expired access token: invalid_token', async () => {
      gw.services.now = () => new Date(Date.now() + 10 * 60_000);
      expectOAuthError(
        await ask({ credential_configuration_id: 'HealthCertificate', proofs: { jwt: [await proof()] } }),
        401,
        'invalid_token',
      );
    });
  });

  describe('making offers', () => {
    it('an issuer’s key only; a body that would not issue is refused now, not at the phone', async () => {
      const verifier = await gw.verifierKey();
      const body = gw.issueBody('HealthCertificate');
      expectProblem(await gw.api('POST', '/v1/credential-offers', { key: verifier, body }), 403, 'forbidden');
      expect((await gw.api('POST', '/v1/credential-offers', { body })).status).to.equal(401);
      // The holder's key is the wallet's to bring.
      const withKey = await gw.api('POST', '/v1/credential-offers', {
        key: cdc.apiKey,
        body: { ...body, holderPublicJwk: deviceKey().publicJwk },
      });
      expectProblem(withKey, 400, 'validation_failed');
      // A type this issuer may not issue.
      const skill = await gw.api('POST', '/v1/credential-offers', {
        key: cdc.apiKey,
        body: gw.issueBody('SkillCertificate'),
      });
      expect(skill.status).to.be.oneOf([400, 403]);
      expect(skill.body.code).to.be.oneOf(['type_not_allowed', 'subject_issuer_mismatch']);
      // Too long an offer.
      const long = await gw.api('POST', '/v1/credential-offers', {
        key: cdc.apiKey,
        body: { ...body, expiresInSeconds: 86_401 },
      });
      expectProblem(long, 400, 'validation_failed');
    });

    it('an offer outlives a restart of the gateway (it is in the store)', async () => {
      const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
      await gw.restart();
      const got = await receiveCredential({
        offer: offer.link.replace(/127\.0\.0\.1%3A\d+/, encodeURIComponent(new URL(gw.url).host)),
        txCode: offer.txCode,
        key: await walletKey(),
        fetch,
      });
      expect(got.configurationId).to.equal('HealthCertificate');
    });
  });

  it('token requests are limited per address', async () => {
    const limited = await TestGateway.start({ env: { ANXIN_TOKEN_RATE_LIMIT: '3' } });
    try {
      const form = { grant_type: PRE_AUTH, 'pre-authorized_code': 'x'.repeat(43), tx_code: '000000' };
      for (let i = 0; i < 3; i++) expectOAuthError(await token(form, limited), 400, 'invalid_grant');
      expectOAuthError(await token(form, limited), 429, 'slow_down');
    } finally {
      await limited.stop();
    }
  });
});
