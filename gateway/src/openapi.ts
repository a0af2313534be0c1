/**
 * /openapi.json, put together from its parts: the operations (openapi/routes.ts, by route
 * group in openapi/paths/), the components of the answers (openapi/responses.ts,
 * openapi/report.ts) and of problems (openapi/problem.ts), and the request bodies, which
 * are the schemas package's own schemas.
 */
import { ALL_SCHEMAS } from '@anxin/schemas';
import { PROBLEM_SCHEMA, problemResponses } from './openapi/problem';
import { RESPONSE_SCHEMAS } from './openapi/responses';
import { ROUTES } from './openapi/routes';

const schemaName = (id: string) => id.slice(id.lastIndexOf('/') + 1).replace(/\.json$/, '');

/**
 * The OpenAPI 3.1 document of the gateway at `publicUrl`.
 *
 * @example
 * app.get('/openapi.json', (_req, res) => res.json(openApiDocument('https://anxin.example.cn', '0.1.0')));
 */
export function openApiDocument(publicUrl: string, version: string): object {
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
    const errors = problemResponses(r.scope);
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
        Problem: PROBLEM_SCHEMA,
        ...RESPONSE_SCHEMAS,
        ...Object.fromEntries(ALL_SCHEMAS.map((s) => [schemaName(s.$id), s])),
      },
    },
    paths,
  };
}
