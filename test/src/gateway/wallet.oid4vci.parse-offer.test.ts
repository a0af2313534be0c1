/**
 * What the wallet reads as a credential offer: the OpenID4VCI offer link by reference or by
 * value, or a link into the wallet (`…/wallet#offer=`); anything else, or an offer URI that is
 * not https (but on the phone itself), is `not_an_offer`. Where the metadata of an issuer with
 * a path lives. And the wallet's base64url and ES256 JWS, checked against Node's own.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { b64url, deviceKeyFromCryptoKeyPair, fromB64url, signJws } from '@anxin/gateway/wallet/jws';
import { Oid4vciError, parseOffer, wellKnownUrl } from '@anxin/gateway/wallet/oid4vci';

const URI = 'https://anxin.example.cn/v1/credential-offers/bKiZ7HFveyuMzl16aguUvg';

describe('wallet: reading a credential offer', () => {
  it('by reference, as a QR code or a wallet link gives it', () => {
    for (const text of [
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(URI)}`,
      ` openid-credential-offer://?credential_offer_uri=${encodeURIComponent(URI)}\n`,
      `https://anxin.example.cn/wallet#offer=${encodeURIComponent(URI)}`,
    ])
      expect(parseOffer(text)).to.deep.equal({ credentialOfferUri: URI });
  });

  it('by value', () => {
    const offer = {
      credential_issuer: 'https://anxin.example.cn',
      credential_configuration_ids: ['HealthCertificate'],
    };
    expect(
      parseOffer(`openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`),
    ).to.deep.equal({ credentialOffer: offer });
  });

  it('anything else is not an offer', () => {
    for (const text of [
      'hello',
      'https://anxin.example.cn/verify#eyJ',
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent('http://evil.example/offer')}`,
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent('javascript:alert(1)')}`,
      'openid-credential-offer://?credential_offer=%7B%7D',
    ]) {
      let code: string | undefined;
      try {
        parseOffer(text);
      } catch (e) {
        code = (e as Oid4vciError).code;
      }
      expect(code, text).to.be.oneOf(['not_an_offer', 'bad_response']);
    }
  });

  it('metadata lives between the host and the path of the identifier', () => {
    expect(wellKnownUrl('https://a.example', 'openid-credential-issuer')).to.equal(
      'https://a.example/.well-known/openid-credential-issuer',
    );
    expect(wellKnownUrl('https://a.example/tenant/', 'oauth-authorization-server')).to.equal(
      'https://a.example/.well-known/oauth-authorization-server/tenant',
    );
  });
});

describe('wallet: base64url and ES256 JWS with a WebCrypto key', () => {
  it('base64url round-trips every length, as Node writes it', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      expect(b64url(bytes)).to.equal(Buffer.from(bytes).toString('base64url'));
      expect(Buffer.from(fromB64url(b64url(bytes)))).to.deep.equal(Buffer.from(bytes));
    }
    expect(b64url('安心')).to.equal(Buffer.from('安心').toString('base64url'));
    expect(() => fromB64url('a+b/')).to.throw();
  });

  it('a JWS signed by a non-extractable key verifies with its public JWK', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const key = await deviceKeyFromCryptoKeyPair(pair);
    expect(Object.keys(key.publicJwk).sort()).to.deep.equal(['crv', 'kty', 'x', 'y']);
    const jws = await signJws(key, { typ: 'JWT' }, { hello: '你好' });
    const [h, p, sig] = jws.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).to.deep.equal({ typ: 'JWT', alg: 'ES256' });
    const ok = verifySignature(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: createPublicKey({ key: key.publicJwk as never, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(sig, 'base64url'),
    );
    expect(ok).to.equal(true);
  });
});
