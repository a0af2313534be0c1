/**
 * Why the contract refuses a transaction. Codes are stable: once published they are
 * never renamed, and clients (the gateway, the CLI) branch on them.
 */
export const REJECTION_CODES = [
  'MALFORMED_ARGUMENT',
  'MALFORMED_STATEMENT',
  'ALG_NOT_ALLOWED',
  'WRONG_KIND',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'KEY_NOT_YET_VALID',
  'KEY_RETIRED',
  'KEY_COMPROMISED',
  'KEY_ID_MISMATCH',
  'KEY_EXISTS',
  'NOT_INITIALISED',
  'ALREADY_INITIALISED',
  'ISSUER_UNKNOWN',
  'ISSUER_EXISTS',
  'ISSUER_NOT_ACTIVE',
  'TYPE_NOT_ALLOWED',
  'TYPE_NOT_FOR_KIND',
  'NOT_OWN_CREDENTIAL',
  'ANCHOR_EXISTS',
  'ANCHOR_NOT_FOUND',
  'INVALID_TRANSITION',
  'INVALID_VALIDITY',
  'VALIDITY_OUT_OF_BOUNDS',
  'INVALID_TIME',
  'STATEMENT_REPLAYED',
  'STATEMENT_EXPIRED',
  'STATEMENT_FROM_FUTURE',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/**
 * A refusal. Its message is JSON — `{"code": "...", "detail": "..."}` — because a Fabric
 * peer passes only the message of a chaincode error back to the client.
 *
 * @example
 * throw new Rejection('KEY_RETIRED', `key ${kid} was retired at ${retiredAt}`);
 */
export class Rejection extends Error {
  constructor(
    readonly code: RejectionCode,
    readonly detail: string,
  ) {
    super(JSON.stringify({ code, detail }));
    this.name = 'Rejection';
  }
}

/** Read a rejection back out of a chaincode error message; undefined if it is not one. */
export function parseRejection(message: string): { code: RejectionCode; detail: string } | undefined {
  const start = message.indexOf('{"code":');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(message.slice(start, message.lastIndexOf('}') + 1)) as { code?: string; detail?: string };
    if (parsed.code && (REJECTION_CODES as readonly string[]).includes(parsed.code)) {
      return { code: parsed.code as RejectionCode, detail: parsed.detail ?? '' };
    }
  } catch {
    // not ours
  }
  return undefined;
}
