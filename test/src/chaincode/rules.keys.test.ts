/**
 * Key windows and key management: not yet valid, retired, compromised since an instant,
 * thumbprint key ids, duplicate keys — and DESIGN.md's rotation scenario (old anchors
 * stay, the old key anchors nothing new).
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RulesWorld, expectRejection, newIssuerKey, newKeyPair, statements } from '../helpers';

const T0 = '2026-03-01T00:00:00Z';
const HOUR = 3600;

describe('rules: issuer keys', () => {
  describe('KEY_NOT_YET_VALID', () => {
    it('a first key with a future notBefore cannot sign before it', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer({ notBefore: '2026-03-01T06:00:00Z' });
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'KEY_NOT_YET_VALID');
      w.clock.advance(6 * HOUR);
      expect((await w.anchor(issuer)).status).to.equal('active');
    });

    it('an added key with a future notBefore cannot sign (nor be named as the credential key) before it', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer();
      const k2 = await w.addKey(issuer, { notBefore: '2026-03-02T00:00:00Z' });
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer, { key: k2 })).jws), 'KEY_NOT_YET_VALID');
      // Signed by the valid key, but naming the not-yet-valid one as the credential's signer.
      await expectRejection(
        w.apply('anchor', (await w.anchorJws(issuer, { anchor: { kid: k2.kid } })).jws),
        'KEY_NOT_YET_VALID',
      );
      w.clock.advance(24 * HOUR);
      expect((await w.anchor(issuer, { key: k2 })).kid).to.equal(k2.kid);
    });
  });

  describe('KEY_RETIRED (rotation)', () => {
    it('anchors made before retirement stay; the retired key anchors nothing after; the new key can still revoke old ones', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer({ kind: 'training_body', allowedTypes: ['SkillCertificate'] });
      const before = [await w.anchor(issuer), await w.anchor(issuer)];
      w.clock.advance(HOUR);
      const k2 = await w.addKey(issuer);
      w.clock.advance(HOUR);
      await w.asRegistrar(statements.retireKey(issuer.id, issuer.key.keyId));
      w.clock.advance(1);

      for (const a of before)
        expect(w.state.anchors.get(a.id)).to.deep.include({ status: 'active', kid: issuer.key.kid });
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'KEY_RETIRED');
      // The new key cannot anchor a credential claimed to be signed by the retired key either.
      await expectRejection(
        w.apply('anchor', (await w.anchorJws(issuer, { key: k2, anchor: { kid: issuer.key.kid } })).jws),
        'KEY_RETIRED',
      );
      // The retired key may not change status either …
      await expectRejection(
        w.apply('revoke', await w.sign(statements.revoke(issuer.id, before[0]!.id), issuer.key)),
        'KEY_RETIRED',
      );
      // … but the new key may, for a credential the old key signed.
      expect((await w.status('revoke', issuer, before[0]!.id, k2)).status).to.equal('revoked');
      expect((await w.anchor(issuer, { key: k2 })).kid).to.equal(k2.kid);
    });

    it('a statement at exactly retiredAt is refused; one a millisecond before is not', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer();
      await w.asRegistrar(statements.retireKey(issuer.id, issuer.key.keyId));
      // Same instant as the retirement transaction.
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'KEY_RETIRED');
      const w2 = await RulesWorld.create({ start: T0 });
      const i2 = await w2.registerIssuer();
      const { jws } = await w2.anchorJws(i2);
      w2.clock.advance(10);
      await w2.asRegistrar(statements.retireKey(i2.id, i2.key.keyId));
      w2.clock.advance(-0.001);
      expect((await w2.apply('anchor', jws)).result).to.have.property('status', 'active');
    });

    it('INVALID_TRANSITION: retiring a key twice', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await w.asRegistrar(statements.retireKey(issuer.id, issuer.key.keyId));
      await expectRejection(
        w.apply('retireKey', await w.sign(statements.retireKey(issuer.id, issuer.key.keyId), w.registrar)),
        'INVALID_TRANSITION',
      );
    });

    it('UNKNOWN_KEY: retiring or revoking a key the issuer does not have', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const stranger = await newKeyPair();
      await expectRejection(
        w.apply('retireKey', await w.sign(statements.retireKey(issuer.id, stranger.keyId), w.registrar)),
        'UNKNOWN_KEY',
      );
      await expectRejection(
        w.apply('revokeKey', await w.sign(statements.revokeKey(issuer.id, stranger.keyId, w.clock.iso), w.registrar)),
        'UNKNOWN_KEY',
      );
    });
  });

  describe('KEY_COMPROMISED (stolen laptop)', () => {
    it('statements at or after compromisedSince fail; anchors from before stay', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer({ kind: 'training_body', allowedTypes: ['SkillCertificate'] });
      const early = await w.anchor(issuer);
      w.clock.advance(10 * 24 * HOUR); // 2026-03-11
      const stolenSince = w.clock.iso;
      const afterTheft = await w.anchor(issuer); // nobody knows yet
      w.clock.advance(30 * 24 * HOUR); // April: the theft is discovered
      await w.asRegistrar(statements.revokeKey(issuer.id, issuer.key.keyId, stolenSince));
      expect(w.state.issuers.get(issuer.id)!.keys[0]!.revokedAt).to.equal(stolenSince);

      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'KEY_COMPROMISED');
      await expectRejection(
        w.apply('suspend', await w.sign(statements.suspend(issuer.id, early.id), issuer.key)),
        'KEY_COMPROMISED',
      );
      // The ledger keeps what was anchored; a verifier decides from revokedAt and anchoredAt.
      expect(w.state.anchors.get(early.id)!.anchoredAt < stolenSince).to.equal(true);
      expect(w.state.anchors.get(afterTheft.id)!.anchoredAt >= stolenSince).to.equal(true);

      // A new key cleans up: revokes what was anchored after the theft.
      const k2 = await w.addKey(issuer);
      expect((await w.status('revoke', issuer, afterTheft.id, k2)).status).to.equal('revoked');
    });

    it('INVALID_TIME: compromisedSince in the future', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer();
      const future = new Date(Date.parse(T0) + HOUR * 1000).toISOString();
      await expectRejection(
        w.apply('revokeKey', await w.sign(statements.revokeKey(issuer.id, issuer.key.keyId, future), w.registrar)),
        'INVALID_TIME',
      );
    });

    it('compromisedSince can be moved earlier, never later', async () => {
      const w = await RulesWorld.create({ start: '2026-05-01T00:00:00Z' });
      const issuer = await w.registerIssuer({ notBefore: '2026-01-01T00:00:00Z' });
      await w.asRegistrar(statements.revokeKey(issuer.id, issuer.key.keyId, '2026-04-01T00:00:00Z'));
      await expectRejection(
        w.apply(
          'revokeKey',
          await w.sign(statements.revokeKey(issuer.id, issuer.key.keyId, '2026-04-15T00:00:00Z'), w.registrar),
        ),
        'INVALID_TRANSITION',
      );
      const r = await w.asRegistrar(statements.revokeKey(issuer.id, issuer.key.keyId, '2026-03-01T00:00:00Z'));
      expect(r.result.keys[0]!.revokedAt).to.equal('2026-03-01T00:00:00.000Z');
    });

    it('a compromised key that is also retired reports KEY_COMPROMISED', async () => {
      const w = await RulesWorld.create({ start: T0 });
      const issuer = await w.registerIssuer();
      w.clock.advance(HOUR);
      await w.asRegistrar(statements.retireKey(issuer.id, issuer.key.keyId));
      await w.asRegistrar(statements.revokeKey(issuer.id, issuer.key.keyId, T0));
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'KEY_COMPROMISED');
    });
  });

  describe('new keys', () => {
    it('KEY_ID_MISMATCH: registerIssuer with a keyId that is not the JWK thumbprint', async () => {
      const w = await RulesWorld.create();
      const k = await newIssuerKey('urn:anxin:issuer:wrong-thumb');
      const other = await newKeyPair();
      const body = statements.registerIssuer(
        {
          id: k.owner,
          name: '错指纹职业培训学校',
          kind: 'training_body',
          uscc: '52510100MJP60721XR',
          allowedTypes: ['SkillCertificate'],
        },
        { ...k.newKey, keyId: other.keyId },
      );
      await expectRejection(w.apply('registerIssuer', await w.sign(body, w.registrar)), 'KEY_ID_MISMATCH');
      expect(w.state.issuers.has(k.owner)).to.equal(false);
    });

    it('KEY_ID_MISMATCH: addKey with a keyId that is not the JWK thumbprint', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const k2 = await newIssuerKey(issuer.id);
      const body = statements.addKey(issuer.id, { ...k2.newKey, keyId: issuer.key.keyId.split('').reverse().join('') });
      await expectRejection(w.apply('addKey', await w.sign(body, w.registrar)), 'KEY_ID_MISMATCH');
    });

    it('KEY_EXISTS: adding a key the issuer already has', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await expectRejection(
        w.apply('addKey', await w.sign(statements.addKey(issuer.id, issuer.key.newKey), w.registrar)),
        'KEY_EXISTS',
      );
    });

    it('addKey to a revoked issuer is refused (ISSUER_NOT_ACTIVE)', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso }));
      const k2 = await newIssuerKey(issuer.id);
      await expectRejection(
        w.apply('addKey', await w.sign(statements.addKey(issuer.id, k2.newKey), w.registrar)),
        'ISSUER_NOT_ACTIVE',
      );
    });
  });
});
