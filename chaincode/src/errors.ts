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
  'STATUS_LIST_NOT_OWN',
  'STATUS_ENTRY_TAKEN',
  'REPLACED_NOT_FOUND',
  'REPLACES_MISMATCH',
  'ALREADY_REPLACED',
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

/**
 * Read a rejection back out of a chaincode error message, wherever the transport put it
 * (a Fabric peer wraps it: `chaincode response 500, {"code":…}`); undefined if the message
 * carries none. `code` is whatever code the contract sent — a newer contract may refuse
 * with a code this reader does not know yet, and that code is passed on, not lost —
 * and `known` says whether it is one of REJECTION_CODES.
 *
 * @example
 * parseRejection('chaincode response 500, {"code":"KEY_RETIRED","detail":"…"}');
 * // { code: 'KEY_RETIRED', detail: '…', known: true }
 */
export function parseRejection(message: string): { code: string; detail: string; known: boolean } | undefined {
  const start = message.indexOf('{"code":');
  if (start < 0) return undefined;
  try {
    const p = JSON.parse(message.slice(start, message.lastIndexOf('}') + 1)) as { code?: unknown; detail?: unknown };
    if (typeof p.code === 'string') {
      return {
        code: p.code,
        detail: typeof p.detail === 'string' ? p.detail : '',
        known: (REJECTION_CODES as readonly string[]).includes(p.code),
      };
    }
  } catch {
    // not ours
  }
  return undefined;
}
