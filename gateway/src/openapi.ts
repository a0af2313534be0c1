/**
 * /openapi.json: every route, its auth, its body schema and its answers. A test checks
 * this table against the routes the app actually serves.
 */
import { ALL_SCHEMAS, ISSUER_KINDS, ISSUER_STATUSES, printableCardQuerySchema, utcDateTime } from '@anxin/schemas';
import { ERROR_STATUS } from './errors';
import { CHALLENGE_TTL_S, C_NONCE_TTL_S } from './services/nonces';
import { AUTHORITY_RULES, CHECKS, NAMED_ISSUER_OUTCOMES, REASON_CODES, TYPE_RULES } from './verify';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, e.g. /v1/issuers/{id} */
  path: string;
  summary: string;
  tag: string;
  /** Scope needed, or null for public routes. */
  scope: 'admin' | 'issue' | 'revoke' | 'verify' | null;
  body?: string;
  /** Query parameters: the properties of this schema (one object, strings). */
  query?: { $id: string; properties: Record<string, object>; required?: readonly string[] };
  /** Extra media types accepted for the body. */
  alsoAccepts?: string[];
  /** The answer; `schema` names a component of this document that describes its body. */
  ok: { status: number; description: string; mediaType?: string; schema?: keyof typeof RESPONSE_SCHEMAS };
  idempotent?: boolean;
}

const OUTCOME = { type: 'string', enum: ['pass', 'fail', 'skipped'] } as const;

const INSTANT = { type: 'string', format: 'date-time' } as const;

/** Whom the issuer issued the credential on behalf of (services/verify/report.ts OnBehalfOf). */
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

/** How the issuer's authority was judged (services/verify/report.ts AuthorityJudgement). */
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

/** The bodies of some answers, as components: what a client reads. */
const RESPONSE_SCHEMAS = {
  VerificationReport: {
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
      checkedAt: { type: 'string', format: 'date-time' },
    },
    required: ['verified', 'checks', 'reasons', 'checkedAt'],
  },
  VerifierChallenge: {
    type: 'object',
    description:
      `A one-time challenge for a presentation, good for ${CHALLENGE_TTL_S} s, usable by this verifier only. ` +
      'The holder’s key-binding JWT carries nonce and aud; POST /v1/verify names the nonce as challenge.',
    properties: {
      nonce: { type: 'string' },
      aud: { type: 'string', description: 'This verifier: <public URL>/verifiers/<principal id>' },
      expiresAt: { type: 'string', format: 'date-time' },
    },
    required: ['nonce', 'aud', 'expiresAt'],
  },
  CNonce: {
    type: 'object',
    description:
      `OpenID4VCI 1.0 Nonce Response: a c_nonce for a proof of possession (openid4vci-proof+jwt), good once, ` +
      `for ${C_NONCE_TTL_S} s. Sent with Cache-Control: no-store.`,
    properties: { c_nonce: { type: 'string' } },
    required: ['c_nonce'],
  },
} as const;

