/**
 * A JSON-LD processor loses nothing of an Anxin credential: each type, expanded by the
 * `jsonld` package in safe mode (which refuses to drop a term it cannot map) with an offline
 * document loader — the W3C VC 2.0 context from @digitalbazaar/credentials-context, Anxin's
 * from the schemas package — keeps every field: each value is in the expansion, each type
 * an absolute IRI. Without Anxin's context safe mode refuses, as it did before there was one.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { buildCredential } from '@anxin/gateway/credentials';
import {
  ANXIN_VOCAB,
  CREDENTIAL_TYPES,
  type IssuerRecord,
  VC_CONTEXT_V2,
  anxinContext,
  contextUrl,
  issuerRecordSchema,
  type CredentialType,
} from '@anxin/schemas';
import { exampleHolder, exampleSubject } from '../helpers/gateway';

const jsonld = require('jsonld') as {
  expand(doc: object, opts: { documentLoader: (url: string) => Promise<object>; safe: boolean }): Promise<object[]>;
};
const { contexts } = require('@digitalbazaar/credentials-context') as { contexts: Map<string, object> };

const PUBLIC_URL = 'https://anxin.example.cn';

/** Only the two contexts a credential names; any other URL is an error, never a fetch. */
async function offlineLoader(url: string): Promise<object> {
  const document = url === contextUrl(PUBLIC_URL) ? anxinContext() : contexts.get(url);
  if (!document) throw new Error(`the offline loader has no ${url}`);
  return { contextUrl: null, documentUrl: url, document };
}

const expand = (doc: object) => jsonld.expand(doc, { documentLoader: offlineLoader, safe: true });

const issuer = (issuerRecordSchema as unknown as { examples: IssuerRecord[] }).examples[0]!;

function credentialOf(type: CredentialType) {
  return buildCredential({ type, holder: exampleHolder(), subject: exampleSubject(type) }, issuer, PUBLIC_URL);
}

/** Every scalar of a JSON value with its path, but for what JSON-LD reads as keywords (`@context`, `type`). */
function leaves(v: unknown, path: string[] = []): { path: string; value: unknown }[] {
  if (Array.isArray(v)) return v.flatMap((x) => leaves(x, path));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => (k === '@context' || k === 'type' ? [] : leaves(x, [...path, k])));
  return [{ path: path.join('.'), value: v }];
}

/** The values (`@value`, `@id`) and the types (`@type`) anywhere in an expansion. */
function expandedValues(v: unknown, out = { values: new Set<unknown>(), types: new Set<string>() }) {
  if (Array.isArray(v)) v.forEach((x) => expandedValues(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '@value' || k === '@id') out.values.add(x);
      else if (k === '@type') [x].flat().forEach((t) => out.types.add(t as string));
      else expandedValues(x, out);
    }
  }
  return out;
}

describe('credentials expand as JSON-LD without losing a field', () => {
  for (const type of CREDENTIAL_TYPES) {
    it(`${type}: safe-mode expansion keeps every value, and its type is Anxin's term`, async () => {
      const vc = credentialOf(type);
      expect(vc['@context']).to.deep.equal([VC_CONTEXT_V2, contextUrl(PUBLIC_URL)]);
      const expanded = await expand(vc);
      const { values, types } = expandedValues(expanded);
      const lost = leaves(vc).filter((l) => !values.has(l.value));
      expect(lost, 'values lost in the expansion').to.deep.equal([]);
      expect(types).to.include(`${ANXIN_VOCAB}${type}`);
      for (const t of types) expect(t, 'a type is an absolute IRI').to.match(/^[a-z][a-z0-9+.-]*:/);
      const json = JSON.stringify(expanded);
      for (const member of ['holder', 'idNumber', 'salt', 'ref']) expect(json).to.include(`"${ANXIN_VOCAB}${member}"`);
    });
  }

  it('without Anxin’s context (the credentials issued before) safe mode refuses: the terms were undefined', async () => {
    const vc = { ...credentialOf('HealthCertificate'), '@context': [VC_CONTEXT_V2] };
    let failed: unknown;
    await expand(vc).catch((e: unknown) => (failed = e));
    expect(failed, 'safe mode refuses a term it cannot map').to.be.instanceOf(Error);
  });

  it('the context defines every subject member named by the subject schemas (a member added to a schema is a term)', () => {
    const ctx = anxinContext()['@context'] as Record<string, unknown>;
    for (const member of ['laborContract', 'healthCertificate', 'skillCertificate', 'holder']) {
      expect(ctx[member], member).to.have.property('@context');
    }
    for (const t of ['LaborContract', 'HealthCertificate', 'SkillCertificate', 'AnxinLedgerAnchor'])
      expect(ctx[t], t).to.deep.equal({ '@id': `anxin:${t}` });
  });
});
