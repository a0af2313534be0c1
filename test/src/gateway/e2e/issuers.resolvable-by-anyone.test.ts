/**
 * Issuers anyone can resolve: a credential names its issuer by an HTTPS-style URL under the
 * gateway's public URL and its key by `<issuer url>#<key id>`; with no API key, anyone gets
 * the issuer's JWT VC Issuer Metadata, its controlled-identifier document and its did:web
 * document, all made from the ledger's projection (a rotation or a compromise shows at once),
 * and checks the signature with a JOSE library of their own. Credentials issued before, which
 * name the issuer by its urn, keep verifying.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { createLocalJWKSet, compactVerify, importJWK } from 'jose';
import { signStatement, type StatementSigner } from '@anxin/chaincode/rules';
import { buildCredential } from '@anxin/gateway/credentials';
import { issueSdJwt, signVcJwt } from '@anxin/gateway/credentials';
import { VC_CONTEXT_V2, type AnchorRecord, type CredentialType } from '@anxin/schemas';
import {
  DAY,
  FORMATS,
  TestGateway,
  decodeJws,
  describeOnLedgers,
  exampleHolder,
  exampleSubject,
  expectProblem,
  expectVerified,
  isoFromNow,
  shownOf,
  type Format,
  type Loose,
  type RegisteredIssuer,
} from '../../helpers/gateway';

describeOnLedgers('e2e: issuers anyone can resolve', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let health: RegisteredIssuer;
  let slug: string;
  let issuerUrl: string;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    slug = `cdc-${Math.random().toString(36).slice(2, 8)}`;
    health = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'], slug });
    issuerUrl = `${gw.services.publicUrl}/issuers/${slug}`;
  });
  after(async () => gw?.stop());

  const metadataOf = (s = slug) => gw.api('GET', `/.well-known/jwt-vc-issuer/issuers/${s}`);

  /** The issuer's metadata location as draft-ietf-oauth-sd-jwt-vc forms it from `iss`: well-known between host and path. */
  const wellKnownOf = (iss: string) => {
    const u = new URL(iss);
    return `${u.origin}/.well-known/jwt-vc-issuer${u.pathname.replace(/\/$/, '')}`;
  };

  describe('new credentials name the issuer by its URL', () => {
    for (const format of FORMATS) {
      it(`${format}: iss and kid are under the issuer's URL; the metadata found from iss alone verifies it with jose`, async () => {
        const issued = await gw.issue(health.apiKey, 'HealthCertificate', { format });
        const signed = issued.credential.split('~')[0]!;
        const { header, payload } = decodeJws(signed);
        const iss = (format === 'vc+jwt' ? (payload.issuer as Loose).id : payload.iss) as string;
        expect(iss).to.equal(issuerUrl);
        expect(header.kid).to.match(new RegExp(`^${issuerUrl.replace(/[.]/g, '\\.')}#[A-Za-z0-9_-]{43}$`));

        // A stranger: no API key, only what the credential says.
        const res = await fetch(wellKnownOf(iss));
        expect(res.status).to.equal(200);
        const metadata = (await res.json()) as Loose;
        expect(metadata.issuer).to.equal(iss);
        const jwks = createLocalJWKSet(metadata.jwks);
        const verified = await compactVerify(signed, jwks);
        expect(verified.protectedHeader.kid).to.equal(header.kid);

        expectVerified(await gw.verify(verifier, shownOf(issued)));
      });
    }

    it('vc+jwt: the kid is a verification method of the controlled-identifier document at the issuer URL, and of its did:web', async () => {
      const issued = await gw.issue(health.apiKey, 'HealthCertificate');
      const { header } = decodeJws(issued.credential);
      const cid = await fetch(issuerUrl, { headers: { accept: 'application/json' } }).then((r) => r.json() as Loose);
      expect(cid.id).to.equal(issuerUrl);
      expect(cid['@context']).to.deep.equal(['https://www.w3.org/ns/cid/v1']);
      const method = cid.verificationMethod.find((m: Loose) => m.id === header.kid);
      expect(method, 'the kid names a verification method').to.not.equal(undefined);
      expect(method).to.deep.include({ type: 'JsonWebKey', controller: issuerUrl });
      expect(cid.assertionMethod).to.include(header.kid);
      await compactVerify(issued.credential, await importJWK(method.publicKeyJwk, 'ES256'));

      const did = await gw.api('GET', `/issuers/${slug}/did.json`);
      expect(did.status).to.equal(200);
      expect(did.contentType).to.match(/^application\/did\+json/);
      const host = encodeURIComponent(new URL(gw.services.publicUrl).host);
      expect(did.body.id).to.equal(`did:web:${host}:issuers:${slug}`);
      expect(did.body.alsoKnownAs).to.deep.equal([issuerUrl]);
      const keyId = (header.kid as string).split('#')[1]!;
      expect(did.body.verificationMethod.map((m: Loose) => m.id)).to.include(`${did.body.id}#${keyId}`);
    });
  });

  describe('the documents are public, cacheable and readable from any origin', () => {
    it('no API key; CORS for GET; Cache-Control and an ETag that answers 304', async () => {
      for (const path of [
        `/.well-known/jwt-vc-issuer/issuers/${slug}`,
        `/issuers/${slug}`,
        `/issuers/${slug}/did.json`,
      ]) {
        const res = await gw.api('GET', path, { headers: { origin: 'https://elsewhere.example' } });
        expect(res.status, path).to.equal(200);
        expect(res.headers.get('access-control-allow-origin'), path).to.equal('*');
        expect(res.headers.get('cache-control'), path).to.match(/^public, max-age=\d+$/);
        const etag = res.headers.get('etag')!;
        expect(etag, path).to.match(/^"[^"]+"$/);
        const again = await gw.api('GET', path, { headers: { 'if-none-match': etag } });
        expect(again.status, path).to.equal(304);
      }
      const preflight = await gw.api('OPTIONS', `/.well-known/jwt-vc-issuer/issuers/${slug}`, {
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-methods')).to.include('GET');
    });

    it('an unknown or malformed slug is a 404 problem', async () => {
      expectProblem(await metadataOf('no-such-issuer'), 404, 'not_found');
      expectProblem(await gw.api('GET', '/issuers/NO_SUCH'), 404, 'not_found');
      expectProblem(await gw.api('GET', '/issuers/x/did.json'), 404, 'not_found');
    });
  });

  describe('the keys served are the ledger’s', () => {
    it('lists every key ever valid with its ledger window; a rotation and a compromise show at once', async () => {
      const trainer = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      const tslug = trainer.id.split(':').pop()!;
      const first = await metadataOf(tslug);
      expect(first.body.jwks.keys).to.have.length(1);
      const firstKey = trainer.issuer.keys[0]!;
      expect(first.body.jwks.keys[0]).to.deep.include({ alg: 'ES256', use: 'sig', notBefore: firstKey.notBefore });
      expect(first.body.jwks.keys[0]).to.not.have.property('retiredAt');

      const rotated = await gw.api('POST', `/v1/issuers/${encodeURIComponent(trainer.id)}/keys`, {
        key: gw.adminKey,
        body: {},
      });
      expect(rotated.status, rotated.text).to.be.oneOf([200, 201]);
      const afterRotation = (await metadataOf(tslug)).body;
      const record = gw.issuerRecord(trainer.id);
      expect(afterRotation.jwks.keys.map((k: Loose) => k.kid)).to.deep.equal(
        record.keys.map((k) => `${gw.services.publicUrl}/issuers/${tslug}#${k.keyId}`),
      );
      expect(afterRotation.jwks.keys[0].retiredAt).to.equal(record.keys[0]!.retiredAt);

      const since = new Date(Date.now() - 60_000).toISOString();
      const compromised = await gw.api(
        'POST',
        `/v1/issuers/${encodeURIComponent(trainer.id)}/keys/${encodeURIComponent(firstKey.keyId)}/compromised`,
        { key: gw.adminKey, body: { compromisedSince: since } },
      );
      expect(compromised.status, compromised.text).to.be.oneOf([200, 201]);
      const afterCompromise = (await metadataOf(tslug)).body;
      const revokedAt = gw.issuerRecord(trainer.id).keys[0]!.revokedAt;
      expect(revokedAt).to.be.a('string');
      expect(afterCompromise.jwks.keys[0].revokedAt).to.equal(revokedAt);
      const served = await gw.api('GET', `/issuers/${tslug}`);
      expect(served.contentType).to.match(/^application\/cid/);
      const cid = JSON.parse(served.text) as Loose;
      expect(cid.verificationMethod[0].revoked).to.equal(revokedAt);
    });
  });

  describe('credentials issued before the URLs keep verifying', () => {
    /** A credential as the gateway issued them before: the issuer and the kid by the ledger's urn, the first vct. */
    async function issuedTheOldWay(type: CredentialType, format: Format): Promise<string> {
      const keys = gw.issuerRecord(health.id).keys;
      const signer: StatementSigner = (await gw.services.keys.signer(keys[keys.length - 1]!.kid))!;
      const vc = buildCredential(
        {
          type,
          holder: exampleHolder(),
          subject: exampleSubject(type),
          validFrom: isoFromNow(-DAY),
          validUntil: isoFromNow(90 * DAY),
        },
        gw.issuerRecord(health.id),
        gw.services.publicUrl,
      );
      vc['@context'] = [VC_CONTEXT_V2];
      vc.issuer.id = health.id;
      const credential = format === 'vc+jwt' ? await signVcJwt(vc, signer) : (await issueSdJwt(vc, signer)).sdJwt;
      const signed = credential.split('~')[0]!;
      const statement = await signStatement(
        {
          kind: 'anchor',
          iss: health.id,
          anchor: {
            id: vc.id,
            type,
            kid: signer.kid,
            digest: createHash('sha256').update(signed).digest('hex'),
            holderRef: vc.credentialSubject.holder.ref,
            validFrom: vc.validFrom,
            validUntil: vc.validUntil!,
          },
        },
        signer,
      );
      const c = await gw.services.ledgerClient.submit<AnchorRecord>('anchor', statement);
      await gw.services.projection.applyAnchor(c.record, c.block, c.txIndex, c.txId, true);
      return shownOf({ format, credential });
    }

    for (const format of FORMATS) {
      it(`${format}: issuer and kid as urn:anxin:issuer:… verify, and the report names the same issuer`, async () => {
        const old = await issuedTheOldWay('HealthCertificate', format);
        const { header, payload } = decodeJws(old.split('~')[0]!);
        expect(header.kid).to.match(/^urn:anxin:issuer:/);
        if (format === 'dc+sd-jwt') expect(payload.vct).to.equal('https://anxin.dev/vct/v1/HealthCertificate');
        const report = await gw.verify(verifier, old);
        expectVerified(report);
        expect(report.credential!.issuer!.id).to.equal(health.id);
      });
    }
  });
});
