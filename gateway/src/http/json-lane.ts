/**
 * The JSON lane for the hot routes — POST /v1/verify (employers' verifications are most of
 * the traffic) and POST /v1/credentials (issuance bursts).
 *
 * express hands every request to its handlers with the prototypes of `req` and `res`
 * replaced by its own; on Node's hot objects that costs about as much as a verification
 * itself (measured here: a bare http server verifying runs ~6,000/s, the same verification
 * behind express ~3,200/s). A well-formed JSON request to one of these routes —
 * Content-Type application/json, a Content-Length within the limit, no transfer or
 * content encoding — is served here on the plain node objects, through the very same
 * pieces the express routes use: request id, security headers (helmet's, taken once), the
 * same rate limiter instance, the same authentication and scopes, the same handlers,
 * metrics, logs and problem documents. Anything else (text/plain QR texts, chunked or
 * oversized bodies, every other route) goes to express.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { HttpError } from './problem-types';
import type { ApiKeyRecord, Scope, Store } from '../ports/store';
import { identify, keyWithScope, type Caller } from './auth';
import { utf8Text } from './body';
import { observe, requestId, type Metrics } from './observability';
import { problemOf, sendProblem } from './problem';

const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/** The headers helmet sets on every response, captured once. */
export function helmetHeaders(): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const res = {
    setHeader: (name: string, value: unknown) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  helmet()({ headers: {} } as never, res as never, () => undefined);
  return headers;
}

/**
 * express-rate-limit reads a few express conveniences (req.ip, req.app, res.append), and
 * the limiter the caller: lend them to the plain objects through small stand-ins.
 */
function expressish(req: IncomingMessage, res: ServerResponse, app: Express, path: string, caller: Caller) {
  const rq = {
    caller,
    headers: req.headers,
    method: req.method,
    ip: req.socket.remoteAddress ?? '',
    app,
    originalUrl: path,
    path,
    url: path,
    socket: req.socket,
  };
  const rs = {
    raw: res,
    get headersSent() {
      return res.headersSent;
    },
    get writableEnded() {
      return res.writableEnded;
    },
    get statusCode() {
      return res.statusCode;
    },
    set statusCode(code: number) {
      res.statusCode = code;
    },
    setHeader: (name: string, value: string | number | readonly string[]) => res.setHeader(name, value),
    getHeader: (name: string) => res.getHeader(name),
    append: (name: string, value: string) => {
      const prev = res.getHeader(name);
      res.setHeader(name, prev === undefined ? value : ([] as string[]).concat(prev as string, value));
    },
    once: (event: string, fn: () => void) => res.once(event, fn),
    end: (body?: string) => res.end(body),
  };
  return { rq, rs };
}

function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > length) {
        reject(new HttpError('payload_too_large', 'the body is longer than its Content-Length'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** A route the lane serves: an exact path, the scope it needs, and its handler. */
export interface LaneRoute {
  path: string;
  scope: Scope;
  handle(body: unknown, key: ApiKeyRecord, headers: IncomingHttpHeaders): Promise<LaneAnswer>;
}

export interface LaneAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface LaneDeps {
  app: Express;
  store: Store;
  limiter: RequestHandler;
  securityHeaders: Array<[string, string]>;
  bodyLimit: number;
  logger: Logger;
  metrics: Metrics;
}

/** A request listener that serves plain JSON POSTs to `routes` and returns false for everything else. */
export function jsonLane(d: LaneDeps, routes: LaneRoute[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const route = byPath.get(req.url ?? '');
    if (!route) return false;
    const h = req.headers;
    const length = Number(h['content-length']);
    if (!JSON_TYPE.test(h['content-type'] ?? '') || !(length > 0) || length > d.bodyLimit) return false;
    if (h['transfer-encoding'] !== undefined || h['content-encoding'] !== undefined || h.expect !== undefined)
      return false;
    void serve(d, route, req, res, length);
    return true;
  };
}

async function serve(
  d: LaneDeps,
  route: LaneRoute,
  req: IncomingMessage,
  res: ServerResponse,
  length: number,
): Promise<void> {
  for (const [name, value] of d.securityHeaders) res.setHeader(name, value);
  const id = requestId(req, res);
  let keyId: string | undefined;
  observe(
    d.logger,
    d.metrics,
    req,
    res,
    id,
    () => route.path,
    () => keyId,
  );
  try {
    const caller = await identify(d.store, req.headers.authorization);
    if ('key' in caller) keyId = caller.key.id;
    const { rq, rs } = expressish(req, res, d.app, route.path, caller);
    const passed = await new Promise<boolean>((resolve, reject) => {
      res.once('finish', () => resolve(false)); // limited: the limiter answered
      d.limiter(rq as never, rs as never, (err?: unknown) =>
        err ? reject(err instanceof Error ? err : new Error('the rate limiter failed')) : resolve(true),
      );
    });
    if (!passed) return;
    const key = keyWithScope(caller, route.scope);
    const text = utf8Text(await readBody(req, length));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError('invalid_json', 'the body is not valid JSON');
    }
    const answer = await route.handle(body, key, req.headers);
    const out = JSON.stringify(answer.body);
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(out));
    res.end(out);
  } catch (e) {
    if (res.headersSent) return;
    sendProblem(
      res,
      problemOf(e, (err, msg) => d.logger.error({ err }, msg)),
      route.path,
    );
  }
}
