/**
 * A worker's wallet receives a credential by OpenID4VCI 1.0 (pre-authorized code + PIN): the
 * issuer makes an offer (a link for a QR code, a 6-digit PIN told apart); the wallet module
 * (gateway/src/wallet/oid4vci.ts, fetch + WebCrypto only) with a non-extractable P-256 key
 * fetches the offer and the metadata, trades the code and PIN for an access token, proves its
 * key over a c_nonce and gets an SD-JWT VC bound to that key, anchored like POST
 * /v1/credentials, which POST /v1/verify accepts with a key-binding JWT by that key. The offer
 * document anyone can fetch holds nothing personal; a retry of the credential request answers
 * the same credential and anchors nothing more.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { deviceKeyFromCryptoKeyPair, signJws, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { parseOffer, receiveCredential } from '@anxin/gateway/wallet/oid4vci';
import {
  TestGateway,
  decodeJws,
  makeOffer,
  pathOf,
  presentWithDeviceKey,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';

const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

async function walletKey(): Promise<DeviceKey> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  expect(pair.privateKey.extractable).to.equal(false);
  return deviceKeyFromCryptoKeyPair(pair);
}

describe('e2e: receiving a credential by OpenID4VCI (offer + PIN)', function () {
  let gw: TestGateway;
  let cdc: RegisteredIssuer;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  it('an offer: links for the QR code, a 6-digit PIN, 10 minutes; its public document names no one', async () => {
    const before = Date.now();
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
    const publicUrl = gw.services.publicUrl;
    expect(offer.txCode).to.match(/^\d{6}$/);
    expect(offer.credential_offer_uri).to.equal(`${publicUrl}/v1/credential-offers/${offer.offerId}`);
    expect(offer.link).to.equal(
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(offer.credential_offer_uri)}`,
    );
    expect(offer.walletLink).to.equal(`${publicUrl}/wallet#offer=${encodeURIComponent(offer.credential_offer_uri)}`);
    expect(parseOffer(offer.link)).to.deep.equal({ credentialOfferUri: offer.credential_offer_uri });
    expect(parseOffer(offer.walletLink)).to.deep.equal({ credentialOfferUri: offer.credential_offer_uri });
    expect(Date.parse(offer.expiresAt) - before).to.be.within(590_000, 610_000);

    // Fetched without any key, as a wallet does.
    const doc = await gw.api('GET', pathOf(offer.credential_offer_uri));
    expect(doc.status, doc.text).to.equal(200);
    expect(doc.headers.get('cache-control')).to.include('no-store');
    expect(Object.keys(doc.body).sort()).to.deep.equal(['credential_configuration_ids', 'credential_issuer', 'grants']);
    expect(doc.body.credential_issuer).to.equal(publicUrl);
    expect(doc.body.credential_configuration_ids).to.deep.equal(['HealthCertificate']);
    expect(Object.keys(doc.body.grants)).to.deep.equal([PRE_AUTH]);
    const grant = doc.body.grants[PRE_AUTH];
    expect(Object.keys(grant).sort()).to.deep.equal(['pre-authorized_code', 'tx_code']);
    expect(grant['pre-authorized_code']).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(grant.tx_code).to.include({ input_mode: 'numeric', length: 6 });
    expect(grant.tx_code.description).to.match(/[\u4e00-\u9fff]/);
    // Nothing personal: not the name, the ID number, the certificate, nor the PIN.
    const holder = offer.request.holder as { name: string; idNumber: string };
    const subject = offer.request.subject as { certificateNumber: string };
    for (const secret of [holder.name, holder.idNumber, subject.certificateNumber, offer.txCode])
      expect(doc.text).not.to.include(secret);

    // The QR code, for the issuer only.
    const svg = await gw.api('GET', pathOf(offer.qr.svg), { key: cdc.apiKey });
    expect(svg.status).to.equal(200);
    expect(svg.contentType).to.match(/^image\/svg\+xml/);
    const png = await gw.api('GET', pathOf(offer.qr.png), { key: cdc.apiKey });
    expect(png.status).to.equal(200);
    expect(png.contentType).to.match(/^image\/png/);
    expect((await gw.api('GET', pathOf(offer.qr.svg))).status).to.equal(401);
  });

  it('the metadata: Credential Issuer (three dc+sd-jwt configurations, jwt proofs) and authorization server', async () => {
    const publicUrl = gw.services.publicUrl;
    const meta = await gw.api('GET', '/.well-known/openid-credential-issuer');
    expect(meta.status).to.equal(200);
    expect(meta.body).to.include({
      credential_issuer: publicUrl,
      credential_endpoint: `${publicUrl}/v1/oid4vci/credential`,
      nonce_endpoint: `${publicUrl}/v1/nonce`,
    });
    expect(meta.body.display.map((d: { locale: string }) => d.locale)).to.deep.equal(['zh-CN', 'en']);
    const configs = meta.body.credential_configurations_supported;
    expect(Object.keys(configs).sort()).to.deep.equal(['HealthCertificate', 'LaborContract', 'SkillCertificate']);
    for (const [type, c] of Object.entries<Loose>(configs)) {
      expect(c.format).to.equal('dc+sd-jwt');
      expect(c.vct).to.equal(`${publicUrl}/vct/v1/${type}`);
      expect(c.cryptographic_binding_methods_supported).to.deep.equal(['jwk']);
      expect(c.credential_signing_alg_values_supported).to.include('ES256');
      expect(c.proof_types_supported.jwt.proof_signing_alg_values_supported).to.include('ES256');
      expect(c.credential_metadata.display.map((d: { locale: string }) => d.locale)).to.deep.equal(['zh-CN', 'en']);
    }
    const as = await gw.api('GET', '/.well-known/oauth-authorization-server');
    expect(as.status).to.equal(200);
    expect(as.body).to.include({
      issuer: publicUrl,
      token_endpoint: `${publicUrl}/v1/oid4vci/token`,
      'pre-authorized_grant_anonymous_access_supported': true,
    });
    expect(as.body.grant_types_supported).to.deep.equal([PRE_AUTH]);
  });

  it('the wallet module, with a non-extractable WebCrypto key, receives an SD-JWT VC bound to it that verifies', async () => {
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
    const key = await walletKey();
    const heightBefore = await gw.height();
    const got = await receiveCredential({ offer: offer.link, txCode: offer.txCode, key, fetch });
    expect(got.configurationId).to.equal('HealthCertificate');
    expect(got.issuer).to.equal(gw.services.publicUrl);
    const { header, payload } = decodeJws(got.credential.split('~')[0]!);
    expect(header.typ).to.equal('dc+sd-jwt');
    expect(payload.cnf).to.deep.equal({ jwk: key.publicJwk });
    // Anchored once.
    expect(await gw.anchoredIds(heightBefore)).to.have.length(1);

    // Shown with a key-binding JWT signed by the same non-extractable key: verified.
    const challenge = await gw.api('POST', '/v1/verify/challenges', { key: verifier });
    expect(challenge.status, challenge.text).to.equal(201);
    const shown = await presentWithDeviceKey(got.credential, key, challenge.body.nonce, challenge.body.aud);
    const report = await gw.verify(verifier, shown, { challenge: challenge.body.nonce });
    expect(report.verified, JSON.stringify(report.reasons)).to.equal(true);
    expect(report.checks.holderBinding).to.equal('pass');
    expect(report.credential!.disclosed).to.have.nested.property(
      'holder.name',
      (offer.request.holder as { name: string }).name,
    );
  });

  it('through the wallet link too; the offer is then gone, and the code cannot be used again', async () => {
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
    const got = await receiveCredential({
      offer: offer.walletLink,
      txCode: offer.txCode,
      key: await walletKey(),
      fetch,
    });
    expect(got.credential).to.match(/~$/);
    expect((await gw.api('GET', pathOf(offer.credential_offer_uri))).status).to.equal(404);
  });

  it('a retried credential request with the same access token answers the same credential, anchored once', async () => {
    const offer = await makeOffer(gw, cdc.apiKey, 'HealthCertificate');
    const doc = (await gw.api('GET', pathOf(offer.credential_offer_uri))).body;
    const code = doc.grants[PRE_AUTH]['pre-authorized_code'] as string;
    const token = await gw.api('POST', '/v1/oid4vci/token', {
      body: new URLSearchParams({
        grant_type: PRE_AUTH,
        'pre-authorized_code': code,
        tx_code: offer.txCode,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(token.status, token.text).to.equal(200);
    expect(token.body.token_type).to.equal('Bearer');
    expect(token.body.expires_in).to.be.within(60, 600);
    expect(token.headers.get('cache-control')).to.include('no-store');
    const key = await walletKey();
    const ask = async () => {
      const nonce = (await gw.api('POST', '/v1/nonce')).body.c_nonce as string;
      const proof = await signJws(
        key,
        { typ: 'openid4vci-proof+jwt', jwk: key.publicJwk },
        { aud: gw.services.publicUrl, iat: Math.floor(Date.now() / 1000), nonce },
      );
      return gw.api('POST', '/v1/oid4vci/credential', {
        headers: { authorization: `Bearer ${token.body.access_token as string}` },
        body: { credential_configuration_id: 'HealthCertificate', proofs: { jwt: [proof] } },
      });
    };
    const heightBefore = await gw.height();
    const first = await ask();
    expect(first.status, first.text).to.equal(200);
    expect(first.body.credentials).to.have.length(1);
    const again = await ask();
    expect(again.status, again.text).to.equal(200);
    expect(again.body.credentials[0].credential).to.equal(first.body.credentials[0].credential);
    expect(await gw.anchoredIds(heightBefore)).to.have.length(1);
  });
});
