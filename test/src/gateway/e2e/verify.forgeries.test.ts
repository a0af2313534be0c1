/**
 * Forged, tampered and never-anchored credentials at POST /v1/verify: each gives a
 * 200 report that names the failing check with its stable reason code, never a 500,
 * never verified:true.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { after, before, describe, it } from 'mocha';
import { buildCredential, issueSdJwt, signVcJwt } from '@anxin/gateway/credentials';
import type { StatementSigner } from '@anxin/chaincode/rules';
import { ledgerKid } from '@anxin/schemas';
import {
  FORMATS,
  TestGateway,
  alterJwsPayload,
  decodeJws,
  exampleHolder,
  exampleSubject,
  expectFailed,
  expectProblem,
  expectVerified,
  withoutCommitment,
  isoFromNow,
  DAY,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** A hand-made JWS with any header, signed with HMAC-SHA256 under `secret`. */
function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Buffer | string): string {
  const input = `${b64u(JSON.stringify({ ...header, alg: 'HS256' }))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describeOnLedgers('e2e: forged and tampered credentials at /v1/verify', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let health: RegisteredIssuer;
  const issued = new Map<string, Issued>();
  let signer: StatementSigner;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    health = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    for (const format of FORMATS) issued.set(format, await gw.issue(health.apiKey, 'HealthCertificate', { format }));
    signer = (await gw.services.keys.signer(health.issuer.keys[0]!.kid))!;
    expect(signer, 'the custodial signer of the issuer key').to.not.equal(undefined);
  });
  after(async () => gw?.stop());

  /** A credential built and signed by the gateway's own modules, never anchored (an SD-JWT as a holder shows it). */
  async function unanchored(
    format: 'vc+jwt' | 'dc+sd-jwt',
    type: 'HealthCertificate' | 'SkillCertificate' = 'HealthCertificate',
  ) {
    // Without an anchor, the credential's own claim (validFrom; an SD-JWT's iat, whole
    // seconds) is the signing time the key is judged at: make it fall after the key's notBefore.
    const notBefore = Date.parse(health.issuer.keys[0]!.notBefore);
    const wait = Math.floor(notBefore / 1000) * 1000 + 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 5));
    const vc = buildCredential(
      {
        type,
        holder: exampleHolder(),
        subject: exampleSubject(type),
        validFrom: new Date().toISOString(),
        validUntil: isoFromNow(90 * DAY),
      },
      gw.issuerRecord(health.id),
      gw.services.publicUrl,
    );
    return format === 'vc+jwt' ? signVcJwt(vc, signer) : withoutCommitment((await issueSdJwt(vc, signer)).sdJwt);
  }

  for (const format of FORMATS) {
    describe(format, () => {
      it('the genuine credential verifies (the baseline for every forgery below)', async () => {
        expectVerified(await gw.verify(verifier, issued.get(format)!.presentation));
      });

      it('payload altered after signing → signature bad_signature', async () => {
        const c = issued.get(format)!.presentation;
        const altered = alterJwsPayload(c, (p) => {
          if (format === 'vc+jwt') p.validUntil = isoFromNow(3650 * DAY);
          else p.exp = Math.floor(Date.now() / 1000) + 3650 * 24 * 3600;
        });
        expect(altered).not.to.equal(c);
        const r = await gw.verify(verifier, altered);
        expectFailed(r, 'signature', 'bad_signature');
        expect(r.checks.format).to.equal('pass');
        expect(r.checks.anchored).to.equal('skipped');
      });

      it('signed by another key under the issuer’s kid → signature bad_signature', async () => {
        const c = issued.get(format)!.presentation;
        const { header, raw } = decodeJws(c);
        const { privateKey } = await generateKeyPair('ES256');
        let forged = await new CompactSign(Buffer.from(raw[1]!, 'base64url'))
          .setProtectedHeader(header as { alg: string })
          .sign(privateKey);
        if (format === 'dc+sd-jwt') forged = `${forged}~${c.split('~').slice(1).join('~')}`;
        expect(ledgerKid(decodeJws(forged).header.kid as string)).to.equal(health.issuer.keys[0]!.kid);
        expectFailed(await gw.verify(verifier, forged), 'signature', 'bad_signature');
      });

      it('alg none → signature alg_not_allowed', async () => {
        const c = issued.get(format)!.presentation;
        const { header, payload } = decodeJws(c);
        let none = `${b64u(JSON.stringify({ ...header, alg: 'none' }))}.${b64u(JSON.stringify(payload))}.`;
        if (format === 'dc+sd-jwt') none = `${none}~${c.split('~').slice(1).join('~')}`;
        const r = await gw.verify(verifier, none);
        expectFailed(r, 'signature', 'alg_not_allowed');
        expect(r.checks.format).to.equal('pass');
      });

      it('HS256 keyed with the issuer’s public key (JWK JSON, or PEM) → signature alg_not_allowed', async () => {
        const c = issued.get(format)!.presentation;
        const { header, payload } = decodeJws(c);
        const jwk = health.issuer.keys[0]!.publicJwk;
        const pem = createPublicKey({ key: jwk as JWK, format: 'jwk' } as never)
          .export({ type: 'spki', format: 'pem' })
          .toString();
        for (const secret of [JSON.stringify(jwk), pem, Buffer.from(pem)]) {
          let forged = hs256(header, payload, secret);
          if (format === 'dc+sd-jwt') forged = `${forged}~${c.split('~').slice(1).join('~')}`;
          expectFailed(await gw.verify(verifier, forged), 'signature', 'alg_not_allowed');
        }
      });

      it('an unknown kid (the issuer’s, or no issuer at all) → signature unknown_key', async () => {
        const c = issued.get(format)!.presentation;
        const { header, raw } = decodeJws(c);
        const { privateKey, publicKey } = await generateKeyPair('ES256');
        const keyId = await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
        for (const kid of [`${health.id}#${keyId}`, `urn:anxin:issuer:nobody-here#${keyId}`]) {
          let forged = await new CompactSign(Buffer.from(raw[1]!, 'base64url'))
            .setProtectedHeader({ ...header, kid } as unknown as { alg: string })
            .sign(privateKey);
          if (format === 'dc+sd-jwt') forged = `${forged}~${c.split('~').slice(1).join('~')}`;
          expectFailed(await gw.verify(verifier, forged), 'signature', 'unknown_key');
        }
      });

      it('well signed by the issuer’s custodial key but never anchored → anchored not_anchored, digestMatches skipped', async () => {
        const cred = await unanchored(format);
        const r = await gw.verify(verifier, cred);
        expectFailed(r, 'anchored', 'not_anchored');
        for (const check of ['format', 'signature', 'issuerTrusted', 'issuerAuthorizedForType', 'keyValidAtIssue'])
          expect(r.checks[check], check).to.equal('pass');
        expect(r.checks.digestMatches).to.equal('skipped');
        expect(r.checks.status).to.equal('skipped');
        expect(r.anchor).to.equal(undefined);
        expect(r.reasons).to.have.length(1);
      });

      it('the id of an anchored credential with other content, well signed → digestMatches digest_mismatch', async () => {
        const c = issued.get(format)!;
        const { header, payload } = decodeJws(c.credential);
        if (format === 'vc+jwt') payload.validUntil = isoFromNow(3650 * DAY);
        else payload.exp = Math.floor(Date.now() / 1000) + 3650 * 24 * 3600;
        let forged = await new CompactSign(Buffer.from(JSON.stringify(payload)))
          .setProtectedHeader(header as { alg: string })
          .sign(signer.privateKey);
        if (format === 'dc+sd-jwt') forged = `${forged}~${c.presentation.split('~').slice(1).join('~')}`;
        const r = await gw.verify(verifier, forged);
        expectFailed(r, 'digestMatches', 'digest_mismatch');
        expect(r.checks.signature).to.equal('pass');
        expect(r.checks.anchored).to.equal('pass');
        expect(r.checks.status).to.equal('skipped');
        expect(r.credential!.id).to.equal(c.id);
      });

      it('signed with one issuer’s key but claiming another issuer → issuerTrusted issuer_mismatch', async () => {
        const other = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
        const vc = buildCredential(
          {
            type: 'HealthCertificate',
            holder: exampleHolder(),
            subject: exampleSubject('HealthCertificate'),
            validFrom: new Date().toISOString(),
          },
          gw.issuerRecord(other.id),
          gw.services.publicUrl,
        );
        const cred =
          format === 'vc+jwt' ? await signVcJwt(vc, signer) : withoutCommitment((await issueSdJwt(vc, signer)).sdJwt);
        expect(decodeJws(cred).header.kid).to.equal(health.issuer.keys[0]!.kid);
        const r = await gw.verify(verifier, cred);
        expectFailed(r, 'issuerTrusted', 'issuer_mismatch');
        expect(r.checks.signature).to.equal('pass');
      });

      it('a subject that breaks its schema, signed with the issuer’s real key → schema schema_invalid', async () => {
        const subject = { ...exampleSubject('HealthCertificate'), result: 'maybe' };
        const vc = buildCredential(
          {
            type: 'HealthCertificate',
            holder: exampleHolder(),
            subject,
            validFrom: new Date().toISOString(),
            validUntil: isoFromNow(DAY),
          },
          gw.issuerRecord(health.id),
          gw.services.publicUrl,
        );
        const cred =
          format === 'vc+jwt' ? await signVcJwt(vc, signer) : withoutCommitment((await issueSdJwt(vc, signer)).sdJwt);
        const r = await gw.verify(verifier, cred);
        expectFailed(r, 'schema', 'schema_invalid');
        expect(r.reasons.find((x) => x.check === 'schema')!.field).to.match(/result$/);
      });

      it('a type the issuer’s kind may never issue, signed with its real key → issuerAuthorizedForType type_not_for_kind', async () => {
        const cred = await unanchored(format, 'SkillCertificate');
        const r = await gw.verify(verifier, cred);
        expectFailed(r, 'issuerAuthorizedForType', 'type_not_for_kind');
        expect(r.authority!.typeRule).to.equal('not_for_kind');
        expect(r.checks.signature).to.equal('pass');
        expect(r.checks.issuerTrusted).to.equal('pass');
      });
    });
  }

  it('POST /v1/credentials for a type the issuer may not issue → 403 type_not_allowed, nothing anchored', async () => {
    const h = await gw.height();
    for (const type of ['SkillCertificate', 'LaborContract'] as const) {
      expectProblem(await gw.issueRaw(health.apiKey, type), 403, 'type_not_allowed');
    }
    expect(await gw.height()).to.equal(h);
  });

  it('garbage and near-misses → a format failure, never a 500', async () => {
    const cases: Array<[string, string]> = [
      ['hello, world', 'unrecognised'],
      ['a.b.c', 'bad_header'],
      [`${b64u('{"alg":"ES256","typ":"JWT"}')}.${b64u('{}')}.sig`, 'unsupported_typ'],
      [`${b64u('{"alg":"ES256","typ":"vc+jwt"}')}.${b64u('[1,2]')}.sig`, 'bad_payload'],
      ['   ', 'empty'],
    ];
    for (const [input, code] of cases) {
      const r = await gw.verify(verifier, input);
      expectFailed(r, 'format', code);
      expect(Object.values(r.checks).filter((x) => x === 'pass')).to.deep.equal([]);
    }
  });
});