export const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/issuers',
    summary: 'Register an issuer (with its first key and an API key)',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-create-issuer',
    ok: { status: 201, description: 'The issuer as registered on the ledger, and its API key (shown once)' },
  },
  {
    method: 'get',
    path: '/v1/issuers',
    summary: 'The issuer registry',
    tag: 'issuers',
    scope: null,
    ok: { status: 200, description: 'Every issuer with keys, status and allowed types' },
  },
  {
    method: 'get',
    path: '/v1/issuers/{id}',
    summary: 'One issuer',
    tag: 'issuers',
    scope: null,
    ok: { status: 200, description: 'The issuer' },
  },
  {
    method: 'patch',
    path: '/v1/issuers/{id}',
    summary: 'Rename, change allowed types, suspend or revoke an issuer',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-update-issuer',
    ok: { status: 200, description: 'The issuer after the change' },
  },
  {
    method: 'post',
    path: '/v1/issuers/{id}/keys',
    summary: 'Rotate: add a key, retire the old ones',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-rotate-key',
    ok: { status: 201, description: 'The issuer with its new key' },
  },
  {
    method: 'post',
    path: '/v1/issuers/{id}/keys/{keyId}/compromised',
    summary: 'Declare a key compromised since an instant',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-key-compromised',
    ok: { status: 200, description: 'The issuer after the change' },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key for a principal',
    tag: 'api-keys',
    scope: 'admin',
    body: 'api-create-api-key',
    ok: { status: 201, description: 'The key (shown once) and its id' },
  },
  {
    method: 'get',
    path: '/v1/api-keys',
    summary: 'List API keys (never the keys themselves)',
    tag: 'api-keys',
    scope: 'admin',
    ok: { status: 200, description: 'API key records' },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/{id}',
    summary: 'Revoke an API key',
    tag: 'api-keys',
    scope: 'admin',
    ok: { status: 204, description: 'Revoked' },
  },
  {
    method: 'post',
    path: '/v1/credentials',
    summary: 'Issue a credential: validate, sign, anchor; 201 once committed',
    tag: 'credentials',
    scope: 'issue',
    body: 'api-issue-credential',
    idempotent: true,
    ok: { status: 201, description: 'The credential, its digest and its anchor' },
  },
  {
    method: 'post',
    path: '/v1/nonce',
    summary:
      'A c_nonce (OpenID4VCI 1.0 Nonce Endpoint) for the proof of possession (holderProof) that binding a credential to holderPublicJwk needs',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: 'The c_nonce (never cached)', schema: 'CNonce' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}',
    summary: 'An issued credential (the issuer’s own only)',
    tag: 'credentials',
    scope: 'issue',
    ok: { status: 200, description: 'The stored credential record' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/card',
    summary:
      'A printable work card for a worker without a smartphone: chosen fields of an SD-JWT VC not bound to a device key, and a QR code to the verifier page (?disclose=…&format=svg|png)',
    tag: 'credentials',
    scope: 'issue',
    query: printableCardQuerySchema,
    ok: {
      status: 200,
      description: 'An SVG card (105 × 148 mm), or with format=png the PNG of its QR code',
      mediaType: 'image/svg+xml',
    },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/revoke',
    summary: 'Revoke a credential, for good',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/suspend',
    summary: 'Suspend a credential',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/reinstate',
    summary: 'Reinstate a suspended credential',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/status',
    summary: 'Status, type, issuer, validity, anchor; no personal data',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: 'The anchored status' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/verifiers',
    summary: 'Who verified this credential in the last 30 days',
    tag: 'credentials',
    scope: 'revoke',
    ok: { status: 200, description: 'Verifiers with their last check' },
  },
  {
    method: 'post',
    path: '/v1/verify',
    summary: 'Verify one credential (JWS, SD-JWT or QR text); always a report',
    tag: 'verify',
    scope: 'verify',
    body: 'api-verify',
    alsoAccepts: ['text/plain'],
    ok: { status: 200, description: 'The verification report', schema: 'VerificationReport' },
  },
  {
    method: 'post',
    path: '/v1/verify/batch',
    summary: 'Verify up to 1000 credentials',
    tag: 'verify',
    scope: 'verify',
    body: 'api-verify-batch',
    ok: { status: 200, description: 'A report per credential and a summary' },
  },
  {
    method: 'post',
    path: '/v1/verify/challenges',
    summary:
      'A one-time challenge (nonce, aud) for a holder’s device to sign into its key-binding JWT; name its nonce as "challenge" in POST /v1/verify',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 201, description: 'The challenge', schema: 'VerifierChallenge' },
  },
  {
    method: 'put',
    path: '/v1/webhook',
    summary:
      'Set where to be told when a credential you checked in the last 30 days changes status (a POST of a JWS signed by the gateway key, typ anxin-status+jwt)',
    tag: 'verify',
    scope: 'verify',
    body: 'api-webhook',
    ok: { status: 200, description: 'The webhook as set' },
  },
  {
    method: 'get',
    path: '/v1/webhook',
    summary: 'Your webhook and its latest deliveries',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 200, description: 'The webhook (or null) and the latest notifications with their delivery state' },
  },
  {
    method: 'delete',
    path: '/v1/webhook',
    summary: 'Stop notifications',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 204, description: 'Removed' },
  },
  {
    method: 'get',
    path: '/v1/trust-list',
    summary: 'Signed list of issuers and keys, for offline verifiers',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'The trust list JWS and the key that signed it' },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The gateway’s public signing keys',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'JWK set' },
  },
  {
    method: 'get',
    path: '/v1/ledger/info',
    summary: 'Ledger height and current block hash',
    tag: 'ledger',
    scope: null,
    ok: { status: 200, description: 'Ledger info' },
  },
  {
    method: 'get',
    path: '/v1/ledger/blocks/{n}',
    summary: 'A block as Fabric protobuf bytes, or decoded with ?format=json',
    tag: 'ledger',
    scope: null,
    ok: { status: 200, description: 'The block', mediaType: 'application/octet-stream' },
  },
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Alive' },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Ledger and store are reachable',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Ready (503 when not)' },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Metrics', mediaType: 'text/plain' },
  },
  {
    method: 'get',
    path: '/schemas/v1/{name}',
    summary: 'A published JSON Schema (credentialSchema ids resolve here)',
    tag: 'schemas',
    scope: null,
    ok: { status: 200, description: 'The schema', mediaType: 'application/schema+json' },
  },
  {
    method: 'get',
    path: '/verify',
    summary:
      'The verifier page: scan a work card QR code (or paste its text), green or red with reasons, 中文 / English',
    tag: 'verifier page',
    scope: null,
    ok: {
      status: 200,
      description: 'HTML page (it calls POST /v1/verify with the API key entered on it)',
      mediaType: 'text/html',
    },
  },
  {
    method: 'get',
    path: '/verify/{file}',
    summary:
      "The verifier page's script and style sheet (verify.js, verify.css), and the verification core as one ES module (verify-core.js)",
    tag: 'verifier page',
    scope: null,
    ok: { status: 200, description: 'JavaScript or CSS' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'OpenAPI 3.1' },
  },
];

