/**
 * A statement is applied at most once — whatever its encoding — and only while fresh.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { randomUUID } from 'node:crypto';
import { RulesWorld, expectRejection, headerFor, malleate, payloadOf, resign, signRaw, statements } from '../helpers';

const DAY = 24 * 3600;

describe('rules: replay', () => {
  it('STATEMENT_REPLAYED: the same JWS twice', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const jws = await w.sign(statements.suspend(issuer.id, a.id), issuer.key);
    await w.apply('suspend', jws);
    await w.status('reinstate', issuer, a.id);
    // Without replay protection this would be a valid transition (active → suspended).
    await expectRejection(w.apply('suspend', jws), 'STATEMENT_REPLAYED');
    expect(w.state.anchors.get(a.id)!.status).to.equal('active');
  });

  it('STATEMENT_REPLAYED: an s-malleated copy of an ES256 statement', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const jws = await w.sign(statements.suspend(issuer.id, a.id), issuer.key);
    await w.apply('suspend', jws);
    await w.status('reinstate', issuer, a.id);
    const twin = malleate(jws);
    expect(twin).to.not.equal(jws);
    await expectRejection(w.apply('suspend', twin), 'STATEMENT_REPLAYED');
  });

  it('STATEMENT_REPLAYED: the same payload re-signed (a new ECDSA signature)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const jws = await w.sign(statements.suspend(issuer.id, a.id), issuer.key);
    await w.apply('suspend', jws);
    await w.status('reinstate', issuer, a.id);
    const again = await resign(jws, issuer.key);
    expect(again).to.not.equal(jws);
    await expectRejection(w.apply('suspend', again), 'STATEMENT_REPLAYED');
  });

  it('STATEMENT_REPLAYED: the same jti in a re-encoded payload (other member order, whitespace)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    const jws = await w.sign(statements.suspend(issuer.id, a.id), issuer.key);
    await w.apply('suspend', jws);
    await w.status('reinstate', issuer, a.id);
    const p = payloadOf(jws);
    const reordered = Object.fromEntries(Object.entries(p).reverse());
    await expectRejection(
      w.apply('suspend', await signRaw(headerFor(issuer.key), JSON.stringify(reordered, null, 2), issuer.key)),
      'STATEMENT_REPLAYED',
    );
  });

  it('STATEMENT_REPLAYED: a jti used by one kind reused for another', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const jti = randomUUID();
    const a = (await w.apply<{ id: string }>('anchor', (await w.anchorJws(issuer, {})).jws)).result;
    const { spec } = await w.anchorJws(issuer);
    await w.apply('anchor', await w.sign(statements.anchor(issuer.id, spec, { jti }), issuer.key));
    await expectRejection(
      w.apply('revoke', await w.sign(statements.revoke(issuer.id, a.id, 'fraud', { jti }), issuer.key)),
      'STATEMENT_REPLAYED',
    );
  });

  it('STATEMENT_REPLAYED: a registrar statement replayed (re-suspending an issuer)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const suspend = await w.sign(statements.updateIssuer(issuer.id, { status: 'suspended' }), w.registrar);
    await w.apply('updateIssuer', suspend);
    await w.asRegistrar(statements.updateIssuer(issuer.id, { status: 'active' }));
    await expectRejection(w.apply('updateIssuer', suspend), 'STATEMENT_REPLAYED');
    expect(w.state.issuers.get(issuer.id)!.status).to.equal('active');
  });

  it('STATEMENT_REPLAYED: an anchor statement replayed (before ANCHOR_EXISTS)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const { jws } = await w.anchorJws(issuer);
    await w.apply('anchor', jws);
    await expectRejection(w.apply('anchor', jws), 'STATEMENT_REPLAYED');
  });

  it('a refused statement is not marked: the same jti may be applied once it is acceptable', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    await w.asRegistrar(statements.updateIssuer(issuer.id, { allowedTypes: [] }));
    const { spec } = await w.anchorJws(issuer, { type: 'HealthCertificate' });
    const jws = await w.sign(statements.anchor(issuer.id, spec), issuer.key);
    await expectRejection(w.apply('anchor', jws), 'TYPE_NOT_ALLOWED');
    await w.asRegistrar(statements.updateIssuer(issuer.id, { allowedTypes: ['HealthCertificate'] }));
    expect((await w.apply<{ id: string }>('anchor', jws)).result.id).to.equal(spec.id);
  });
});

describe('rules: statement freshness (iat against the transaction time)', () => {
  const cases: Array<[string, number, 'STATEMENT_EXPIRED' | 'STATEMENT_FROM_FUTURE' | null]> = [
    ['24 h old', -DAY, null],
    ['24 h and 1 s old', -DAY - 1, 'STATEMENT_EXPIRED'],
    ['a week old', -7 * DAY, 'STATEMENT_EXPIRED'],
    ['iat 0 (1970)', Number.NEGATIVE_INFINITY, 'STATEMENT_EXPIRED'],
    ['5 min ahead (tolerated skew)', 300, null],
    ['5 min 1 s ahead', 301, 'STATEMENT_FROM_FUTURE'],
    ['a day ahead', DAY, 'STATEMENT_FROM_FUTURE'],
  ];
  for (const [name, offset, code] of cases) {
    it(`${name}: ${code ?? 'accepted'}`, async () => {
      const w = await RulesWorld.create({ start: '2026-03-20T01:12:03.500Z' });
      const issuer = await w.registerIssuer({ notBefore: '2026-01-01T00:00:00Z' });
      const a = await w.anchor(issuer);
      const iat = offset === Number.NEGATIVE_INFINITY ? 0 : w.clock.iat + offset;
      const jws = await w.sign(statements.suspend(issuer.id, a.id, 'investigation', { iat }), issuer.key);
      if (code) await expectRejection(w.apply('suspend', jws), code);
      else expect((await w.apply<{ status: string }>('suspend', jws)).result.status).to.equal('suspended');
    });
  }

  it('applies to registrar statements too', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const jws = await w.sign(
      statements.updateIssuer(issuer.id, { status: 'suspended' }, { iat: w.clock.iat - 2 * DAY }),
      w.registrar,
    );
    await expectRejection(w.apply('updateIssuer', jws), 'STATEMENT_EXPIRED');
  });
});
