/**
 * A wallet no one here wrote receives a credential from the gateway: the OpenWallet
 * Foundation's OpenID4VCI client (@openid4vc/openid4vci 0.4, with @openid4vc/oauth2) resolves
 * the offer link and the issuer's metadata (validated by its own schemas), trades the
 * pre-authorized code and the PIN for an access token, asks the nonce endpoint, makes the jwt
 * proof itself, and gets the SD-JWT VC, bound to its key, which POST /v1/verify accepts with
 * a key-binding JWT. The library insists on https URLs; the test gateway is plain http on
 * 127.0.0.1, so that one check is relaxed through the library's own setting.
 */
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CompactSign } from 'jose';
import { after, before, describe, it } from 'mocha';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous, setGlobalConfig, type SignJwtCallback } from '@openid4vc/oauth2';
import {
  TestGateway,
  decodeJws,
  deviceKey,
  makeOffer,
  withoutCommitment,
  type RegisteredIssuer,
} from '../../helpers/gateway';

describe('e2e: a third-party OpenID4VCI wallet library receives a credential', function () {
  let gw: TestGateway;
  let school: RegisteredIssuer;
  let verifier: string;

  before(async () => {
    setGlobalConfig({ allowInsecureUrls: true });
    gw = await TestGateway.start();
    school = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
    verifier = await gw.verifierKey();
  });
  after(async () => {
    setGlobalConfig({ allowInsecureUrls: false });
    await gw?.stop();
  });

  it('@openid4vc/openid4vci: offer → metadata → token with PIN → nonce → proof → dc+sd-jwt bound to its key', async () => {
    const wallet = deviceKey();
    const publicJwk = wallet.publicJwk as { kty: string } & Record<string, string>;
    const privateKey = createPrivateKey({ key: wallet.privateJwk, format: 'jwk' });
    const signJwt: SignJwtCallback = async (signer, { header, payload }) => {
      expect(signer.method).to.equal('jwk');
      const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload)))
        .setProtectedHeader(header as never)
        .sign(privateKey);
      return { jwt, signerJwk: publicJwk };
    };
    const client = new Openid4vciClient({
      callbacks: {
        fetch,
        generateRandom: (n) => new Uint8Array(randomBytes(n)),
        hash: (data, alg) => new Uint8Array(createHash(alg.replace('-', '')).update(data).digest()),
        signJwt,
        clientAuthentication: clientAuthenticationAnonymous(),
      },
    });

    const offer = await makeOffer(gw, school.apiKey, 'SkillCertificate');
    const credentialOffer = await client.resolveCredentialOffer(offer.link);
    expect(credentialOffer.credential_configuration_ids).to.deep.equal(['SkillCertificate']);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    expect(issuerMetadata.credentialIssuer.credential_issuer).to.equal(gw.services.publicUrl);

    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      txCode: offer.txCode,
    });
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: 'SkillCertificate',
      signer: { method: 'jwk', alg: 'ES256', publicJwk },
      nonce: c_nonce,
    });
    expect(decodeJws(jwt).header.typ).to.equal('openid4vci-proof+jwt');
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: 'SkillCertificate',
      proofs: { jwt: [jwt] },
    });
    const first = credentialResponse.credentials?.[0];
    const credential = first && typeof first === 'object' && 'credential' in first ? first.credential : undefined;
    expect(credential).to.be.a('string');
    const sdJwt = credential as string;
    const { payload } = decodeJws(sdJwt.split('~')[0]!);
    expect(payload.vct).to.equal(`${gw.services.publicUrl}/vct/v1/SkillCertificate`);
    expect(payload.cnf).to.deep.equal({ jwk: wallet.publicJwk });

    // The received credential verifies, shown with a key-binding JWT by the wallet's key.
    const challenge = (await gw.api('POST', '/v1/verify/challenges', { key: verifier })).body;
    const shown = withoutCommitment(sdJwt);
    const kb = await new CompactSign(
      Buffer.from(
        JSON.stringify({
          iat: Math.floor(Date.now() / 1000),
          nonce: challenge.nonce,
          aud: challenge.aud,
          sd_hash: createHash('sha256').update(shown).digest('base64url'),
        }),
      ),
    )
      .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
      .sign(privateKey);
    const report = await gw.verify(verifier, `${shown}${kb}`, { challenge: challenge.nonce });
    expect(report.verified, JSON.stringify(report.reasons)).to.equal(true);
    expect(report.checks.holderBinding).to.equal('pass');
    expect(report.credential!.type).to.equal('SkillCertificate');

    // Its PIN refusal reads as OAuth's invalid_grant to the library too.
    const second = await makeOffer(gw, school.apiKey, 'SkillCertificate');
    const offer2 = await client.resolveCredentialOffer(second.link);
    let refused: unknown;
    try {
      await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer: offer2,
        issuerMetadata,
        txCode: second.txCode === '000000' ? '000001' : '000000',
      });
    } catch (e) {
      refused = e;
    }
    expect(JSON.stringify((refused as { errorResponse?: unknown }).errorResponse)).to.include('invalid_grant');
  });
});
