/**
 * The wallet's side of OpenID4VP 1.0 (cross-device, request by reference, direct_post):
 * read a request link, fetch the request object and check its signature against the
 * verifier's Client Identifier, find the held credentials that answer its DCQL query, and
 * post a presentation of exactly the asked claims, bound to the device key (a key-binding
 * JWT over the request's nonce, addressed to the Client Identifier).
 *
 * Runs in the browser and in Node alike: fetch, WebCrypto and jose only, no `node:` import.
 * The one Client Identifier Prefix it accepts is `decentralized_identifier` with a `did:web`
 * (the prefix the gateway signs with): the key is found by resolving the DID over HTTPS.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { SDJwtInstance } from '@sd-jwt/core';
import { sdHasher } from '../verify/bytes';
import { b64url, type DeviceKey } from './jws';

/** Why a request could not be read or answered; `code` is stable, for the screens' words. */
export type Oid4vpErrorCode =
  | 'request_unreadable'
  | 'request_fetch_failed'
  | 'request_signature_invalid'
  | 'request_client_mismatch'
  | 'request_unsupported'
  | 'request_expired'
  | 'credential_does_not_answer'
  | 'never_disclosed'
  | 'response_refused';

export class Oid4vpError extends Error {
  constructor(
    readonly code: Oid4vpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The `typ` a request object must carry (RFC 9101; OpenID4VP 1.0 §5). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
const PREFIX = 'decentralized_identifier:';
const ALGS = ['ES256', 'EdDSA'];

/** A DCQL query, as much of it as the wallet reads. */
export interface DcqlCredentialQuery {
  id: string;
  format: string;
  meta?: { vct_values?: string[] };
  claims?: Array<{ id?: string; path: Array<string | number | null> }>;
}

/** A field the verifier asks for, in plain words. */
export interface AskedField {
  credential: string;
  path: string;
  label_zh: string;
  label_en: string;
}

/** A request whose signature was checked: what the consent screen shows and what the answer needs. */
export interface PresentationRequest {
  clientId: string;
  /** Who asks: the verifier as the gateway registered it; the DID's host when the request does not say. */
  verifier: { id: string; name: string };
  job?: { zh: string; en: string };
  dcql: { credentials: DcqlCredentialQuery[] };
  fields: AskedField[];
  nonce: string;
  state?: string;
  responseUri: string;
  requestUri: string;
  expiresAt?: string;
}

/**
 * The request_uri and client_id of a request link: `openid4vp://?client_id=…&request_uri=…`,
 * or the wallet's own `<url>/wallet#request=<request_uri>&client_id=…`.
 *
 * @example
 * parseRequest('openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Ax&request_uri=https%3A%2F%2Fx%2Fr');
 * // { client_id: 'decentralized_identifier:did:web:x', request_uri: 'https://x/r' }
 */
export function parseRequest(text: string): { client_id?: string; request_uri: string } {
  const t = text.trim();
  let params: URLSearchParams;
  if (/^openid4vp:/i.test(t)) params = new URLSearchParams(t.slice(t.indexOf('?') + 1));
  else if (t.includes('#')) params = new URLSearchParams(t.slice(t.indexOf('#') + 1));
  else throw new Oid4vpError('request_unreadable', 'not an OpenID4VP request link');
  const uri = params.get('request_uri') ?? params.get('request');
  if (!uri || !/^https?:\/\//.test(uri))
    throw new Oid4vpError('request_unreadable', 'the link names no request_uri (only requests by reference are read)');
  const clientId = params.get('client_id');
  return { ...(clientId ? { client_id: clientId } : {}), request_uri: uri };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/** The URL of a did:web's document: HTTPS, except on a loopback host, where the request's own scheme serves. */
function didWebUrl(did: string, requestUri: string): URL {
  const parts = did.split(':');
  if (parts.length < 3 || parts[0] !== 'did' || parts[1] !== 'web')
    throw new Oid4vpError('request_unsupported', `only did:web verifiers are understood (got ${did})`);
  const host = decodeURIComponent(parts[2]!);
  const path = parts.slice(3).map(decodeURIComponent);
  const scheme = LOOPBACK.test(host) ? new URL(requestUri).protocol : 'https:';
  return new URL(`${scheme}//${host}/${path.length ? `${path.join('/')}/did.json` : '.well-known/did.json'}`);
}

async function getText(fetchFn: typeof fetch, url: string, accept: string): Promise<string> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { accept } });
  } catch (e) {
    throw e instanceof TypeError ? e : new Oid4vpError('request_fetch_failed', `cannot fetch ${url}`);
  }
  if (!res.ok) throw new Oid4vpError('request_fetch_failed', `${url} answered ${res.status}`);
  return res.text();
}

