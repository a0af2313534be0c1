import { _, type KeywordCxt } from 'ajv';
import type Ajv from 'ajv/dist/2020';
import { isValidIdNumber, isValidUscc } from './checksums';
import { textLineProblem } from './text-line';

/**
 * Custom keywords used by the schemas. Each is boolean-valued: `{ "cnUscc": true }`
 * means "this string must be a valid unified social credit code".
 */
export const CUSTOM_KEYWORDS = {
  cnUscc: isValidUscc,
  cnIdNumber: isValidIdNumber,
} as const;

export type CustomKeywords = { cnUscc?: boolean; cnIdNumber?: boolean; textLine?: boolean };

/**
 * The check a keyword calls, as a value of the validator's scope. Its `code` names the same
 * function as this package exports it, so that validators can also be generated ahead of
 * time (ajv standalone) for a runtime that forbids compiling code, such as a page whose CSP
 * forbids eval.
 */
function check(cxt: KeywordCxt, name: 'isValidUscc' | 'isValidIdNumber' | 'textLineProblem', fn: unknown) {
  return cxt.gen.scopeValue('func', { ref: fn, code: _`require("@anxin/schemas").${_([name] as never)}` });
}

export function addKeywords(ajv: Ajv): void {
  const names = { cnUscc: 'isValidUscc', cnIdNumber: 'isValidIdNumber' } as const;
  for (const [keyword, fn] of Object.entries(CUSTOM_KEYWORDS) as Array<[keyof typeof names, unknown]>) {
    ajv.addKeyword({
      keyword,
      type: 'string',
      schemaType: 'boolean',
      code(cxt) {
        if (cxt.schema === true) cxt.fail(_`!${check(cxt, names[keyword], fn)}(${cxt.data})`);
      },
    });
  }
  // `{ "textLine": true }`: one line of displayed text; the error says what is wrong with it.
  ajv.addKeyword({
    keyword: 'textLine',
    type: 'string',
    schemaType: 'boolean',
    error: { message: ({ params }) => _`${params.problem!}` },
    code(cxt) {
      if (cxt.schema !== true) return;
      const problem = cxt.gen.const('problem', _`${check(cxt, 'textLineProblem', textLineProblem)}(${cxt.data})`);
      cxt.setParams({ problem });
      cxt.fail(_`${problem} !== undefined`);
    },
  });
}
