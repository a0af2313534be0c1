/**
 * The schema fixtures (test/src/schemas/fixtures/ledger.ts) and the published schema
 * examples, pushed through the contract's rules: each valid statement fixture, signed by
 * the fixture keys, is accepted in a realistic order; each invalid one is refused as
 * MALFORMED_STATEMENT (or WRONG_KIND when only its kind is wrong); and every key in an
 * example is its own RFC 7638 thumbprint.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { REGISTRAR_KINDS, LEDGER_SCHEMAS, type StatementKind } from '@anxin/schemas';
import {
  RulesWorld,
  expectRejection,
  importFixtureKey,
  newCredentialId,
  registrarOf,
  sign,
  type Body,
  type OwnedKey,
} from '../helpers';
import {
  ADD_KEY,
  ANCHOR_STATEMENT,
  REGISTER_ISSUER,
  REINSTATE,
  RETIRE_KEY,
  REVOKE,
  REVOKE_KEY,
  SUSPEND,
  UPDATE_ISSUER,
  STATEMENT_FIXTURES,
  updateIssuerFixtures,
  anchorStatementFixtures,
  registerIssuerFixtures,
} from '../schemas/fixtures/ledger';
import { EC_KEY, ED_KEY, ISSUER_ID, PLATFORM_ISSUER_ID, REGISTRAR_KEY } from '../schemas/fixtures/keys';

/** The fixtures' iat: 2026-03-20T01:12:03Z. */
const FIXTURE_TIME = '2026-03-20T01:12:03.000Z';

interface Keys {
  registrar: OwnedKey;
  health: OwnedKey;
  platform: OwnedKey;
}

async function fixtureWorld(): Promise<{ w: RulesWorld; keys: Keys }> {
  const registrarKey = await importFixtureKey('ES256', REGISTRAR_KEY, 'registrar');
  const keys: Keys = {
    registrar: registrarKey,
    health: await importFixtureKey('ES256', EC_KEY, ISSUER_ID),
    platform: await importFixtureKey('EdDSA', ED_KEY, PLATFORM_ISSUER_ID),
  };
  const w = await RulesWorld.create({ start: FIXTURE_TIME, registrar: registrarOf(registrarKey) });
  return { w, keys };
}

/** Who signs a statement fixture: the registrar for registrar kinds, else the key of its iss. */
function signerFor(data: { kind?: unknown; iss?: unknown }, keys: Keys, kind: StatementKind): OwnedKey {
  if ((REGISTRAR_KINDS as readonly string[]).includes(kind)) return keys.registrar;
  return data.iss === PLATFORM_ISSUER_ID ? keys.platform : keys.health;
}