/** The public key a DID URL names in its did:web document. */
async function keyOf(did: string, kid: string, requestUri: string, fetchFn: typeof fetch): Promise<JWK> {
  const url = didWebUrl(did, requestUri);
  let doc: { id?: string; verificationMethod?: Array<{ id: string; publicKeyJwk?: JWK }> };
  try {
    doc = JSON.parse(await getText(fetchFn, url.href, 'application/did+json, application/json')) as typeof doc;
  } catch (e) {
    if (e instanceof Oid4vpError || e instanceof TypeError) throw e;
    throw new Oid4vpError('request_signature_invalid', 'the verifier’s DID document is not JSON');
  }
  if (doc.id !== did) throw new Oid4vpError('request_signature_invalid', 'the DID document is not the verifier’s');
  const method = doc.verificationMethod?.find((m) => m.id === kid || `${did}${m.id}` === kid);
  if (!method?.publicKeyJwk)
    throw new Oid4vpError('request_signature_invalid', `the verifier’s DID names no key ${kid}`);
  return method.publicKeyJwk;
}

function fieldsFromQuery(dcql: { credentials: DcqlCredentialQuery[] }): AskedField[] {
  return dcql.credentials.flatMap((c) =>
    (c.claims ?? []).map((claim) => {
      const path = claim.path.join('.');
      return { credential: c.id, path, label_zh: path, label_en: path };
    }),
  );
}

/**
 * Fetch a request object and check it: `typ`, a signature by a key of the verifier's
 * did:web (the Client Identifier, which must be the link's too), response type, mode and URI
 * on the verifier's host, a nonce, a DCQL query, not expired.
 *
 * @example
 * const { request_uri, client_id } = parseRequest(scanned);
 * const request = await fetchRequest(request_uri, fetch, { clientId: client_id });
 * // request.verifier.name, request.fields[0].label_zh
 */
export async function fetchRequest(
  uri: string,
  fetchFn: typeof fetch = fetch,
  opts: { clientId?: string; now?: Date } = {},
): Promise<PresentationRequest> {
  const jws = (await getText(fetchFn, uri, `application/${REQUEST_OBJECT_TYP}`)).trim();
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claimed: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws);
    claimed = JSON.parse(new TextDecoder().decode(fromB64(jws.split('.')[1] ?? ''))) as Record<string, unknown>;
  } catch {
    throw new Oid4vpError('request_unreadable', 'the request object is not a signed JWT');
  }
  if (header.typ !== REQUEST_OBJECT_TYP)
    throw new Oid4vpError('request_unsupported', `the request object's typ must be ${REQUEST_OBJECT_TYP}`);
  if (!ALGS.includes(String(header.alg)))
    throw new Oid4vpError('request_unsupported', `alg ${String(header.alg)} is not accepted`);
  const clientId = claimed.client_id;
  if (typeof clientId !== 'string' || !clientId.startsWith(PREFIX))
    throw new Oid4vpError(
      'request_unsupported',
      'only the decentralized_identifier Client Identifier Prefix is accepted',
    );
  if (opts.clientId !== undefined && opts.clientId !== clientId)
    throw new Oid4vpError('request_client_mismatch', 'the request object names another client_id than the link');
  const did = clientId.slice(PREFIX.length);
  const kid = header.kid;
  if (typeof kid !== 'string' || !kid.startsWith(`${did}#`))
    throw new Oid4vpError('request_signature_invalid', 'the request is not signed with a key of the verifier’s DID');
  const jwk = await keyOf(did, kid, uri, fetchFn);
  let payload: Record<string, unknown>;
  try {
    const v = await compactVerify(jws, await importJWK(jwk, String(header.alg)), { algorithms: ALGS });
    payload = JSON.parse(new TextDecoder().decode(v.payload)) as Record<string, unknown>;
  } catch {
    throw new Oid4vpError('request_signature_invalid', 'the request object’s signature does not verify');
  }
  return requestOf(payload, { clientId, did, uri, ...(opts.now ? { now: opts.now } : {}) });
}

