/**
 * A credential's status machine: active ⇄ suspended → revoked, nothing out of revoked;
 * and the anchor's own checks (exists already, not found, validity order).
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RulesWorld, expectRejection, newCredentialId, statements, type TestIssuer } from '../helpers';

type Kind = 'revoke' | 'suspend' | 'reinstate';

async function inStatus(
  w: RulesWorld,
  issuer: TestIssuer,
  status: 'active' | 'suspended' | 'revoked',
): Promise<string> {
  const a = await w.anchor(issuer);
  if (status === 'suspended') await w.status('suspend', issuer, a.id);
  if (status === 'revoked') await w.status('revoke', issuer, a.id);
  return a.id;
}

describe('rules: credential status transitions', () => {
  const refused: Array<[Kind, 'active' | 'suspended' | 'revoked']> = [
    ['reinstate', 'active'],
    ['suspend', 'suspended'],
    ['suspend', 'revoked'],
    ['reinstate', 'revoked'],
    ['revoke', 'revoked'],
  ];
  for (const [kind, from] of refused) {
    it(`INVALID_TRANSITION: ${kind} a credential that is ${from}`, async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const id = await inStatus(w, issuer, from);
      await expectRejection(
        w.apply(kind, await w.sign(statements[kind](issuer.id, id), issuer.key)),
        'INVALID_TRANSITION',
      );
      expect(w.state.anchors.get(id)!.status).to.equal(from);
    });
  }

  const allowed: Array<[Kind, 'active' | 'suspended', string]> = [
    ['suspend', 'active', 'suspended'],
    ['revoke', 'active', 'revoked'],
    ['revoke', 'suspended', 'revoked'],
    ['reinstate', 'suspended', 'active'],
  ];
  for (const [kind, from, to] of allowed) {
    it(`${kind} a credential that is ${from} → ${to}`, async () => {
      const w = await RulesWorld.create();
      const issuer = await w.registerIssuer();
      const id = await inStatus(w, issuer, from);
      expect((await w.status(kind, issuer, id)).status).to.equal(to);
    });
  }

  it('ANCHOR_NOT_FOUND: a status change for a credential never anchored', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    for (const kind of ['revoke', 'suspend', 'reinstate'] as const) {
      await expectRejection(
        w.apply(kind, await w.sign(statements[kind](issuer.id, newCredentialId()), issuer.key)),
        'ANCHOR_NOT_FOUND',
      );
    }
  });

  it('ANCHOR_EXISTS: the same credential id anchored twice (new statement, new digest)', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    const a = await w.anchor(issuer);
    await expectRejection(
      w.apply('anchor', (await w.anchorJws(issuer, { anchor: { id: a.id } })).jws),
      'ANCHOR_EXISTS',
    );
    expect(w.state.anchors.get(a.id)!.digest).to.equal(a.digest);
  });

  it('INVALID_VALIDITY: validUntil not after validFrom', async () => {
    const w = await RulesWorld.create();
    const issuer = await w.registerIssuer();
    for (const validUntil of ['2026-03-20T00:00:00Z', '2026-03-19T23:59:59Z']) {
      const { jws } = await w.anchorJws(issuer, { anchor: { validFrom: '2026-03-20T00:00:00Z', validUntil } });
      await expectRejection(w.apply('anchor', jws), 'INVALID_VALIDITY');
    }
  });
});
