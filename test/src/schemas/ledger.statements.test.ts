import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  SIGNING_ALGS,
  STATEMENT_KINDS,
  STATEMENT_SCHEMAS,
  STATEMENT_TYP,
  statementHeaderSchema,
  validator,
} from '@anxin/schemas';
import { STATEMENT_FIXTURES } from './fixtures';
import { HEADER } from './fixtures/ledger';
import { invalidFixtureSuite, validFixtureSuite } from './helpers';

describe('ledger statements, statement header, init args', () => {
  describe('valid', () => validFixtureSuite(STATEMENT_FIXTURES));
  describe('invalid (names the failing field)', () => invalidFixtureSuite(STATEMENT_FIXTURES));

  describe('statement header algorithm allow-list', () => {
    const check = validator(statementHeaderSchema);

    it('is exactly ES256 and EdDSA', () => {
      expect([...SIGNING_ALGS])
        .to.have.members(['ES256', 'EdDSA'])
        .and.have.length(2);
    });

    for (const alg of [
      'none',
      'None',
      'NONE',
      'HS256',
      'HS384',
      'HS512',
      'RS256',
      'PS256',
      'ES384',
      'ES256K',
      'Ed25519',
      '',
    ]) {
      it(`rejects alg ${JSON.stringify(alg)}`, () => {
        const r = check({ ...HEADER, alg });
        expect(r.ok).to.equal(false);
        if (!r.ok)
          expect(r.issues.map(({ field, code }) => ({ field, code }))).to.deep.include({ field: '/alg', code: 'enum' });
      });
    }

    it(`requires typ ${STATEMENT_TYP}`, () => {
      const r = check({ alg: 'ES256', kid: HEADER.kid });
      expect(r.ok).to.equal(false);
      if (!r.ok)
        expect(r.issues.map(({ field, code }) => ({ field, code }))).to.deep.include({
          field: '/typ',
          code: 'required',
        });
    });
  });

  describe('STATEMENT_SCHEMAS', () => {
    it('has one schema per statement kind, and each pins its kind', () => {
      expect(Object.keys(STATEMENT_SCHEMAS)).to.have.members([...STATEMENT_KINDS]);
      for (const kind of STATEMENT_KINDS) {
        expect(STATEMENT_SCHEMAS[kind].properties.kind, kind).to.deep.equal({ const: kind });
      }
    });

    it('has a fixture group for every statement kind', () => {
      const ids = new Set(STATEMENT_FIXTURES.map((g) => g.schema.$id));
      for (const kind of STATEMENT_KINDS) expect(ids.has(STATEMENT_SCHEMAS[kind].$id), kind).to.equal(true);
    });
  });
});
