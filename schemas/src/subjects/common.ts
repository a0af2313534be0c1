/**
 * Building blocks shared by the credential-subject schemas. Unlike `ledger/common.ts`,
 * these pieces describe what goes *inside* a signed credential (and the off-chain store);
 * none of it is ever written to the ledger.
 */
import { orgName } from '../ledger/common';

/**
 * Short single-line text (job titles, place names, occupation names): one line of displayed
 * text (`textLine`: no control, format or invisible characters, no surrounding white space,
 * NFC; see text-line.ts).
 */
export const shortText = { type: 'string', minLength: 1, maxLength: 64, textLine: true } as const;

/** A unified social credit code (统一社会信用代码) with a valid MOD 31 check character. */
export const uscc = {
  type: 'string',
  cnUscc: true,
  description: 'Unified social credit code (统一社会信用代码, GB 32100-2015), 18 characters, valid check character.',
} as const;

/** An organisation identified by its registered name and unified social credit code. */
export const organisation = {
  type: 'object',
  properties: {
    name: orgName,
    uscc,
  },
  required: ['name', 'uscc'],
  additionalProperties: false,
} as const;

/** A calendar date, YYYY-MM-DD (RFC 3339 full-date; a real date: no 2026-02-30). */
export const isoDate = {
  type: 'string',
  format: 'date',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'Calendar date, YYYY-MM-DD.',
} as const;

/** A 6-digit administrative division code (行政区划代码, GB/T 2260), e.g. 510107 = 成都市武侯区. */
export const divisionCode = {
  type: 'string',
  pattern: '^[1-9]\\d{5}$',
  description: 'Administrative division code (GB/T 2260), 6 digits.',
} as const;

/**
 * An occupation code of the national occupational classification (中华人民共和国职业分类大典,
 * 2022 edition): major group - middle group - minor group - occupation, e.g. `4-03-02-01`
 * (中式烹调师), optionally followed by a 2-digit work type (工种), e.g. `6-29-01-01-01`.
 */
export const occupationCode = {
  type: 'string',
  pattern: '^[1-8]-\\d{2}-\\d{2}-\\d{2}(-\\d{2})?$',
  description:
    'National occupational classification code (职业分类大典 2022), e.g. 4-03-02-01, optional -NN work type.',
} as const;

/**
 * A W3C Subresource Integrity digest of a document: one algorithm, the exact base64
 * length that algorithm produces (sha256: 44 characters, sha384: 64, sha512: 88).
 */
export const digestSRI = {
  type: 'string',
  minLength: 51,
  maxLength: 95,
  pattern: '^(sha256-[A-Za-z0-9+/]{43}=|sha384-[A-Za-z0-9+/]{64}|sha512-[A-Za-z0-9+/]{86}==)$',
  description: 'W3C Subresource Integrity digest: sha256-, sha384- or sha512- followed by the base64 digest.',
} as const;

/*
 * Personal data: used only by the holder identity (holder.ts), never by anything that can
 * reach the ledger.
 */

/**
 * A person's name as written on the resident ID card: Chinese characters or Latin letters,
 * with the middle dot `·` (U+00B7) between the parts of minority and transliterated names
 * (阿依古丽·买买提), and single spaces, hyphens or apostrophes inside Latin names. Starts and
 * ends with a letter; no digits, no other punctuation.
 */
export const PERSON_NAME_PATTERN =
  "^[\\p{Script=Han}\\p{Script=Latin}](?:[\\p{Script=Han}\\p{Script=Latin}]|[·' -](?=[\\p{Script=Han}\\p{Script=Latin}]))*$";

export const personName = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: PERSON_NAME_PATTERN,
  // The pattern fixes the letters; the text-line rule adds NFC (a Han compatibility ideograph has one spelling).
  textLine: true,
  description: 'Name of the person as on the resident ID card.',
} as const;

export const idNumber = {
  type: 'string',
  cnIdNumber: true,
  description:
    'Resident ID number (居民身份证号码, GB 11643-1999): 18 characters, a real date of birth, ' +
    'the ISO 7064 MOD 11-2 check character (0-9 or upper-case X).',
} as const;
