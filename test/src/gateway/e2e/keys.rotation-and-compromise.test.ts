/**
 * Issuer keys over time: a rotated (retired) key still verifies what it signed before;
 * new credentials carry the new kid. A key declared compromised since T fails what was
 * anchored from T on and still verifies what came before; the gateway stops signing with it.
 */
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { buildCredential, signVcJwt } from '@anxin/gateway/credentials';
import { ledgerKid, publicKid } from '@anxin/schemas';
import {
  FORMATS,
  TestGateway,
  decodeJws,
  exampleHolder,
  exampleSubject,
  expectFailed,
  expectProblem,
  expectVerified,
  isoFromNow,
  DAY,
  type Issued,
  type Loose,
  type RegisteredIssuer,
  describeOnLedgers,
} from '../../helpers/gateway';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnLedgers('e2e: issuer key rotation and compromise', function (ledger) {
  let gw: TestGateway;
  let verifier: string;

  before(async () => {
    gw = await TestGateway.start({ ledger });
    verifier = await gw.verifierKey();
  });
  after(async () => gw?.stop());

  describe('rotation (POST /v1/issuers/:id/keys)', () => {
    let trainer: RegisteredIssuer;
    const before1 = new Map<string, Issued>();
    let oldKid: string;
    let rotated: Loose;

    before(async () => {
      trainer = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
      oldKid = trainer.issuer.keys[0]!.kid;
      for (const format of FORMATS) before1.set(format, await gw.issue(trainer.apiKey, 'SkillCertificate', { format }));
    });

    it('needs the admin scope', async () => {
      expectProblem(
        await gw.api('POST', `/v1/issuers/${encodeURIComponent(trainer.id)}/keys`, { key: trainer.apiKey, body: {} }),
        403,
        'forbidden',
      );
      expectProblem(
        await gw.api('POST', `/v1/issuers/${encodeURIComponent(trainer.id)}/keys`, { body: {} }),
        401,
        'unauthorized',
      );
      expectProblem(
        await gw.api('POST', '/v1/issuers/urn%3Aanxin%3Aissuer%3Anobody/keys', { key: gw.adminKey, body: {} }),
        404,
        'not_found',
      );
    });

    it('adds a key and retires the old one (201); the registry shows both', async () => {
      const res = await gw.api('POST', `/v1/issuers/${encodeURIComponent(trainer.id)}/keys`, {
        key: gw.adminKey,
        body: {},
      });
      expect(res.status, res.text).to.equal(201);
      rotated = res.body;
      expect(rotated.keys).to.have.length(2);
      const [k1, k2] = rotated.keys;
      expect(k1.kid).to.equal(oldKid);
      expect(k1.retiredAt).to.be.a('string');
      expect(k2.kid).not.to.equal(oldKid);
      expect(k2.retiredAt).to.equal(undefined);
      expect(k2.alg).to.equal('ES256');
      const pub = await gw.api('GET', `/v1/issuers/${encodeURIComponent(trainer.id)}`);
      expect(pub.status).to.equal(200);
      expect(pub.body.keys.map((k: { kid: string }) => k.kid)).to.deep.equal([oldKid, k2.kid]);
    });

    for (const format of FORMATS) {
      it(`${format}: what the old key signed before its retirement still verifies (keyValidAtIssue pass)`, async () => {
        const r = await gw.verify(verifier, before1.get(format)!.presentation);
        expectVerified(r);
        expect(decodeJws(before1.get(format)!.credential).header.kid).to.equal(
          publicKid(gw.services.publicUrl, oldKid),
        );
      });

      it(`${format}: new credentials are signed with the new kid, and verify`, async () => {
        const c = await gw.issue(trainer.apiKey, 'SkillCertificate', { format });
        expect(decodeJws(c.credential).header.kid).to.equal(publicKid(gw.services.publicUrl, rotated.keys[1].kid));
        expectVerified(await gw.verify(verifier, c.presentation));
      });
    }

    it('after a rotation, status changes of older credentials are signed with the current key and take effect', async () => {
      const c = before1.get('vc+jwt')!;
      const res = await gw.changeStatus(trainer.apiKey, c.id, 'suspend', 'investigation');
      expect(res.status, res.text).to.equal(200);
      expectFailed(await gw.verify(verifier, c.presentation), 'status', 'suspended');
      expect((await gw.changeStatus(trainer.apiKey, c.id, 'reinstate', 'investigation_closed')).status).to.equal(200);
      expectVerified(await gw.verify(verifier, c.presentation));
    });

    it('a credential signed by the retired key after its retirement (never anchored) → keyValidAtIssue key_retired', async () => {
      const signer = (await gw.services.keys.signer(oldKid))!;
      const vc = buildCredential(
        {
          type: 'SkillCertificate',
          holder: exampleHolder(),
          subject: exampleSubject('SkillCertificate'),
          validFrom: new Date().toISOString(),
          validUntil: isoFromNow(DAY),
        },
        gw.issuerRecord(trainer.id),
        gw.services.publicUrl,
      );
      const r = await gw.verify(verifier, await signVcJwt(vc, signer));
      expectFailed(r, 'keyValidAtIssue', 'key_retired');
      expectFailed(r, 'anchored', 'not_anchored');
    });

    it('rotating to EdDSA: new credentials use EdDSA and verify', async () => {
      const res = await gw.api('POST', `/v1/issuers/${encodeURIComponent(trainer.id)}/keys`, {
        key: gw.adminKey,
        body: { alg: 'EdDSA' },
      });
      expect(res.status, res.text).to.equal(201);
      const ed = res.body.keys[res.body.keys.length - 1];
      expect(ed.alg).to.equal('EdDSA');
      for (const format of FORMATS) {
        const c = await gw.issue(trainer.apiKey, 'SkillCertificate', { format });
        expect(decodeJws(c.credential).header).to.include({
          alg: 'EdDSA',
          kid: publicKid(gw.services.publicUrl, ed.kid),
        });
        expectVerified(await gw.verify(verifier, c.presentation));
      }
      // Everything before still verifies.
      for (const c of before1.values()) expectVerified(await gw.verify(verifier, c.presentation));
    });
  });

  describe('compromise since T (POST /v1/issuers/:id/keys/:keyId/compromised)', () => {
    let cdc: RegisteredIssuer;
    let keyId: string;
    const a = new Map<string, Issued>();
    const b = new Map<string, Issued>();
    let T: string;

    before(async () => {
      cdc = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      keyId = cdc.issuer.keys[0]!.keyId;
      for (const format of FORMATS) a.set(format, await gw.issue(cdc.apiKey, 'HealthCertificate', { format }));
      await sleep(30);
      T = new Date().toISOString();
      await sleep(30);
      for (const format of FORMATS) b.set(format, await gw.issue(cdc.apiKey, 'HealthCertificate', { format }));
      for (const c of [...a.values(), ...b.values()]) expectVerified(await gw.verify(verifier, c.presentation));
      expect(Date.parse(a.get('dc+sd-jwt')!.anchor.anchoredAt)).to.be.lessThan(Date.parse(T));
      expect(Date.parse(b.get('vc+jwt')!.anchor.anchoredAt)).to.be.greaterThan(Date.parse(T));
    });

    it('refuses a compromise time in the future, an unknown key, and a non-admin key', async () => {
      const path = `/v1/issuers/${encodeURIComponent(cdc.id)}/keys/${keyId}/compromised`;
      const future = await gw.api('POST', path, { key: gw.adminKey, body: { compromisedSince: isoFromNow(DAY) } });
      expect(future.status, future.text).to.be.oneOf([400, 409, 422]);
      expect(future.contentType).to.match(/^application\/problem\+json/);
      expectProblem(
        await gw.api('POST', `/v1/issuers/${encodeURIComponent(cdc.id)}/keys/${'A'.repeat(43)}/compromised`, {
          key: gw.adminKey,
          body: { compromisedSince: T },
        }),
        404,
        'not_found',
      );
      expectProblem(await gw.api('POST', path, { key: cdc.apiKey, body: { compromisedSince: T } }), 403, 'forbidden');
      expectProblem(
        await gw.api('POST', path, { key: gw.adminKey, body: { compromisedSince: 'yesterday' } }),
        400,
        'validation_failed',
      );
    });

    it('records the key as compromised since T', async () => {
      const res = await gw.api('POST', `/v1/issuers/${encodeURIComponent(cdc.id)}/keys/${keyId}/compromised`, {
        key: gw.adminKey,
        body: { compromisedSince: T },
      });
      expect(res.status, res.text).to.equal(200);
      const k = res.body.keys.find((x: { keyId: string }) => x.keyId === keyId);
      expect(Date.parse(k.revokedAt)).to.equal(Date.parse(T));
    });

    for (const format of FORMATS) {
      it(`${format}: anchored before T → still verified`, async () => {
        const r = await gw.verify(verifier, a.get(format)!.presentation);
        expectVerified(r);
      });

      it(`${format}: anchored after T → keyValidAtIssue key_compromised`, async () => {
        const r = await gw.verify(verifier, b.get(format)!.presentation);
        expectFailed(r, 'keyValidAtIssue', 'key_compromised');
        expect(r.checks.signature).to.equal('pass');
        expect(r.checks.anchored).to.equal('pass');
      });
    }

    it('declaring its only key compromised gives the issuer a fresh key: it signs with that, never the compromised one, and can revoke what the thief signed', async () => {
      const issuer = (await gw.api('GET', `/v1/issuers/${encodeURIComponent(cdc.id)}`)).body;
      const compromised = issuer.keys
        .filter((k: { revokedAt?: string }) => k.revokedAt)
        .map((k: { kid: string }) => k.kid);
      const usable = issuer.keys.filter(
        (k: { revokedAt?: string; retiredAt?: string }) => !k.revokedAt && !k.retiredAt,
      );
      expect(compromised).to.have.length(1);
      expect(usable).to.have.length(1);
      const c = await gw.issue(cdc.apiKey, 'HealthCertificate');
      // The credential names the key under the issuer's URL; the ledger, by its urn.
      const signedBy = ledgerKid(decodeJws(c.credential).header.kid as string);
      expect(signedBy).to.equal(usable[0].kid);
      expect(compromised).to.not.include(signedBy);
      expectVerified(await gw.verify(verifier, c.presentation));
      const rev = await gw.changeStatus(cdc.apiKey, b.get('vc+jwt')!.id, 'revoke', 'key_compromise');
      expect(rev.status, rev.text).to.equal(200);
      const r = await gw.verify(verifier, b.get('vc+jwt')!.presentation);
      expect(r.verified).to.equal(false);
      expect(r.checks.keyValidAtIssue).to.equal('fail');
      expect(r.checks.status).to.equal('fail');
      // Before T is untouched by all this.
      for (const x of a.values()) expectVerified(await gw.verify(verifier, x.presentation));
    });
  });
});
