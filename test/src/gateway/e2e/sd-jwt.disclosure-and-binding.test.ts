/**
 * SD-JWT VC specifics: presentations that disclose less (the ID number withheld), forged
 * or repeated disclosures, and key binding (cnf + KB-JWT): a fresh, well-bound
 * presentation passes; stale, wrong nonce, wrong audience, wrong key, wrong sd_hash and
 * a missing KB-JWT (whatever the request asks) each fail with their code; the holder's
 * ledger commitment (salt, ref) is never accepted in a presentation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CompactSign, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { after, before, describe, it } from 'mocha';
import { ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import {
  TestGateway,
  disclosuresOf,
  expectFailed,
  expectProblem,
  expectVerified,
  forgedDisclosure,
  presentWith,
  withoutCommitment,
  type Issued,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

const sha256 = (data: string | ArrayBuffer) =>
  new Uint8Array(
    createHash('sha256')
      .update(typeof data === 'string' ? data : Buffer.from(data))
      .digest(),
  );

/** A KB-JWT over `presented` (an SD-JWT ending in `~`), signed by `key`. */
async function kbJwt(presented: string, key: CryptoKey, payload: Record<string, unknown>): Promise<string> {
  const body = {
    iat: Math.floor(Date.now() / 1000),
    sd_hash: createHash('sha256').update(presented).digest('base64url'),
    ...payload,
  };
  return new CompactSign(Buffer.from(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(key);
}

describeOnLedgers('e2e: SD-JWT selective disclosure and holder binding', function (ledger) {
  let gw: TestGateway;
  let verifier: string;
  let cdc: RegisteredIssuer;
  let plain: Issued;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
    cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    plain = await gw.issue(cdc.apiKey, 'HealthCertificate', { format: 'dc+sd-jwt' });
  });
  after(async () => gw?.stop());

  describe('selective disclosure', () => {
    it('every holder and subject member is a disclosure (nothing personal in the signed JWT)', () => {
      const names = disclosuresOf(plain.credential).map((d) => d.name);
      expect(names).to.include.members(['name', 'idNumber', 'certificateNumber', 'validity', 'result']);
      const issuerJwt = plain.credential.split('~')[0]!;
      const payload = Buffer.from(issuerJwt.split('.')[1]!, 'base64url').toString('utf8');
      expect(payload).not.to.include(plain.holder.name);
      expect(payload).not.to.include(plain.holder.idNumber);
    });

    it('the ID-number disclosure dropped → still verified; disclosed has no idNumber', async () => {
      const presented = presentWith(plain.credential, (d) => !['idNumber', 'salt', 'ref'].includes(d.name ?? ''));
      expect(presented).not.to.equal(plain.credential);
      const r = await gw.verify(verifier, presented);
      expectVerified(r);
      expect(r.credential!.disclosed.holder).to.deep.equal({ name: plain.holder.name });
      expect(JSON.stringify(r)).not.to.include(plain.holder.idNumber.slice(-4) + '"');
      expect(r.credential!.disclosed.healthCertificate.result).to.equal('fit');
    });

    it('only what the job needs (validity, categories, result) → verified, no holder at all', async () => {
      const presented = presentWith(plain.credential, (d) =>
        ['validity', 'categories', 'result'].includes(d.name ?? ''),
      );
      const r = await gw.verify(verifier, presented);
      expectVerified(r);
      expect(r.credential!.disclosed.holder).to.equal(undefined);
      expect(Object.keys(r.credential!.disclosed.healthCertificate).sort()).to.deep.equal([
        'categories',
        'result',
        'validity',
      ]);
    });

    it('a presentation made with @sd-jwt/sd-jwt-vc present() → verified', async () => {
      const sd = new SDJwtVcInstance({ hasher: sha256, hashAlg: 'sha-256' });
      const presented = await sd.present(plain.credential, {
        holder: { name: true },
        healthCertificate: { validity: true, result: true },
      } as never);
      const r = await gw.verify(verifier, presented);
      expectVerified(r);
      expect(r.credential!.disclosed.holder).to.deep.equal({ name: plain.holder.name });
      expect(Object.keys(r.credential!.disclosed.healthCertificate).sort()).to.deep.equal(['result', 'validity']);
    });

    it('an extra forged disclosure → format bad_disclosure (signature passes)', async () => {
      for (const d of [forgedDisclosure('result', 'fit'), forgedDisclosure('idNumber', '110101200001011234')]) {
        const r = await gw.verify(verifier, `${plain.credential}${d}~`);
        expectFailed(r, 'format', 'bad_disclosure');
        expect(r.checks.signature).to.equal('pass');
        expect(r.checks.anchored).to.equal('skipped');
      }
    });

    it('a disclosure repeated → format bad_disclosure', async () => {
      const first = disclosuresOf(plain.credential)[0]!.encoded;
      expectFailed(await gw.verify(verifier, `${plain.credential}${first}~`), 'format', 'bad_disclosure');
    });

    it('a disclosure whose value was changed → format bad_disclosure', async () => {
      const d = disclosuresOf(plain.credential).find((x) => x.name === 'result')!;
      const changed = Buffer.from(JSON.stringify([d.salt, 'result', 'unfit'])).toString('base64url');
      const r = await gw.verify(verifier, plain.credential.replace(`~${d.encoded}~`, `~${changed}~`));
      expectFailed(r, 'format', 'bad_disclosure');
    });

    // In clear, the salt (and the ref beside it) would let anyone test guesses of the ID number
    // against the anchor's public holderRef: they stay disclosable in the issued credential,
    // for its holder, and are refused in any presentation — of a bound credential too.
    it('holder.salt or holder.ref disclosed → format holder_commitment_disclosed, on every path', async () => {
      const only = (names: string[]) => presentWith(plain.credential, (d) => names.includes(d.name ?? ''));
      for (const presented of [
        plain.credential,
        only(['name', 'salt']),
        only(['ref']),
        only(['salt', 'ref', 'result']),
      ]) {
        const r = await gw.verify(verifier, presented);
        expectFailed(r, 'format', 'holder_commitment_disclosed');
        expect(r.checks.signature).to.equal('pass');
        expect(r.checks.anchored).to.equal('skipped');
        expect(JSON.stringify(r)).not.to.include(disclosuresOf(plain.credential).find((x) => x.name === 'salt')!.salt);
      }
      const text = await gw.api('POST', '/v1/verify', {
        key: verifier,
        body: `ANXIN:${only(['salt'])}`,
        headers: { 'content-type': 'text/plain' },
      });
      expectFailed(text.body, 'format', 'holder_commitment_disclosed');
      const batch = await gw.api('POST', '/v1/verify/batch', {
        key: verifier,
        body: { credentials: [only(['ref']), withoutCommitment(plain.credential)] },
      });
      expectFailed(batch.body.results[0], 'format', 'holder_commitment_disclosed');
      expectVerified(batch.body.results[1]);
      // Without them, the whole rest of the credential verifies.
      expectVerified(await gw.verify(verifier, withoutCommitment(plain.credential)));
    });
  });

  describe('holder binding (cnf + KB-JWT)', () => {
    let holderKey: CryptoKey;
    let holderPrivateJwk: JWK;
    let holderJwk: Record<string, string>;
    let bound: Issued;
    const nonce = `n-${randomUUID()}`;
    const aud = 'https://hotpot.example.cn/verify';

    before(async () => {
      const pair = await ES256.generateKeyPair();
      holderJwk = { kty: 'EC', crv: 'P-256', x: pair.publicKey.x!, y: pair.publicKey.y! };
      holderPrivateJwk = pair.privateKey as JWK;
      holderKey = (await importJWK(holderPrivateJwk, 'ES256')) as CryptoKey;
      bound = await gw.issue(cdc.apiKey, 'HealthCertificate', {
        format: 'dc+sd-jwt',
        holderKey: holderPrivateJwk as import('node:crypto').JsonWebKey,
      });
    });

    it('the issued credential carries the holder key as cnf.jwk', () => {
      const payload = JSON.parse(
        Buffer.from(bound.credential.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8'),
      );
      expect(payload.cnf.jwk).to.deep.equal(holderJwk);
    });

    it('present() with a KB-JWT (iat, nonce, aud, sd_hash) from the holder’s key → holderBinding pass', async () => {
      const sd = new SDJwtVcInstance({
        hasher: sha256,
        hashAlg: 'sha-256',
        kbSigner: await ES256.getSigner(holderPrivateJwk),
        kbSignAlg: 'ES256',
      });
      const presented = await sd.present(
        bound.credential,
        { holder: { name: true }, healthCertificate: { validity: true, result: true, categories: true } } as never,
        {
          kb: { payload: { iat: Math.floor(Date.now() / 1000), aud, nonce } },
        },
      );
      expect(presented.endsWith('~')).to.equal(false);
      const r = await gw.verify(verifier, presented, { nonce, audience: aud, holderBinding: 'required' });
      expectVerified(r, 'pass');
    });

    it('a KB-JWT made with jose over a partial presentation → pass', async () => {
      const presented = presentWith(bound.credential, (d) => !['idNumber', 'salt', 'ref'].includes(d.name ?? ''));
      const r = await gw.verify(verifier, `${presented}${await kbJwt(presented, holderKey, { nonce, aud })}`, {
        nonce,
        audience: aud,
      });
      expectVerified(r, 'pass');
    });

    it('stale iat (10 minutes ago) → holderBinding kb_stale', async () => {
      const presented = withoutCommitment(bound.credential);
      const kb = await kbJwt(presented, holderKey, { nonce, aud, iat: Math.floor(Date.now() / 1000) - 600 });
      expectFailed(
        await gw.verify(verifier, `${presented}${kb}`, { nonce, audience: aud }),
        'holderBinding',
        'kb_stale',
      );
    });

    it('iat from the future → holderBinding kb_stale', async () => {
      const presented = withoutCommitment(bound.credential);
      const kb = await kbJwt(presented, holderKey, { nonce, aud, iat: Math.floor(Date.now() / 1000) + 3600 });
      expectFailed(
        await gw.verify(verifier, `${presented}${kb}`, { nonce, audience: aud }),
        'holderBinding',
        'kb_stale',
      );
    });

    it('wrong nonce, when the request gives one → holderBinding kb_nonce', async () => {
      const presented = withoutCommitment(bound.credential);
      const kb = await kbJwt(presented, holderKey, { nonce: 'some-other-nonce', aud });
      expectFailed(
        await gw.verify(verifier, `${presented}${kb}`, { nonce, audience: aud }),
        'holderBinding',
        'kb_nonce',
      );
      // Without a nonce in the request, the nonce is not judged.
      expectVerified(await gw.verify(verifier, `${presented}${kb}`), 'pass');
    });

    it('wrong audience → holderBinding kb_audience', async () => {
      const presented = withoutCommitment(bound.credential);
      const kb = await kbJwt(presented, holderKey, { nonce, aud: 'https://someone-else.example.cn' });
      expectFailed(
        await gw.verify(verifier, `${presented}${kb}`, { nonce, audience: aud }),
        'holderBinding',
        'kb_audience',
      );
    });

    it('KB-JWT signed by another key, or over other disclosures (sd_hash) → holderBinding kb_invalid', async () => {
      const presented = withoutCommitment(bound.credential);
      const { privateKey: thief } = await generateKeyPair('ES256');
      expectFailed(
        await gw.verify(verifier, `${presented}${await kbJwt(presented, thief, { nonce, aud })}`, { nonce }),
        'holderBinding',
        'kb_invalid',
      );
      const fewer = presentWith(bound.credential, (d) => !['idNumber', 'salt', 'ref'].includes(d.name ?? ''));
      const kbOverAll = await kbJwt(presented, holderKey, { nonce, aud });
      expectFailed(await gw.verify(verifier, `${fewer}${kbOverAll}`, { nonce }), 'holderBinding', 'kb_invalid');
    });

    it('a KB-JWT on a credential with no cnf → holderBinding kb_invalid', async () => {
      const presented = withoutCommitment(plain.credential);
      expectFailed(
        await gw.verify(verifier, `${presented}${await kbJwt(presented, holderKey, { nonce, aud })}`),
        'holderBinding',
        'kb_invalid',
      );
    });

    // holderPublicJwk only has a meaning for dc+sd-jwt; with vc+jwt it is dropped without a word,
    // and the issuer believes it issued a bound credential.
    it('holderPublicJwk with format vc+jwt → 400 validation_failed', async () => {
      const res = await gw.issueRaw(cdc.apiKey, 'HealthCertificate', {
        format: 'vc+jwt',
        holderKey: holderPrivateJwk as import('node:crypto').JsonWebKey,
      });
      expectProblem(res, 400, 'validation_failed');
    });

    it('no KB-JWT → kb_missing, whether the request asks binding required, optional or nothing', async () => {
      const presented = withoutCommitment(bound.credential);
      for (const holderBinding of ['required', 'optional', undefined] as const) {
        const r = await gw.verify(verifier, presented, holderBinding ? { holderBinding } : {});
        expectFailed(r, 'holderBinding', 'kb_missing');
        expect(r.presentation).to.deep.equal({ binding: 'static' });
        expect(r.reasons).to.have.length(1);
      }
    });
  });
});
