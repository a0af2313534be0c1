/**
 * /openapi.json is published API: it changes only on purpose. The gateway's own part of the
 * document (paths, answers, problems, response components) is pinned by a fixture; the
 * request-body components are the schemas package's own schemas, object for object.
 *
 * After a deliberate change to the document, rewrite the fixture and read its diff:
 * `ANXIN_UPDATE_FIXTURES=1 node test/run.js openapi.published-document`, then
 * `npx prettier --write test/src/gateway/fixtures/openapi.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ALL_SCHEMAS } from '@anxin/schemas';
import { openApiDocument } from '@anxin/gateway';

const FIXTURE = resolve(__dirname, '../../src/gateway/fixtures/openapi.json');
const FROM_SCHEMAS = '@anxin/schemas';

const nameOf = (id: string) => id.slice(id.lastIndexOf('/') + 1).replace(/\.json$/, '');

interface Doc {
  components: { schemas: Record<string, unknown> };
}

describe('the published OpenAPI document', () => {
  const doc = openApiDocument('https://anxin.example.cn', '0.0.0-fixture') as Doc;

  it('every request-body component is the schemas package’s schema itself', () => {
    for (const s of ALL_SCHEMAS) expect(doc.components.schemas[nameOf(s.$id)], s.$id).to.equal(s);
  });

  it('the rest is the fixture, member for member and in the same order', () => {
    const own = structuredClone(doc);
    for (const s of ALL_SCHEMAS) own.components.schemas[nameOf(s.$id)] = FROM_SCHEMAS;
    if (process.env.ANXIN_UPDATE_FIXTURES === '1') writeFileSync(FIXTURE, JSON.stringify(own, null, 2) + '\n');
    const pinned = JSON.parse(readFileSync(FIXTURE, 'utf8')) as object;
    expect(own).to.deep.equal(pinned);
    // deep.equal ignores the order of members; a client generator does not.
    expect(JSON.stringify(own)).to.equal(JSON.stringify(pinned));
  });
});
