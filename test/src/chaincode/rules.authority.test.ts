/**
 * Who may issue what, on the ledger: an issuer's kind decides the types it may ever be
 * allowed (at registration and at every change); a revocation names the instant from which
 * the issuer's credentials fail; an anchor's validity window stays within what its type allows.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  ISSUER_KINDS,
  TYPES_BY_ISSUER_KIND,
  CREDENTIAL_TYPES,
  type CredentialType,
  type IssuerKind,
} from '@anxin/schemas';
import { RulesWorld, expectRejection, issuerSpec, newIssuerKey, statements } from '../helpers';

const DAY_S = 24 * 3600;
const article = (kind: string) => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;

/** Every (kind, type) pair the kind may never issue. */
const FORBIDDEN: Array<[IssuerKind, CredentialType]> = ISSUER_KINDS.flatMap((kind) =>
  CREDENTIAL_TYPES.filter((t) => !(TYPES_BY_ISSUER_KIND[kind] as readonly string[]).includes(t)).map(
    (t) => [kind, t] as [IssuerKind, CredentialType],
  ),
);

describe('rules: who may issue what', () => {
  describe('the kind decides the types', () => {
    it('health certificates only from a health authority, skill certificates from a training body, contracts from an employer or a platform', () => {
      expect(TYPES_BY_ISSUER_KIND).to.deep.equal({
        employer: ['LaborContract'],
        platform: ['LaborContract'],
        health_authority: ['HealthCertificate'],
        training_body: ['SkillCertificate'],
      });
    });

    for (const [kind, type] of FORBIDDEN) {
      it(`TYPE_NOT_FOR_KIND: registering ${article(kind)} for ${type}, and nothing is written`, async () => {
        const w = await RulesWorld.create();
        const spec = issuerSpec({ kind, allowedTypes: [type] });
        const before = w.state.snapshot();
        const key = await newIssuerKey(spec.id);
        await expectRejection(
          w.apply('registerIssuer', await w.sign(statements.registerIssuer(spec, key.newKey), w.registrar)),
          'TYPE_NOT_FOR_KIND',
        );
        expect(w.state.snapshot()).to.deep.equal(before);
      });
    }

    it('TYPE_NOT_FOR_KIND: one type outside the kind among allowed ones is enough', async () => {
      const w = await RulesWorld.create();
      const spec = issuerSpec({ kind: 'employer', allowedTypes: ['LaborContract', 'HealthCertificate'] });
      const key = await newIssuerKey(spec.id);
      await expectRejection(
        w.apply('registerIssuer', await w.sign(statements.registerIssuer(spec, key.newKey), w.registrar)),
        'TYPE_NOT_FOR_KIND',
      );
    });

    for (const kind of ISSUER_KINDS) {
      it(`${article(kind)} registers for its own types`, async () => {
        const w = await RulesWorld.create();
        const issuer = await w.registerIssuer({ kind, allowedTypes: [...TYPES_BY_ISSUER_KIND[kind]] });
        expect(w.state.issuers.get(issuer.id)).to.deep.include({ kind, uscc: issuer.spec.uscc });
      });
    }

    it('TYPE_NOT_FOR_KIND: updateIssuer widening an employer to health certificates, and nothing changes', async () => {
      const w = await RulesWorld.create();
      const employer = await w.registerIssuer({ kind: 'employer', allowedTypes: ['LaborContract'] });
      const before = w.state.snapshot();
      await expectRejection(
        w.apply(
          'updateIssuer',
          await w.sign(
            statements.updateIssuer(employer.id, { allowedTypes: ['LaborContract', 'HealthCertificate'] }),
            w.registrar,
          ),
        ),
        'TYPE_NOT_FOR_KIND',
      );
      expect(w.state.snapshot()).to.deep.equal(before);
      await expectRejection(
        w.apply('anchor', (await w.anchorJws(employer, { type: 'HealthCertificate' })).jws),
        'TYPE_NOT_ALLOWED',
      );
    });

    it('TYPE_NOT_ALLOWED: an issuer recorded with a type outside its kind (before kinds decided) anchors none of it', async () => {
      const w = await RulesWorld.create();
      const employer = await w.registerIssuer({ kind: 'employer', allowedTypes: ['LaborContract'] });
      // Written straight into the state: the rules never would.
      w.state.issuers.get(employer.id)!.allowedTypes = ['LaborContract', 'HealthCertificate'];
      await expectRejection(
        w.apply('anchor', (await w.anchorJws(employer, { type: 'HealthCertificate' })).jws),
        'TYPE_NOT_ALLOWED',
      );
      expect((await w.anchor(employer, { type: 'LaborContract' })).type).to.equal('LaborContract');
    });
  });

  describe('revoking an issuer since an instant', () => {
    it('INVALID_TIME: revokedSince after the transaction time, and nothing changes', async () => {
      const w = await RulesWorld.create({ start: '2026-06-01T00:00:00Z' });
      const issuer = await w.registerIssuer();
      const before = w.state.snapshot();
      await expectRejection(
        w.apply(
          'updateIssuer',
          await w.sign(
            statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: '2026-06-01T00:00:01Z' }),
            w.registrar,
          ),
        ),
        'INVALID_TIME',
      );
      expect(w.state.snapshot()).to.deep.equal(before);
    });

    it('MALFORMED_STATEMENT: revoking without an instant, or naming one without revoking', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      for (const changes of [{ status: 'revoked' }, { status: 'suspended', revokedSince: w.clock.iso }] as const) {
        await expectRejection(
          w.apply('updateIssuer', await w.sign(statements.updateIssuer(issuer.id, changes), w.registrar)),
          'MALFORMED_STATEMENT',
        );
      }
    });

    it('a later revocation may move the instant earlier, never later, and changes nothing else', async () => {
      const w = await RulesWorld.create({ start: '2026-06-01T00:00:00Z' });
      const issuer = await w.registerIssuer();
      await w.asRegistrar(
        statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: '2026-05-20T00:00:00Z' }),
      );
      w.clock.advance(DAY_S);
      const earlier = await w.asRegistrar(
        statements.updateIssuer(issuer.id, { status: 'revoked', revokedSince: '2026-05-01T00:00:00Z' }),
      );
      expect(earlier.result.revokedSince).to.equal('2026-05-01T00:00:00.000Z');
      for (const changes of [
        { status: 'revoked', revokedSince: '2026-05-01T00:00:00Z' },
        { status: 'revoked', revokedSince: '2026-05-10T00:00:00Z' },
        { status: 'revoked', revokedSince: '2026-04-01T00:00:00Z', name: '新名字卫生院' },
        { status: 'active' },
      ] as const) {
        await expectRejection(
          w.apply('updateIssuer', await w.sign(statements.updateIssuer(issuer.id, changes), w.registrar)),
          'INVALID_TRANSITION',
        );
      }
      expect(w.state.issuers.get(issuer.id)!.revokedSince).to.equal('2026-05-01T00:00:00.000Z');
    });

    it('a suspended issuer keeps the instant it was first suspended; reactivating forgets it', async () => {
      const w = await RulesWorld.create({ start: '2026-06-01T00:00:00Z' });
      const issuer = await w.registerIssuer();
      const first = (await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'suspended' }))).result;
      w.clock.advance(3600);
      const again = (await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'suspended' }))).result;
      expect(again.suspendedAt).to.equal(first.suspendedAt).and.equal('2026-06-01T00:00:00.000Z');
      const active = (await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'active' }))).result;
      expect(active).to.not.have.property('suspendedAt');
    });
  });

  describe('the anchored validity window (VALIDITY_OUT_OF_BOUNDS)', () => {
    const FROM = '2026-03-19T16:00:00Z'; // 2026-03-20 00:00 in Beijing

    it('a health certificate must end', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const before = w.state.snapshot();
      const { jws } = await w.anchorJws(issuer, { anchor: { validFrom: FROM, validUntil: undefined } });
      await expectRejection(w.apply('anchor', jws), 'VALIDITY_OUT_OF_BOUNDS');
      expect(w.state.snapshot()).to.deep.equal(before);
    });

    it('a health certificate lasts at most one year, with the slack of its whole days in Beijing time', async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      // The longest a subject allows: 2026-03-20 to 2027-03-21 inclusive, end of day in Beijing.
      const longest = '2027-03-21T15:59:59Z';
      expect((await w.anchor(issuer, { anchor: { validFrom: FROM, validUntil: longest } })).validUntil).to.equal(
        longest,
      );
      for (const validUntil of ['2027-03-21T16:00:01Z', '2027-06-01T00:00:00Z', '2031-03-19T16:00:00Z']) {
        const { jws } = await w.anchorJws(issuer, { anchor: { validFrom: FROM, validUntil } });
        await expectRejection(w.apply('anchor', jws), 'VALIDITY_OUT_OF_BOUNDS');
      }
    });

    it('skill certificates and labor contracts may run long, or without end', async () => {
      const w = await RulesWorld.create();
      const school = await w.registerIssuer({ kind: 'training_body', allowedTypes: ['SkillCertificate'] });
      const platform = await w.registerIssuer({ kind: 'platform', allowedTypes: ['LaborContract'] });
      for (const issuer of [school, platform]) {
        for (const validUntil of [undefined, '2031-03-19T16:00:00Z']) {
          const a = await w.anchor(issuer, { anchor: { validFrom: FROM, validUntil } });
          expect(a.validUntil).to.equal(validUntil);
        }
      }
    });
  });
});
