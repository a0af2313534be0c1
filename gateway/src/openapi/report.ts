/**
 * The verification report as /openapi.json describes it (verify/report.ts
 * VerificationReport): every check, the reasons by stable code, what the credential says, and
 * how the issuer's authority was judged.
 */
import { ISSUER_KINDS, ISSUER_STATUSES, utcDateTime } from '@anxin/schemas';
import { AUTHORITY_RULES, CHECKS, NAMED_ISSUER_OUTCOMES, REASON_CODES, TYPE_RULES } from '../verify';

const OUTCOME = { type: 'string', enum: ['pass', 'fail', 'skipped'] } as const;

const INSTANT = { type: 'string', format: 'date-time' } as const;

/** Whom the issuer issued the credential on behalf of (verify/report.ts OnBehalfOf). */
const ON_BEHALF_OF = {
  type: 'object',
  description:
    'Whom the issuer issued this on behalf of (the employer of a contract a platform issued), as the subject writes it.',
  properties: {
    member: { type: 'string', description: 'The subject member naming it, e.g. employer' },
    disclosed: { type: 'boolean', description: 'false: the holder did not disclose it' },
    name: { type: 'string' },
    uscc: { type: 'string' },
    registeredAs: {
      type: 'array',
      description: 'Registered issuers with that USCC; empty when none',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          kind: { type: 'string', enum: [...ISSUER_KINDS] },
          status: { type: 'string', enum: [...ISSUER_STATUSES] },
        },
        required: ['id', 'name', 'kind', 'status'],
      },
    },
  },
  required: ['member', 'disclosed'],
} as const;

/** How the issuer's authority was judged (verify/report.ts AuthorityJudgement). */
const AUTHORITY = {
  type: 'object',
  description:
    'How the issuer’s authority was judged: at the instant the ledger anchored the credential (an anchor exists only ' +
    'if the issuer was active and allowed the type then), or at the check itself without a matching anchor.',
  properties: {
    judgedAt: INSTANT,
    basis: { type: 'string', enum: ['anchoredAt', 'checkedAt'] },
    rule: { type: 'string', enum: [...AUTHORITY_RULES], description: 'What decided issuerTrusted' },
    typeRule: { type: 'string', enum: [...TYPE_RULES], description: 'What decided the type' },
    namedIssuer: {
      type: 'object',
      description: 'Whether the subject names its issuer by its registered USCC (undisclosed: the holder withheld it)',
      properties: {
        field: { type: 'string' },
        outcome: { type: 'string', enum: [...NAMED_ISSUER_OUTCOMES] },
      },
      required: ['field', 'outcome'],
    },
    issuer: {
      type: 'object',
      description: 'The issuer as the registry has it now',
      properties: {
        status: { type: 'string', enum: [...ISSUER_STATUSES] },
        suspendedAt: utcDateTime,
        revokedSince: utcDateTime,
      },
      required: ['status'],
    },
  },
  required: ['judgedAt', 'basis', 'rule', 'issuer'],
} as const;

/** The VerificationReport component. */
export const VERIFICATION_REPORT = {
  type: 'object',
  description:
    'Every check with its outcome, the reasons for each failure (stable codes), what the credential says, and ' +
    'how the issuer’s authority was judged. ' +
    'A credential bound to a key (cnf) is never verified without a valid key-binding JWT.',
  properties: {
    verified: { type: 'boolean' },
    checks: {
      type: 'object',
      properties: Object.fromEntries(CHECKS.map((c) => [c, OUTCOME])),
      required: [...CHECKS],
      additionalProperties: false,
    },
    reasons: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          check: { type: 'string', enum: [...CHECKS] },
          code: { type: 'string', enum: [...new Set(Object.values(REASON_CODES).flat())] },
          detail: { type: 'string' },
          field: { type: 'string', description: 'For schema failures: the JSON Pointer of the failing member' },
        },
        required: ['check', 'code', 'detail'],
      },
    },
    credential: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        type: { type: 'string' },
        format: { type: 'string', enum: ['vc+jwt', 'dc+sd-jwt'] },
        issuer: {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, onBehalfOf: ON_BEHALF_OF },
        },
        validFrom: { type: 'string', format: 'date-time' },
        validUntil: { type: 'string', format: 'date-time' },
        disclosed: { type: 'object', description: 'What the holder disclosed; an ID number shows its last four' },
      },
      required: ['format', 'disclosed'],
    },
    anchor: {
      type: 'object',
      properties: {
        txId: { type: 'string' },
        block: { type: ['integer', 'null'] },
        anchoredAt: { type: 'string', format: 'date-time' },
        status: { type: 'string' },
        statusReason: { type: 'string' },
        replaces: { type: 'string', description: 'The credential this one renews (on the ledger)' },
        replacedBy: { type: 'string', description: 'The credential that renews this one (on the ledger)' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
    presentation: {
      type: 'object',
      description:
        'For a credential bound to a key: how its key-binding JWT was judged. "challenge": it answered a ' +
        'one-time challenge of this verifier (POST /v1/verify/challenges), nonce and aud; "static": no ' +
        'challenge, only a fresh iat (the offline QR code, good for 5 minutes).',
      properties: { binding: { type: 'string', enum: ['challenge', 'static'] } },
      required: ['binding'],
    },
    authority: AUTHORITY,
    statusList: {
      type: 'object',
      description:
        'When no ledger was asked (a verifier with the trust list and status lists only): the status as the ' +
        'issuer’s signed status lists say it, as of their signing time, and until when they may be leaned on. ' +
        'A list past its exp fails status with status_list_expired.',
      properties: {
        status: { type: 'string', enum: ['active', 'revoked', 'suspended'] },
        asOf: { type: 'string', format: 'date-time' },
        exp: { type: 'string', format: 'date-time' },
        lists: { type: 'array', items: { type: 'string', format: 'uri' } },
      },
      required: ['status', 'asOf', 'lists'],
    },
    checkedAt: { type: 'string', format: 'date-time' },
  },
  required: ['verified', 'checks', 'reasons', 'checkedAt'],
} as const;
