/**
 * Properties every published schema must have: registered and compilable in strict mode,
 * a stable unique id, a title, closed objects, examples that validate, and fixtures.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  ajv,
  ALL_SCHEMAS,
  API_SCHEMAS,
  CREDENTIAL_SCHEMAS,
  LEDGER_SCHEMAS,
  SCHEMA_BASE,
  SUBJECT_SCHEMAS,
  validateById,
} from '@anxin/schemas';
import { ALL_FIXTURES } from './fixtures';
import { shortName, show } from './helpers';

type Node = Record<string, unknown>;

/** Every object-shaped subschema describing data (not the conditions of if/then/else/not). */
export function objectNodes(schema: unknown, path = '#'): { path: string; node: Node }[] {
  const out: { path: string; node: Node }[] = [];
  const visit = (s: unknown, p: string): void => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return;
    const n = s as Node;
    if (n['type'] === 'object' || 'properties' in n) out.push({ path: p, node: n });
    for (const [k, v] of Object.entries((n['properties'] as Node | undefined) ?? {})) visit(v, `${p}/properties/${k}`);
    for (const [k, v] of Object.entries((n['$defs'] as Node | undefined) ?? {})) visit(v, `${p}/$defs/${k}`);
    visit(n['items'], `${p}/items`);
    for (const key of ['oneOf', 'anyOf', 'allOf', 'prefixItems']) {
      const list = n[key];
      if (Array.isArray(list)) list.forEach((v, i) => visit(v, `${p}/${key}/${i}`));
    }
  };
  visit(schema, path);
  return out;
}

const ALL = ALL_SCHEMAS as readonly (Node & { $id: string })[];
const OWNED_IDS = new Set<string>(
  [...SUBJECT_SCHEMAS, ...LEDGER_SCHEMAS, ...API_SCHEMAS, ...CREDENTIAL_SCHEMAS].map((s) => s.$id),
);

describe('schema registry', () => {
  it('registers every subject and ledger schema', () => {
    const ids = ALL.map((s) => s.$id);
    for (const id of OWNED_IDS) expect(ids).to.include(id);
  });

  it('has unique ids, all under the versioned base', () => {
    const ids = ALL.map((s) => s.$id);
    expect(new Set(ids).size, 'duplicate $id').to.equal(ids.length);
    for (const id of ids) expect(id).to.match(new RegExp(`^${SCHEMA_BASE.replace(/[.]/g, '\\.')}[a-z0-9-]+\\.json$`));
  });

  for (const schema of ALL) {
    describe(shortName(schema.$id), () => {
      it('compiles in strict mode', () => {
        expect(ajv().getSchema(schema.$id)).to.be.a('function');
      });

      it('is a 2020-12 object schema with a title', () => {
        expect(schema['type']).to.equal('object');
        expect(schema['title']).to.be.a('string').and.not.equal('');
      });

      it('closes every object (additionalProperties: false)', () => {
        const open = objectNodes(schema)
          .filter(({ node }) => node['additionalProperties'] !== false && node['unevaluatedProperties'] !== false)
          // Closed elsewhere, and saying so (e.g. a request's subject, closed by its type's schema).
          .filter(
            ({ node }) =>
              !(typeof node['$comment'] === 'string' && (node['$comment'] as string).startsWith('closed by')),
          )
          // A discriminated union is closed when each of its branches is.
          .filter(
            ({ node }) =>
              !(
                Array.isArray(node['oneOf']) &&
                (node['oneOf'] as Node[]).every((b) => b['additionalProperties'] === false)
              ),
          )
          .map(({ path }) => path);
        expect(open).to.deep.equal([]);
      });

      const examples = (schema['examples'] as unknown[] | undefined) ?? [];
      const title = examples.length > 0 ? `every example validates (${examples.length})` : 'has examples (none yet)';
      (examples.length > 0 ? it : it.skip)(title, () => {
        examples.forEach((example, i) => {
          const r = validateById(schema.$id, example);
          expect(r.ok, `example ${i}: ${r.ok ? '' : show(r.issues)}`).to.equal(true);
        });
      });

      const fixtures = ALL_FIXTURES.find((g) => g.schema.$id === schema.$id);
      (OWNED_IDS.has(schema.$id) ? it : it.skip)('has valid and invalid fixtures', () => {
        expect(fixtures, 'no fixture group').to.not.equal(undefined);
        expect(fixtures!.valid.length, 'valid fixtures').to.be.greaterThan(0);
        expect(fixtures!.invalid.length, 'invalid fixtures').to.be.greaterThan(0);
      });
    });
  }

  describe('subject schemas', () => {
    for (const schema of SUBJECT_SCHEMAS) {
      it(`${shortName(schema.$id)} has a description and at least one example`, () => {
        expect(schema.description).to.be.a('string').and.not.equal('');
        expect(schema.examples.length).to.be.greaterThan(0);
      });
    }
  });
});

describe('personal data stays off the ledger', () => {
  const PERSONAL = /idnumber|holdername|personname|phone|mobile|diagnos|salary|pay|birth|address|gender/i;

  /** Every property name declared anywhere in a schema, and every custom keyword used. */
  function walk(schema: unknown): { props: string[]; keywords: string[] } {
    const props: string[] = [];
    const keywords: string[] = [];
    const visit = (s: unknown): void => {
      if (typeof s !== 'object' || s === null) return;
      if (Array.isArray(s)) return s.forEach(visit);
      const n = s as Node;
      if ('cnIdNumber' in n) keywords.push('cnIdNumber');
      if (n['properties'] && typeof n['properties'] === 'object') props.push(...Object.keys(n['properties']));
      for (const [k, v] of Object.entries(n)) if (k !== 'examples') visit(v);
    };
    visit(schema);
    return { props, keywords };
  }

  for (const schema of LEDGER_SCHEMAS) {
    it(`${shortName(schema.$id)} declares no personal field`, () => {
      const { props, keywords } = walk(schema);
      expect(props.filter((p) => PERSONAL.test(p))).to.deep.equal([]);
      expect(keywords).to.deep.equal([]);
    });
  }

  it('among subject and ledger schemas, only the holder identity carries an ID number', () => {
    const carrying = [...SUBJECT_SCHEMAS, ...LEDGER_SCHEMAS]
      .filter((s) => walk(s).keywords.length > 0)
      .map((s) => shortName(s.$id));
    expect(carrying).to.deep.equal(['holder-identity']);
  });

  it('the holder identity says it never goes on the ledger', () => {
    const holder = SUBJECT_SCHEMAS.find((s) => s.$id.endsWith('/holder-identity.json'))!;
    expect(holder.description)
      .to.match(/never/i)
      .and.match(/ledger/i);
  });
});
