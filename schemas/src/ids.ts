/**
 * Stable identifiers of every schema. A schema id never changes once published: a new
 * version gets a new id, so a credential's `credentialSchema` always names the exact
 * rules it was checked against.
 */
export const SCHEMA_BASE = 'https://anxin.dev/schemas/v1/';

/** The `$id` of a schema named `name` (e.g. `labor-contract-subject`). */
export function schemaId<N extends string>(name: N): `${typeof SCHEMA_BASE}${N}.json` {
  return `${SCHEMA_BASE}${name}.json`;
}
