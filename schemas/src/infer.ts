import type { ExtendedJSONSchema, FromExtendedSchema } from 'json-schema-to-ts';
import type { CustomKeywords } from './keywords';

/** A JSON Schema that may use the project's custom keywords. */
export type Schema = ExtendedJSONSchema<CustomKeywords>;

/** The TypeScript type a schema describes: derived from the schema, so it cannot drift. */
export type Infer<S extends Schema> = FromExtendedSchema<CustomKeywords, S>;
