import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { _, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { addKeywords } from './keywords';
import type { Infer, Schema } from './infer';
import { ALL_SCHEMAS } from './registry';

/** One reason an input does not match its schema. `field` is a JSON Pointer ('' is the whole input). */
export interface SchemaIssue {
  field: string;
  /** The schema keyword that failed: `required`, `pattern`, `enum`, `cnUscc`, … */
  code: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

let shared: Ajv2020 | undefined;

/**
 * A new ajv instance made as the shared one is: every schema registered, formats and custom
 * keywords added. `code` are ajv's code options (those that generate validators ahead of
 * time, for one).
 */
function newAjv(code?: CodeOptions): Ajv2020 {
  const instance = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTuples: false,
    allowUnionTypes: true,
    discriminator: true,
    ...(code ? { code } : {}),
  });
  addFormats(instance);
  addKeywords(instance);
  for (const s of ALL_SCHEMAS) instance.addSchema(s as object);
  return instance;
}

/** The one ajv instance: every schema registered, formats and custom keywords added. */
export function ajv(): Ajv2020 {
  shared ??= newAjv();
  return shared;
}

/**
 * The source of a CommonJS module exporting, under each name of `refs`, the validator of the
 * registered schema (or JSON Pointer fragment of one) it names, generated ahead of time with
 * ajv's standalone code: for a runtime where ajv cannot compile, such as a page whose CSP
 * forbids eval. Its validators behave as `ajv()`'s (same schemas, options, formats and
 * keywords; feed their errors to `toIssues`). The module requires `@anxin/schemas` (for the
 * keywords' checks), `ajv-formats/dist/formats` and ajv's runtime helpers, which a bundler
 * resolves.
 *
 * @example
 * writeFileSync('validators.js', standaloneValidators({ health: HEALTH_CERTIFICATE_SCHEMA_ID }));
 */
export function standaloneValidators(refs: Record<string, string>): string {
  // The formats' code names ajv-formats' module, as addFormats would, but in this package's
  // copy of ajv's code generator (ajv-formats may hold another copy of ajv).
  const instance = newAjv({ source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` });
  return standaloneCode(instance, refs);
}

/**
 * The issues of ajv's errors, as every validator here reports them: one per field and
 * keyword, with this package's messages for its own keywords.
 *
 * @example
 * if (!fn(data)) console.log(toIssues(fn.errors)[0].field); // e.g. '/employer/uscc'
 */
export function toIssues(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // An if/then failure only repeats the failures inside its `then`.
    if (e.keyword === 'if') continue;
    let field = e.instancePath;
    if (e.keyword === 'required') field += `/${escape((e.params as { missingProperty: string }).missingProperty)}`;
    if (e.keyword === 'additionalProperties')
      field += `/${escape((e.params as { additionalProperty: string }).additionalProperty)}`;
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not allowed here'
        : e.keyword in CUSTOM_MESSAGES
          ? CUSTOM_MESSAGES[e.keyword]!
          : (e.message ?? 'is invalid');
    const key = `${field}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, code: e.keyword, message });
  }
  return out;
}

const CUSTOM_MESSAGES: Record<string, string> = {
  // A member a schema forbids in this combination (`"nonce": false`), not ajv's "boolean schema is false".
  'false schema': 'is not allowed here',
  cnUscc: 'is not a valid unified social credit code (check character mismatch or bad format)',
  cnIdNumber: 'is not a valid resident ID number (bad date of birth or check digit)',
};

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A validator for `schema`, whose result is typed by the schema itself.
 *
 * @example
 * const check = validator(anchorRecordSchema);
 * const r = check(JSON.parse(text));
 * if (!r.ok) console.log(r.issues[0].field); // e.g. '/digest'
 */
export function validator<S extends Schema & { $id: string }>(schema: S): (data: unknown) => Validation<Infer<S>> {
  let fn: ValidateFunction | undefined;
  return (data: unknown) => {
    fn ??= ajv().getSchema(schema.$id) ?? ajv().compile(schema as object);
    return fn(data) ? { ok: true, value: data as Infer<S> } : { ok: false, issues: toIssues(fn.errors) };
  };
}

/** Compile every registered schema now, so that a broken schema fails at start-up, not on first use. */
export function compileAll(): void {
  for (const s of ALL_SCHEMAS) {
    if (!ajv().getSchema(s.$id)) throw new Error(`schema ${s.$id} does not compile`);
  }
}

/** Validate `data` against the registered schema with id `id`. */
export function validateById<T = unknown>(id: string, data: unknown): Validation<T> {
  const fn = ajv().getSchema(id);
  if (!fn) throw new Error(`no schema registered with id ${id}`);
  return fn(data) ? { ok: true, value: data as T } : { ok: false, issues: toIssues(fn.errors) };
}
