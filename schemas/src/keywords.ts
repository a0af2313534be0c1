import type Ajv from 'ajv/dist/2020';
import type { SchemaValidateFunction } from 'ajv/dist/types';
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

export function addKeywords(ajv: Ajv): void {
  for (const [keyword, check] of Object.entries(CUSTOM_KEYWORDS)) {
    ajv.addKeyword({
      keyword,
      type: 'string',
      schemaType: 'boolean',
      errors: false,
      validate: (enabled: boolean, data: string) => !enabled || check(data),
    });
  }
  // `{ "textLine": true }`: one line of displayed text; the error says what is wrong with it.
  const textLine: SchemaValidateFunction = (enabled: boolean, data: string) => {
    const problem = enabled ? textLineProblem(data) : undefined;
    textLine.errors = problem ? [{ keyword: 'textLine', message: problem, params: {} }] : [];
    return !problem;
  };
  ajv.addKeyword({ keyword: 'textLine', type: 'string', schemaType: 'boolean', errors: true, validate: textLine });
}