const schemaName = (id: string) => id.slice(id.lastIndexOf('/') + 1).replace(/\.json$/, '');

export function openApiDocument(publicUrl: string, version: string): object {
  const problem = { $ref: '#/components/schemas/Problem' };
  const paths: Record<string, Record<string, object>> = {};
  for (const r of ROUTES) {
    const params: object[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const [name, schema] of Object.entries(r.query?.properties ?? {}))
      params.push({ name, in: 'query', required: !!r.query?.required?.includes(name), schema });
    const errors = Object.fromEntries(
      [...new Set(Object.values(ERROR_STATUS))]
        .filter((st) => st >= 400 && (r.scope !== null || ![401, 403].includes(st)))
        .map((st) => [
          String(st),
          { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problem } } },
        ]),
    );
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(params.length ? { parameters: [...params] } : {}),
      ...(r.idempotent
        ? {
            parameters: [
              ...params,
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'Retries with the same key and body get the same credential, issued and anchored once. While the first request is at work — or, should its gateway have died, until its lease ends and a retry takes it over — a retry gets 409 request_in_progress with Retry-After.',
                schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
              },
            ],
          }
        : {}),
      ...(r.scope ? { security: [{ apiKey: [r.scope] }] } : { security: [] }),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: { $ref: `#/components/schemas/${r.body}` } },
                ...Object.fromEntries((r.alsoAccepts ?? []).map((t) => [t, { schema: { type: 'string' } }])),
              },
            },
          }
        : {}),
      responses: {
        [String(r.ok.status)]: {
          description: r.ok.description,
          ...(r.ok.status !== 204
            ? {
                content: {
                  [r.ok.mediaType ?? 'application/json']: r.ok.schema
                    ? { schema: { $ref: `#/components/schemas/${r.ok.schema}` } }
                    : {},
                },
              }
            : {}),
        },
        ...errors,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Anxin 安心 gateway',
      version,
      description:
        'Issue, verify, revoke work credentials anchored on a permissioned ledger. Errors are RFC 9457 problem+json with a stable code.',
    },
    servers: [{ url: publicUrl }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
              },
            },
            reason: { type: 'string', description: 'The ledger contract’s own code, when the ledger refused' },
          },
          required: ['type', 'title', 'status', 'code'],
        },
        ...RESPONSE_SCHEMAS,
        ...Object.fromEntries(ALL_SCHEMAS.map((s) => [schemaName(s.$id), s])),
      },
    },
    paths,
  };
}
