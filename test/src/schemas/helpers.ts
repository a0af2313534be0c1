/** Mocha suites generated from fixture groups (see fixtures/). */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { validateById, type SchemaIssue } from '@anxin/schemas';
import type { FixtureGroup } from './fixtures';

/** The schema name of an id: `https://…/v1/labor-contract-subject.json` → `labor-contract-subject`. */
export function shortName(id: string): string {
  return id.replace(/^.*\//, '').replace(/\.json$/, '');
}

export function show(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `${i.field || '(root)'} ${i.code}: ${i.message}`).join('; ');
}

/** One `it` per valid fixture: it must validate. */
export function validFixtureSuite(groups: readonly FixtureGroup[]): void {
  for (const g of groups) {
    describe(shortName(g.schema.$id), () => {
      for (const f of g.valid) {
        it(`accepts ${f.name}`, () => {
          const r = validateById(g.schema.$id, f.data);
          expect(r.ok, r.ok ? '' : show(r.issues)).to.equal(true);
        });
      }
    });
  }
}

/** One `it` per invalid fixture: it must fail, blaming the expected field with the expected keyword. */
export function invalidFixtureSuite(groups: readonly FixtureGroup[]): void {
  for (const g of groups) {
    describe(shortName(g.schema.$id), () => {
      for (const f of g.invalid) {
        it(`rejects ${f.name}: ${f.field || '(root)'} ${f.code}`, () => {
          const r = validateById(g.schema.$id, f.data);
          expect(r.ok, 'should not validate').to.equal(false);
          if (r.ok) return;
          const found = r.issues.map(({ field, code }) => ({ field, code }));
          expect(found, show(r.issues)).to.deep.include({ field: f.field, code: f.code });
        });
      }
    });
  }
}
