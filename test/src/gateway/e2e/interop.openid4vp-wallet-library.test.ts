/**
 * The gateway's presentation requests read by a wallet library no one here wrote: the
 * OpenWallet Foundation's `@openid4vc/openid4vp` (0.4.x) parses the openid4vp:// link,
 * fetches the request_uri, checks the request object (JAR, typ, the client_id's
 * `decentralized_identifier` prefix, the signature by the DID URL its kid names — resolved
 * here from the gateway's did:web document) and sees OpenID4VP 1.0 final; it then builds and
 * submits the direct_post answer, and the verifier sees it verified.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { compactVerify, importJWK, type JWK } from 'jose';
import { deviceKeyFromCryptoKeyPair, type DeviceKey } from '@anxin/gateway/wallet/jws';
import { presentationFor } from '@anxin/gateway/wallet/oid4vp';
import { TestGateway, type Issued, type Loose } from '../../helpers/gateway';

describe('interop: @openid4vc/openid4vp reads the gateway’s presentation request and answers it', function () {
  let gw: TestGateway;
  let hotpot: string;
  let key: DeviceKey;
  let bound: Issued;

  before(async () => {
    gw = await TestGateway.start();
    const cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    hotpot = await gw.verifierKey('hotpot-chunxi');
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    key = await deviceKeyFromCryptoKeyPair(pair);
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    bound = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt', holderKey: privateJwk as never });
  });
  after(async () => {
    (await import('@openid4vc/oauth2')).setGlobalConfig({ allowInsecureUrls: false });
    await gw?.stop();
  });

  /** did:web resolution as the DID Web method says, over the loopback's http in this test. */
  async function resolveKey(didUrl: string): Promise<JWK> {
    const [did] = didUrl.split('#') as [string];
    const [, , host, ...path] = did.split(':');
    const doc = (await (
      await fetch(`http://${decodeURIComponent(host!)}/${path.map(decodeURIComponent).join('/')}/did.json`)
    ).json()) as Loose;
    expect(doc.id).to.equal(did);
    return doc.verificationMethod.find((m: Loose) => m.id === didUrl).publicKeyJwk as JWK;
  }

  it('parses and resolves the request (signature checked, version 1.0), then its direct_post answer is verified', async () => {
    const vp = await import('@openid4vc/openid4vp');
    // The suite's gateway listens on the loopback over http; the library insists on https unless told.
    (await import('@openid4vc/oauth2')).setGlobalConfig({ allowInsecureUrls: true });
    const created = (
      await gw.api<{ id: string; link: string; client_id: string }>('POST', '/v1/presentation-requests', {
        key: hotpot,
        body: { preset: 'food_service_shift' },
      })
    ).body;

    const signers: Loose[] = [];
    const callbacks = {
      fetch,
      hash: async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', data)),
      verifyJwt: async (signer: Loose, jwt: { compact: string }) => {
        signers.push(signer);
        if (signer.method !== 'did') return { verified: false as const };
        const jwk = await resolveKey(signer.didUrl as string);
        try {
          await compactVerify(jwt.compact, await importJWK(jwk, signer.alg as string));
          return { verified: true as const, signerJwk: jwk as never };
        } catch {
          return { verified: false as const };
        }
      },
    };

    const parsed = vp.parseOpenid4vpAuthorizationRequest({ authorizationRequest: created.link });
    expect(parsed.type).to.equal('jar');
    expect(parsed.provided).to.equal('uri');
    const resolved = await vp.resolveOpenid4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params as never,
      callbacks: callbacks as never,
    });
    expect(resolved.version).to.equal(100);
    expect(resolved.client).to.deep.include({ prefix: 'decentralized_identifier', effective: created.client_id });
    expect((resolved.client as Loose).didUrl).to.match(/^did:web:127\.0\.0\.1%3A\d+:verifier#/);
    expect(signers).to.have.length(1);
    expect(signers[0]!.method).to.equal('did');
    expect(resolved.jar?.signer).to.be.an('object');
    const request = resolved.authorizationRequestPayload as Loose;
    expect(request.response_mode).to.equal('direct_post');
    expect((resolved.dcql?.query as Loose).credentials[0].id).to.equal('health');

    const presentation = await presentationFor(
      { clientId: created.client_id, nonce: request.nonce as string },
      bound.credential,
      ['holder.name', 'healthCertificate.categories', 'healthCertificate.validity'],
      key,
    );
    const response = await vp.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request as never,
      authorizationResponsePayload: { vp_token: { health: [presentation] } } as never,
      callbacks: callbacks as never,
    });
    const submitted = await vp.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request as never,
      authorizationResponsePayload: response.authorizationResponsePayload,
      callbacks: callbacks as never,
    });
    expect(submitted.response.status).to.equal(200);

    const outcome = await gw.api('GET', `/v1/presentation-requests/${created.id}`, { key: hotpot });
    expect(outcome.body.status).to.equal('verified');
    expect(outcome.body.result.credentials.health.report.presentation).to.deep.equal({ binding: 'challenge' });
  });
});
