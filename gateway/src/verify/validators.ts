/**
 * The compiled validator of a registered schema, or of a fragment of one
 * (`<$id>#/properties/<name>`), compiled by ajv on first use. The browser bundle replaces
 * this module with validators generated ahead of time from the same schemas and keywords
 * (ajv standalone, scripts/bundle-verify.mjs): a page whose CSP forbids eval cannot compile.
 */
import { ajv, type toIssues } from '@anxin/schemas';

/** An ajv validator: whether data is valid, and after a false, why. */
export interface Validator {
  (data: unknown): boolean;
  errors?: Parameters<typeof toIssues>[0];
}

/** The validator for a schema id or a JSON Pointer fragment of one; undefined for an unknown id. */
export function validatorFor(ref: string): Validator | undefined {
  return ajv().getSchema(ref);
}