/** What the consent screen shows of a request: the verifier and fields as its `verifier_info` names them, else as the query does. */
function describedBy(payload: Record<string, unknown>, dcql: { credentials: DcqlCredentialQuery[] }) {
  const info = (payload.verifier_info as Array<{ format?: string; data?: Record<string, unknown> }> | undefined)?.find(
    (v) => v.format === 'anxin_registered_verifier',
  )?.data as
    { verifier?: { id?: string; name?: string }; job?: { zh: string; en: string }; fields?: AskedField[] } | undefined;
  const fields = Array.isArray(info?.fields)
    ? info.fields.map((f) => ({ ...f, path: Array.isArray(f.path) ? (f.path as string[]).join('.') : String(f.path) }))
    : fieldsFromQuery(dcql);
  return { info, fields };
}

/** A verified request object's payload, checked for what the wallet answers, as a PresentationRequest. */
function requestOf(
  payload: Record<string, unknown>,
  ctx: { clientId: string; did: string; uri: string; now?: Date },
): PresentationRequest {
  const didHost = didWebUrl(ctx.did, ctx.uri).host;
  const responseUri = payload.response_uri;
  if (payload.response_type !== 'vp_token' || payload.response_mode !== 'direct_post')
    throw new Oid4vpError(
      'request_unsupported',
      'only response_type vp_token with response_mode direct_post is answered',
    );
  if (typeof responseUri !== 'string' || new URL(responseUri).host !== didHost)
    throw new Oid4vpError('request_unsupported', 'the response_uri is not on the verifier’s host');
  if (typeof payload.nonce !== 'string' || !payload.nonce)
    throw new Oid4vpError('request_unsupported', 'the request carries no nonce');
  const dcql = payload.dcql_query as { credentials: DcqlCredentialQuery[] } | undefined;
  if (!dcql || !Array.isArray(dcql.credentials) || !dcql.credentials.length)
    throw new Oid4vpError('request_unsupported', 'the request carries no DCQL query');
  if ('transaction_data' in payload) throw new Oid4vpError('request_unsupported', 'transaction_data is not supported');
  const now = (ctx.now ?? new Date()).getTime() / 1000;
  if (typeof payload.exp === 'number' && payload.exp <= now)
    throw new Oid4vpError('request_expired', 'the request has expired');
  const { info, fields } = describedBy(payload, dcql);
  return {
    clientId: ctx.clientId,
    verifier: { id: info?.verifier?.id ?? ctx.did, name: info?.verifier?.name ?? didHost },
    ...(info?.job ? { job: info.job } : {}),
    dcql,
    fields,
    nonce: payload.nonce,
    ...(typeof payload.state === 'string' ? { state: payload.state } : {}),
    responseUri,
    requestUri: ctx.uri,
    ...(typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000).toISOString() } : {}),
  };
}

