/**
 * The HTTP client of the end-to-end tests: one request to a gateway with Node's fetch, and
 * its answer as the tests read it (JSON parsed, bytes kept, the text for everything else).
 */

/** Parsed JSON from the API, navigated freely by the tests (the assertions check its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface ApiResponse<T = Loose> {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON / problem+json answers, else the text. */
  body: T;
  text: string;
  contentType: string;
}

export interface ApiOptions {
  /** API key, sent as `Authorization: Bearer <key>`. */
  key?: string | undefined;
  /** An object is sent as JSON; a string or Buffer is sent as it is (set content-type in headers). */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One HTTP request to the gateway at `baseUrl`.
 *
 * @example
 * const res = await apiRequest(gw.url, 'POST', '/v1/verify', { key, body: { credential } });
 */
export async function apiRequest<T = Loose>(
  baseUrl: string,
  method: string,
  path: string,
  opts: ApiOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}) };
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) {
      body = opts.body;
    } else {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const contentType = res.headers.get('content-type') ?? '';
  const buf = Buffer.from(await res.arrayBuffer());
  const text = /^application\/octet-stream/.test(contentType) ? '' : buf.toString('utf8');
  let parsed: unknown = /^application\/octet-stream/.test(contentType) ? buf : text;
  if (/json/.test(contentType) && text) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text, contentType };
}
