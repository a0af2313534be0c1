/**
 * Problems in /openapi.json: the Problem component (RFC 9457 with the gateway's members) and
 * the error answers of each operation, one per status a problem type has.
 */
import { PROBLEM_CODES, PROBLEM_TYPES } from '../http/problem-types';

/** The Problem component. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', enum: PROBLEM_CODES },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
    reason: { type: 'string', description: 'The ledger contract’s own code, when the ledger refused' },
    causes: {
      type: 'array',
      description: '/readyz: every reason the gateway is not ready, each with its code and the numbers behind it',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, detail: { type: 'string' } },
        required: ['code', 'detail'],
      },
    },
    anchored: {
      type: 'object',
      description:
        'store_unavailable after the anchor was committed: the credential exists on the ledger; retry with the same Idempotency-Key to receive it',
      properties: {
        id: { type: 'string' },
        txId: { type: 'string' },
        block: { type: 'integer' },
        anchoredAt: { type: 'string' },
      },
    },
  },
  required: ['type', 'title', 'status', 'code'],
};

const ERROR_STATUSES = [...new Set(Object.values(PROBLEM_TYPES).map((t) => t.status))];

/**
 * The error answers an operation documents: every problem status, but 401 and 403 only
 * where an API key is needed.
 */
export function problemResponses(scope: string | null): Record<string, object> {
  const problem = { $ref: '#/components/schemas/Problem' };
  return Object.fromEntries(
    ERROR_STATUSES.filter((st) => st >= 400 && (scope !== null || ![401, 403].includes(st))).map((st) => [
      String(st),
      { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problem } } },
    ]),
  );
}