const KIND_OF_SCHEMA: Record<string, StatementKind> = {
  'statement-register-issuer': 'registerIssuer',
  'statement-update-issuer': 'updateIssuer',
  'statement-add-key': 'addKey',
  'statement-retire-key': 'retireKey',
  'statement-revoke-key': 'revokeKey',
  'statement-anchor': 'anchor',
  'statement-revoke': 'revoke',
  'statement-suspend': 'suspend',
  'statement-reinstate': 'reinstate',
};
const kindOfSchema = (id: string) => KIND_OF_SCHEMA[id.replace(/^.*\//, '').replace(/\.json$/, '')];

describe('rules: schema fixtures through the contract', () => {
  it('accepts the valid statement fixtures, signed by the fixture keys, in a realistic order', async () => {
    const { w, keys } = await fixtureWorld();
    const fresh = <T extends object>(f: T) => ({ ...f, jti: randomUUID() }) as unknown as Body<StatementKind>;
    const apply = async (data: object) => {
      const body = fresh(data);
      return w.apply<Record<string, unknown>>(
        body.kind,
        await sign(body, signerFor(body as { iss?: unknown }, keys, body.kind)),
      );
    };
    const platform = registerIssuerFixtures.valid.find(
      (f) => (f.data as { issuer: { id: string } }).issuer.id === PLATFORM_ISSUER_ID,
    )!;
    const openEnded = anchorStatementFixtures.valid.find(
      (f) => (f.data as { iss: string }).iss === PLATFORM_ISSUER_ID,
    )!;

    expect((await apply(REGISTER_ISSUER)).result['id']).to.equal(ISSUER_ID);
    expect((await apply(platform.data as object)).result['id']).to.equal(PLATFORM_ISSUER_ID);
    expect((await apply(ANCHOR_STATEMENT)).result['status']).to.equal('active');
    // The two anchor fixtures share a credential id; the open-ended contract gets its own here.
    const contract = structuredClone(openEnded.data) as { anchor: { id: string } };
    contract.anchor.id = newCredentialId();
    expect((await apply(contract)).result).to.not.have.property('validUntil');
    expect((await apply(SUSPEND)).result['status']).to.equal('suspended');
    expect((await apply(REINSTATE)).result['status']).to.equal('active');
    expect((await apply(REVOKE)).result['status']).to.equal('revoked');
    const update = (name: string) => updateIssuerFixtures.valid.find((f) => f.name === name)!.data as object;
    expect((await apply(update('withdraw every type'))).result['allowedTypes']).to.deep.equal([]);
    expect((await apply(UPDATE_ISSUER)).result['allowedTypes']).to.deep.equal(['HealthCertificate']);
    expect((await apply(ADD_KEY)).result['keys']).to.have.length(2);
    expect((await apply(RETIRE_KEY)).event.name).to.equal('IssuerKeyRetired');
    expect((await apply(REVOKE_KEY)).event.name).to.equal('IssuerKeyRevoked');
    expect((await apply(update('revoke since an instant'))).result).to.deep.include({
      status: 'revoked',
      revokedSince: '2026-03-15T00:00:00.000Z',
    });
  });

  for (const group of STATEMENT_FIXTURES) {
    const kind = kindOfSchema(group.schema.$id);
    if (!kind) continue; // header and init args: covered elsewhere
    describe(kind, () => {
      for (const f of group.invalid) {
        const data = f.data as { kind?: unknown; iss?: unknown };
        const expected = data.kind !== kind ? 'WRONG_KIND' : 'MALFORMED_STATEMENT';
        it(`${expected}: ${f.name}`, async () => {
          const { w, keys } = await fixtureWorld();
          await w.apply(
            'registerIssuer',
            await sign({ ...REGISTER_ISSUER, jti: randomUUID() } as unknown as Body<'registerIssuer'>, keys.registrar),
          );
          await w.apply(
            'anchor',
            await sign({ ...ANCHOR_STATEMENT, jti: randomUUID() } as unknown as Body<'anchor'>, keys.health),
          );
          const jws = await sign(data as Body<StatementKind>, signerFor(data, keys, kind));
          await expectRejection(w.apply(kind, jws), expected);
        });
      }
    });
  }
});

describe('schema examples', () => {
  it('every key in an example of a ledger schema is its own RFC 7638 thumbprint', async () => {
    const found: string[] = [];
    const visit = async (node: unknown): Promise<void> => {
      if (Array.isArray(node)) {
        for (const n of node) await visit(n);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (typeof o['keyId'] === 'string' && typeof o['publicJwk'] === 'object') {
        const thumbprint = await calculateJwkThumbprint(o['publicJwk'] as JWK, 'sha256');
        expect(o['keyId'], `example key ${JSON.stringify(o['publicJwk'])}`).to.equal(thumbprint);
        found.push(thumbprint);
        if (typeof o['kid'] === 'string')
          expect((o['kid'] as string).endsWith(`#${thumbprint}`), String(o['kid'])).to.equal(true);
      }
      for (const v of Object.values(o)) await visit(v);
    };
    for (const s of LEDGER_SCHEMAS) await visit((s as { examples?: readonly unknown[] }).examples ?? []);
    expect(found.length).to.be.greaterThan(0);
  });

  it('every statement schema, the statement header, init args and the registrar record carry examples', () => {
    const missing = LEDGER_SCHEMAS.filter((s) => !((s as { examples?: readonly unknown[] }).examples ?? []).length).map(
      (s) => s.$id,
    );
    expect(missing).to.deep.equal([]);
  });
});
