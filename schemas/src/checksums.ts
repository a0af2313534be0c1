/**
 * Check characters of the Chinese identifiers the schemas accept. Pure functions: the
 * ajv keywords in `keywords.ts` call them, and so can anyone else.
 */

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Whether `code` is a well-formed unified social credit code (统一社会信用代码,
 * GB 32100-2015): 18 characters from the 31-character alphabet, the last one the
 * MOD 31 check character over the first 17.
 *
 * @example isValidUscc('91510100MA61R8XK23') // true when the check character matches
 */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(code[i]!) * USCC_WEIGHTS[i]!;
  const check = (31 - (sum % 31)) % 31;
  return code[17] === USCC_ALPHABET[check];
}

/** The check character that completes a 17-character USCC prefix. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** The ISO 7064 MOD 11-2 check character that completes a 17-digit ID number prefix. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

/**
 * Whether `id` is a well-formed resident identity card number (居民身份证号码,
 * GB 11643-1999): 17 digits, a real date of birth (not in the future) at positions 7–14, and the
 * ISO 7064 MOD 11-2 check character (0–9 or X).
 */
export function isValidIdNumber(id: string): boolean {
  if (!/^[1-9]\d{16}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) {
    return false;
  }
  if (birth.getTime() > Date.now()) return false; // not born yet
  return id[17] === idNumberCheckChar(id.slice(0, 17));
}
