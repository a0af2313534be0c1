/**
 * One line of displayed text — an organisation's or a person's name, a job title, a label —
 * as a reader sees exactly what was signed: no control characters (NUL, CR, LF, TAB, the C1
 * set), no line or paragraph separators, no format characters (the bidirectional controls
 * U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C; zero-width U+200B–U+200D, U+2060,
 * U+FEFF; soft hyphen, tags…), nothing else Unicode says to render invisibly (Hangul fillers,
 * variation selectors), no lone surrogates, no noncharacters, no U+FFFD (the trace of bytes
 * that were not UTF-8), no white space at either end, and in Unicode normalization form C,
 * so one name has one spelling on the ledger. Private-use characters stay allowed: some rare
 * characters in Chinese names are only encodable there. A pure function: the ajv keyword
 * `textLine` in `keywords.ts` calls it, in the gateway and in the chaincode alike.
 */

const NOT_IN_A_LINE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\uFFFD]/u;

/** U+XXXX of a code point. */
const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `text` is not one line of displayed text, or undefined when it is.
 *
 * @example
 * textLineProblem('成都\u202E公司'); // 'holds U+202E, a control, format or invisible character'
 * textLineProblem('买买提·艾力');    // undefined
 */
export function textLineProblem(text: string): string | undefined {
  const bad = NOT_IN_A_LINE.exec(text);
  if (bad) {
    return bad[0] === '\uFFFD'
      ? 'holds U+FFFD, the replacement for bytes that were not UTF-8'
      : `holds ${codePoint(bad[0])}, a control, format or invisible character`;
  }
  if (/^\s|\s$/u.test(text)) return 'starts or ends with white space';
  if (text.normalize('NFC') !== text) return 'is not in Unicode normalization form C (NFC)';
  return undefined;
}

/** Whether `text` is one line of displayed text (see textLineProblem). */
export function isTextLine(text: string): boolean {
  return textLineProblem(text) === undefined;
}
