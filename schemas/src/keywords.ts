import type Ajv from 'ajv/dist/2020';
import { isValidIdNumber, isValidUscc } from './checksums';

/**
 * Custom keywords used by the schemas. Each is boolean-valued: `{ "cnUscc": true }`
 * means "this string must be a valid unified social credit code".
 */
export const CUSTOM_KEYWORDS = {
  cnUscc: isValidUscc,
  cnIdNumber: isValidIdNumber,
} as const;

export type CustomKeywords = { cnUscc?: boolean; cnIdNumber?: boolean };

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
}
