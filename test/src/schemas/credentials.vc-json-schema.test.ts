/**
 * VC JSON Schema: a credential's `credentialSchema` names a JSON Schema that says its dialect
 * (`$schema`), here 2020-12, for each credential type and the holder schema they use.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { CREDENTIAL_SCHEMAS, CREDENTIAL_SCHEMA_BY_TYPE, CREDENTIAL_TYPES } from '@anxin/schemas';

describe('credential schemas are VC JSON Schemas', () => {
  for (const schema of CREDENTIAL_SCHEMAS as readonly { $id: string; $schema?: string }[]) {
    it(`${schema.$id} carries $schema 2020-12`, () => {
      expect(schema.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
    });
  }
  it('every credential type names one of them', () => {
    for (const type of CREDENTIAL_TYPES)
      expect((CREDENTIAL_SCHEMA_BY_TYPE[type] as { $schema?: string }).$schema, type).to.be.a('string');
  });
});