function fromB64(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A held credential's `vct`, whether it is bound to a key, and the `group.member` paths it can disclose. */
function inspect(sdJwt: string): { vct?: string; bound: boolean; paths: Set<string> } | undefined {
  try {
    const decoded = decodeSdJwtSync(sdJwt, sdHasher);
    const payload = decoded.jwt.payload as Record<string, unknown>;
    const { disclosureKeymap } = unpackSync(payload, decoded.disclosures, sdHasher);
    return {
      ...(typeof payload.vct === 'string' ? { vct: payload.vct } : {}),
      bound: !!(payload.cnf as { jwk?: unknown } | undefined)?.jwk,
      paths: new Set(Object.keys(disclosureKeymap)),
    };
  } catch {
    return undefined;
  }
}

/** A held credential that answers a credential query, and the claims to disclose for it. */
export interface CredentialMatch {
  queryId: string;
  credential: string;
  /** `group.member` paths: exactly the asked claims. */
  disclose: string[];
}

/**
 * The held SD-JWT VCs that answer the request's credential queries: a `vct` the query
 * accepts, bound to a key (holder binding is required), and every asked claim disclosable.
 * Matches come in the order of the queries, then of `held`.
 *
 * @example
 * const [first] = matchCredentials(request, cards.map((c) => c.credential));
 * // first.disclose: ['holder.name', 'healthCertificate.categories', 'healthCertificate.validity']
 */
export function matchCredentials(
  request: Pick<PresentationRequest, 'dcql'>,
  held: readonly string[],
): CredentialMatch[] {
  const seen = held.map((h) => ({ credential: h, facts: inspect(h) }));
  const out: CredentialMatch[] = [];
  for (const q of request.dcql.credentials) {
    if (q.format !== 'dc+sd-jwt') continue;
    const paths = (q.claims ?? []).map((c) => c.path.join('.'));
    for (const { credential, facts } of seen) {
      if (!facts?.bound || !facts.vct || !(q.meta?.vct_values ?? []).includes(facts.vct)) continue;
      // A path of one member names a whole group: every member of it.
      if (paths.some((p) => NEVER_DISCLOSED.has(p))) continue;
      if (!paths.every((p) => facts.paths.has(p) || [...facts.paths].some((x) => x.startsWith(`${p}.`)))) continue;
      out.push({ queryId: q.id, credential, disclose: paths });
    }
  }
  return out;
}

/**
 * The salt and reference of the holder's ledger commitment: disclosable in the credential, but
 * never shown (with them a verifier could test guesses of the ID number offline).
 */
export const NEVER_DISCLOSED: ReadonlySet<string> = new Set(['holder.salt', 'holder.ref']);

/** SHA-256 by WebCrypto, as @sd-jwt hashes. */
async function webHasher(data: string | ArrayBuffer, alg: string): Promise<Uint8Array> {
  if (alg.toLowerCase() !== 'sha-256') throw new Error(`unsupported hash ${alg}`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * An SD-JWT presentation of `credential` disclosing only `disclose` (`group.member` paths;
 * a bare group discloses all its members), with a key-binding JWT signed by the device key:
 * `aud` the Client Identifier, `nonce` the request's, `sd_hash` over the presentation.
 *
 * @example
 * const presentation = await presentationFor(request, credential, ['holder.name'], key);
 */
export async function presentationFor(
  request: Pick<PresentationRequest, 'clientId' | 'nonce'>,
  credential: string,
  disclose: readonly string[],
  key: DeviceKey,
  now: Date = new Date(),
): Promise<string> {
  const held = inspect(credential);
  if (!held) throw new Oid4vpError('credential_does_not_answer', 'the credential is not an SD-JWT VC');
  const frame: Record<string, Record<string, true>> = {};
  for (const p of disclose) {
    if (NEVER_DISCLOSED.has(p))
      throw new Oid4vpError(
        'never_disclosed',
        `${p} is never disclosed: it would let a verifier test guesses of the ID number`,
      );
    // A bare group discloses its members, but never the holder's commitment.
    const members = p.includes('.')
      ? [p]
      : [...held.paths].filter((x) => x.startsWith(`${p}.`) && !NEVER_DISCLOSED.has(x));
    for (const m of members) {
      const [group, member] = m.split('.') as [string, string];
      (frame[group] ??= {})[member] = true;
    }
  }
  const sd = new SDJwtInstance({
    hasher: webHasher,
    hashAlg: 'sha-256',
    kbSignAlg: 'ES256',
    kbSigner: async (data: string) => b64url(await key.sign(new TextEncoder().encode(data))),
  });
  return sd.present(credential.endsWith('~') ? credential : `${credential}~`, frame as never, {
    kb: { payload: { iat: Math.floor(now.getTime() / 1000), aud: request.clientId, nonce: request.nonce } },
  });
}

/**
 * Answer a request (direct_post): a presentation of `credential` (or one per credential query
 * in `credentials`) disclosing only `disclose`, posted with the request's `state`. Throws
 * `response_refused` when the verifier does not take it; resolves with its JSON answer.
 *
 * @example
 * await respond({ request, credential: match.credential, disclose: match.disclose, key, fetch });
 */
export async function respond(o: {
  request: PresentationRequest;
  credential?: string;
  /** By credential query id, when the request asks for more than one credential. */
  credentials?: Record<string, string>;
  disclose?: readonly string[];
  key: DeviceKey;
  fetch?: typeof fetch;
  now?: Date;
}): Promise<Record<string, unknown>> {
  const queries = o.request.dcql.credentials;
  const chosen: Record<string, string> =
    o.credentials ?? (o.credential && queries[0] ? { [queries[0].id]: o.credential } : {});
  const vpToken: Record<string, string[]> = {};
  for (const q of queries) {
    const credential = chosen[q.id];
    if (!credential) throw new Oid4vpError('credential_does_not_answer', `no credential chosen for ${q.id}`);
    const asked = (q.claims ?? []).map((c) => c.path.join('.'));
    const disclose = o.disclose && queries.length === 1 ? o.disclose : asked;
    vpToken[q.id] = [await presentationFor(o.request, credential, disclose, o.key, o.now)];
  }
  const body = new URLSearchParams({ vp_token: JSON.stringify(vpToken) });
  if (o.request.state !== undefined) body.set('state', o.request.state);
  const res = await (o.fetch ?? fetch)(o.request.responseUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
    redirect: 'manual',
  });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status !== 200)
    throw new Oid4vpError(
      'response_refused',
      `the verifier refused the answer: ${typeof answer.error === 'string' ? answer.error : res.status}`,
    );
  return answer;
}
