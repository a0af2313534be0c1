/**
 * Who may do what: issuer status (active, suspended, revoked), allowed credential types,
 * and ownership of a credential.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RulesWorld, expectRejection, newIssuerKey, statements } from '../helpers';

describe('rules: issuers, types and ownership', () => {
  it('ISSUER_EXISTS: registering an issuer id twice', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const k = await newIssuerKey(issuer.id);
    await expectRejection(
      w.apply('registerIssuer', await w.sign(statements.registerIssuer(issuer.spec, k.newKey), w.registrar)),
      'ISSUER_EXISTS',
    );
    expect(w.state.issuers.get(issuer.id)!.keys.map((x) => x.keyId)).to.deep.equal([issuer.key.keyId]);
  });

  describe('a suspended issuer', () => {
    it('may not anchor or reinstate, but may still suspend and revoke what it issued', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const [a, b] = [await w.anchor(issuer), await w.anchor(issuer)];
      await w.status('suspend', issuer, a.id);
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'suspended' }));

      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'ISSUER_NOT_ACTIVE');
      await expectRejection(
        w.apply('reinstate', await w.sign(statements.reinstate(issuer.id, a.id), issuer.key)),
        'ISSUER_NOT_ACTIVE',
      );
      expect((await w.status('suspend', issuer, b.id)).status).to.equal('suspended');
      expect((await w.status('revoke', issuer, a.id)).status).to.equal('revoked');
    });

    it('is active again after updateIssuer status active', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'suspended' }));
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'active' }));
      expect((await w.anchor(issuer)).status).to.equal('active');
    });
  });

  describe('a revoked issuer', () => {
    it('may do nothing at all with its credentials', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const a = await w.anchor(issuer);
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso }));
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'ISSUER_NOT_ACTIVE');
      for (const kind of ['revoke', 'suspend', 'reinstate'] as const) {
        await expectRejection(
          w.apply(kind, await w.sign(statements[kind](issuer.id, a.id), issuer.key)),
          'ISSUER_NOT_ACTIVE',
        );
      }
    });

    it('stays revoked (INVALID_TRANSITION on any update)', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: w.clock.iso }));
      await expectRejection(
        w.apply('updateIssuer', await w.sign(statements.updateIssuer(issuer.id, { status: 'active' }), w.registrar)),
        'INVALID_TRANSITION',
      );
      await expectRejection(
        w.apply(
          'updateIssuer',
          await w.sign(statements.updateIssuer(issuer.id, { name: '新名字卫生院' }), w.registrar),
        ),
        'INVALID_TRANSITION',
      );
    });
  });

  describe('TYPE_NOT_ALLOWED', () => {
    it('a health authority anchoring a skill certificate or a labor contract', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      for (const type of ['SkillCertificate', 'LaborContract'] as const) {
        await expectRejection(w.apply('anchor', (await w.anchorJws(issuer, { type })).jws), 'TYPE_NOT_ALLOWED');
      }
    });

    it('giving the type back lets it anchor again', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      await w.asRegistrar(statements.updateIssuer(issuer.id, { allowedTypes: [] }));
      await expectRejection(w.apply('anchor', (await w.anchorJws(issuer)).jws), 'TYPE_NOT_ALLOWED');
      await w.asRegistrar(statements.updateIssuer(issuer.id, { allowedTypes: ['HealthCertificate'] }));
      expect((await w.anchor(issuer)).type).to.equal('HealthCertificate');
    });
  });

  describe('NOT_OWN_CREDENTIAL', () => {
    it('another issuer may not revoke, suspend or reinstate a credential it did not anchor', async () => {
      const w = await RulesWorld.create();
      const owner = await w.registerIssuer();
      const intruder = await w.registerIssuer();
      const a = await w.anchor(owner);
      for (const kind of ['revoke', 'suspend', 'reinstate'] as const) {
        await expectRejection(
          w.apply(kind, await w.sign(statements[kind](intruder.id, a.id), intruder.key)),
          'NOT_OWN_CREDENTIAL',
        );
      }
      expect(w.state.anchors.get(a.id)!.status).to.equal('active');
    });

    it('another issuer may not anchor over an existing credential id (ANCHOR_EXISTS)', async () => {
      const w = await RulesWorld.create();
      const owner = await w.registerIssuer();
      const intruder = await w.registerIssuer();
      const a = await w.anchor(owner);
      await expectRejection(
        w.apply('anchor', (await w.anchorJws(intruder, { anchor: { id: a.id } })).jws),
        'ANCHOR_EXISTS',
      );
      expect(w.state.anchors.get(a.id)!.issuer).to.equal(owner.id);
    });
  });
});
