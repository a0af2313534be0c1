/**
 * The JSON-LD context of Anxin's credentials: every term a credential carries beyond the
 * W3C VC 2.0 context — the holder and its commitment, each type's subject member and every
 * member within it, the types themselves and the anchor status — as an IRI in Anxin's
 * vocabulary, so that a JSON-LD processor (in safe mode, too) drops nothing.
 *
 * The terms of each subject are read from its JSON Schema, so the context cannot lag behind
 * a schema: a member added to a schema is a term here. Terms the W3C context already defines
 * with the same meaning (`name`, `digestSRI`, `mediaType`) keep its definition.
 */
import type { CredentialType } from '../ledger/common';
import { SUBJECT_SCHEMA_BY_TYPE } from '../subjects/index';
import { credentialHolderSchema, SUBJECT_MEMBER } from './vc';

/** Anxin's vocabulary: every term of the context is an IRI under it. */
export const ANXIN_VOCAB = 'https://anxin.dev/ns/v1#';

/** Where a gateway serves the context, under its public URL; the path never changes for this version. */
export const CONTEXT_PATH = '/contexts/anxin/v1';

/** The context's URL under `publicUrl`: what a credential lists in `@context`. */
export function contextUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CONTEXT_PATH}`;
}

/** Terms the W3C VC 2.0 context defines (protected) with the meaning they have here: left to it. */
const W3C_TERMS = new Set(['id', 'type', 'name', 'description', 'digestSRI', 'mediaType']);

/** Every member name anywhere in a schema's `properties`, in the order met. */
function memberNames(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const s of schema) memberNames(s, into);
  } else if (schema && typeof schema === 'object') {
    const node = schema as Record<string, unknown>;
    const props = node.properties;
    if (props && typeof props === 'object') for (const k of Object.keys(props)) into.add(k);
    for (const [k, v] of Object.entries(node))
      if (k !== 'examples' && k !== 'enum' && k !== 'const') memberNames(v, into);
  }
  return into;
}

/** A property-scoped context: each member of `schema` as a term in Anxin's vocabulary. */
function scopedTerms(schema: unknown): Record<string, string> {
  const terms: Record<string, string> = {};
  for (const n of memberNames(schema)) if (!W3C_TERMS.has(n)) terms[n] = `anxin:${n}`;
  return terms;
}

const TYPE_TERMS = ['LaborContract', 'HealthCertificate', 'SkillCertificate', 'AnxinLedgerAnchor'] as const;

/**
 * The context document (`application/ld+json`), as the gateway serves it.
 *
 * @example
 * const doc = anxinContext();
 * doc['@context'].healthCertificate; // { '@id': 'anxin:healthCertificate', '@context': { ... } }
 */
export function anxinContext() {
  const members = Object.fromEntries(
    (Object.keys(SUBJECT_MEMBER) as CredentialType[]).map((type) => [
      SUBJECT_MEMBER[type],
      { '@id': `anxin:${SUBJECT_MEMBER[type]}`, '@context': scopedTerms(SUBJECT_SCHEMA_BY_TYPE[type]) },
    ]),
  );
  return {
    '@context': {
      '@version': 1.1,
      '@protected': true,
      anxin: ANXIN_VOCAB,
      ...Object.fromEntries(TYPE_TERMS.map((t) => [t, { '@id': `anxin:${t}` }])),
      holder: { '@id': 'anxin:holder', '@context': scopedTerms(credentialHolderSchema) },
      ...members,
    },
  } as const;
}
