/**
 * A real gateway for end-to-end tests: started with `startGateway` on port 0 in a temp
 * data directory (embedded ledger, SQLite store), driven over real HTTP with Node's
 * fetch. Shortcuts register issuers, create API keys, issue the schemas' own example
 * credentials and verify them; `restart()` closes and reopens on the same data directory.
 *
 * @example
 * const gw = await TestGateway.start();
 * const issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
 * const verifier = await gw.verifierKey();
 * const c = await gw.issue(issuer.apiKey, 'HealthCertificate');
 * const report = await gw.verify(verifier, c.credential); // report.verified === true
 * await gw.stop();
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Logger } from 'pino';
import { loadConfig, startGateway, type RunningGateway } from '@anxin/gateway';
import type { Services } from '@anxin/gateway/dist/services/context';
import {
  CREDENTIAL_TYPES,
  SUBJECT_SCHEMA_BY_TYPE,
  holderIdentitySchema,
  type CredentialType,
  type IssuerKind,
  type IssuerRecord,
} from '@anxin/schemas';
import { exportJWK } from 'jose';
import { holderProofJwt } from '@anxin/gateway/dist/services/workcard/proof';
import { fabricSkipReason, withFabricNetwork } from './fabric-network';
import { USCC_OF_KIND } from './statements';
import { tempDir } from './tmp';

export type Format = 'vc+jwt' | 'dc+sd-jwt';
export const FORMATS: readonly Format[] = ['vc+jwt', 'dc+sd-jwt'];
export { CREDENTIAL_TYPES };

/** The issuer kind that naturally issues each type. */
export const KIND_FOR_TYPE: Record<CredentialType, 'employer' | 'health_authority' | 'training_body' | 'platform'> = {
  LaborContract: 'platform',
  HealthCertificate: 'health_authority',
  SkillCertificate: 'training_body',
};

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

export interface RegisteredIssuer {
  id: string;
  apiKey: string;
  issuer: {
    id: string;
    name: string;
    kind: string;
    uscc: string;
    allowedTypes: CredentialType[];
    status: string;
    suspendedAt?: string;
    revokedSince?: string;
    keys: Array<{
      kid: string;
      keyId: string;
      alg: string;
      publicJwk: Record<string, string>;
      notBefore: string;
      retiredAt?: string;
      revokedAt?: string;
    }>;
  };
}

export interface IssueOptions {
  format?: Format;
  holder?: { name: string; idNumber: string };
  subject?: Record<string, unknown>;
  /** RFC 3339 UTC; default: one day ago (so that the example is valid now, whatever today is). */
  validFrom?: string | null;
  /** RFC 3339 UTC; default: in 180 days. `null` leaves both to the subject's own dates. */
  validUntil?: string | null;
  holderPublicJwk?: Record<string, string>;
  /** Sent as it is (tests of the proof itself); else made from `holderKey`. */
  holderProof?: string;
  /**
   * The worker's private key: the credential is bound to its public key, with a fresh proof
   * of holding it (a c_nonce from POST /v1/nonce, signed by the key).
   */
  holderKey?: JsonWebKey;
  idempotencyKey?: string;
}

/** A worker's device key pair, as JWKs. */
export interface DeviceKey {
  publicJwk: Record<string, string>;
  privateJwk: JsonWebKey;
}

/** A fresh device key: EC P-256 (ES256) by default, or Ed25519 (EdDSA). */
export function deviceKey(alg: 'ES256' | 'EdDSA' = 'ES256'): DeviceKey {
  const { publicKey, privateKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return {
    publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, string>,
    privateJwk: privateKey.export({ format: 'jwk' }),
  };
}

export interface Issued {
  id: string;
  format: Format;
  /** The credential as issued: what its holder keeps (an SD-JWT with every disclosure). */
  credential: string;
  /**
   * What a holder shows of it: the credential itself, or for an SD-JWT every disclosure but
   * the holder's ledger commitment (salt, ref), which no presentation may carry.
   */
  presentation: string;
  digest: string;
  anchor: { txId: string; block: number; anchoredAt: string };
  /** What was sent. */
  request: Record<string, unknown>;
  holder: { name: string; idNumber: string };
}

export interface Report {
  verified: boolean;
  checks: Record<string, 'pass' | 'fail' | 'skipped'>;
  reasons: Array<{ check: string; code: string; detail: string; field?: string }>;
  credential?: {
    id?: string;
    type?: string;
    format: Format;
    issuer?: {
      id: string;
      name?: string;
      onBehalfOf?: {
        member: string;
        disclosed: boolean;
        name?: string;
        uscc?: string;
        registeredAs?: Array<{ id: string; name: string; kind: string; status: string }>;
      };
    };
    validFrom?: string;
    validUntil?: string;
    disclosed: Record<string, Loose>;
  };
  anchor?: {
    txId: string;
    block: number | null;
    anchoredAt: string;
    status: string;
    statusReason?: string;
    updatedAt: string;
  };
  authority?: {
    judgedAt: string;
    basis: 'anchoredAt' | 'checkedAt';
    rule: string;
    typeRule?: string;
    namedIssuer?: { field: string; outcome: string };
    issuer: { status: string; suspendedAt?: string; revokedSince?: string };
  };
  presentation?: { binding: 'challenge' | 'static' };
  checkedAt: string;
}

/** Every check, in DESIGN.md's order. */
export const CHECK_ORDER = [
  'format',
  'signature',
  'issuerTrusted',
  'issuerAuthorizedForType',
  'keyValidAtIssue',
  'anchored',
  'digestMatches',
  'status',
  'notExpired',
  'notBefore',
  'schema',
  'holderBinding',
] as const;

const HOLDERS = holderIdentitySchema.examples;

/** YYYY-MM-DD of the day `days` from today in China's calendar (UTC+8), the calendar subjects' dates are in. */
export function cstDateFromNow(days: number): string {
  return new Date(Date.now() + 8 * 3600 * 1000 + days * DAY).toISOString().slice(0, 10);
}

/**
 * The schema's example subject of a type (a deep copy). A health certificate's example has its
 * dates moved to now — examined three days ago, valid from yesterday for one year — since a
 * health certificate lasts a year at most and the example's fixed dates run out; the other
 * types' examples stay valid for years as they are.
 */
export function exampleSubject(type: CredentialType, n = 0): Record<string, unknown> {
  const ex = (SUBJECT_SCHEMA_BY_TYPE[type] as { examples: readonly object[] }).examples;
  const subject = structuredClone(ex[n % ex.length]) as Record<string, unknown>;
  if (type === 'HealthCertificate') {
    const from = cstDateFromNow(-1);
    const until = new Date(`${from}T00:00:00Z`);
    until.setUTCFullYear(until.getUTCFullYear() + 1);
    until.setUTCDate(until.getUTCDate() - 1);
    subject.examDate = cstDateFromNow(-3);
    subject.validity = { from, until: until.toISOString().slice(0, 10) };
  }
  return subject;
}

/** One of the holder schema's example people (a copy). */
export function exampleHolder(n = 0): { name: string; idNumber: string } {
  const h = HOLDERS[n % HOLDERS.length]!;
  return { name: h.name, idNumber: h.idNumber };
}

/** An RFC 3339 UTC instant `ms` from now (negative: in the past), without milliseconds. */
export function isoFromNow(ms: number): string {
  return new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const DAY = 24 * 3600 * 1000;

/** A report in which every check passed (holder binding may be skipped), as the lifecycle expects. */
export function expectVerified(r: Report, holderBinding: 'pass' | 'skipped' = 'skipped'): void {
  const failed = r.reasons.map((x) => `${x.check}:${x.code}`);
  expect(failed, 'reasons').to.deep.equal([]);
  expect(r.verified).to.equal(true);
  for (const c of CHECK_ORDER) expect(r.checks[c], c).to.equal(c === 'holderBinding' ? holderBinding : 'pass');
}

/** A report that failed `check` with `code` (and so is not verified). */
export function expectFailed(r: Report, check: string, code: string): void {
  expect(r.verified, 'verified').to.equal(false);
  expect(r.checks[check], `checks.${check}`).to.equal('fail');
  expect(r.reasons.map((x) => `${x.check}:${x.code}`)).to.include(`${check}:${code}`);
}

/** A problem+json answer with the given status and code, with RFC 9457's members. */
export function expectProblem(res: ApiResponse, status: number, code: string): void {
  expect(res.status, `status (body: ${res.text.slice(0, 300)})`).to.equal(status);
  expectProblemShape(res);
  expect(res.body.code).to.equal(code);
}

export function expectProblemShape(res: ApiResponse): void {
  expect(res.contentType, 'content-type').to.match(/^application\/problem\+json/);
  expect(res.body).to.be.an('object');
  expect(res.body.type, 'type').to.be.a('string').and.not.equal('');
  expect(res.body.title, 'title').to.be.a('string').and.not.equal('');
  expect(res.body.status, 'status member').to.equal(res.status);
  expect(res.body.code, 'code').to.be.a('string').and.not.equal('');
}

export interface StartOptions {
  /** Extra environment (ANXIN_RATE_LIMIT, ANXIN_BODY_LIMIT, ...). */
  env?: Record<string, string>;
  logger?: Logger;
  /** The ledger under the gateway: the embedded one (default), or the shared test Fabric network. */
  ledger?: TestLedger;
  /** Called with the (still empty) data directory before the gateway starts, e.g. to create its ledger. */
  beforeStart?: (dataDir: string) => Promise<void> | void;
}

export type TestLedger = 'embedded' | 'fabric';

/**
 * Define a suite once per ledger: on the embedded ledger always, and on a real Fabric
 * network when FABRIC_BIN points at Fabric binaries (listed as skipped, by name, otherwise).
 */
export function describeOnLedgers(title: string, body: (this: Mocha.Suite, ledger: TestLedger) => void): void {
  describe(`${title} [embedded]`, function () {
    body.call(this, 'embedded');
  });
  const skip = fabricSkipReason();
  if (skip) {
    describe.skip(`${title} [fabric] (skipped: ${skip})`, function () {
      body.call(this, 'fabric');
    });
  } else {
    describe(`${title} [fabric]`, function () {
      this.timeout(180_000);
      body.call(this, 'fabric');
    });
  }
}

/** Environment that points a gateway at the shared test Fabric network, with the channel's registrar key. */
async function fabricEnv(dir: string): Promise<Record<string, string>> {
  const net = await withFabricNetwork();
  const c = net.config;
  const keyFile = join(dir, 'registrar.jwk');
  writeFileSync(keyFile, JSON.stringify(await exportJWK(net.registrar.privateKey)), { mode: 0o600 });
  return {
    ANXIN_LEDGER: 'fabric',
    ANXIN_FABRIC_PEER_ENDPOINT: c.peerEndpoint,
    ANXIN_FABRIC_TLS_ROOT_CERT: c.tlsRootCert,
    ...(c.serverNameOverride ? { ANXIN_FABRIC_PEER_HOST_ALIAS: c.serverNameOverride } : {}),
    ANXIN_FABRIC_MSP_ID: c.mspId,
    ANXIN_FABRIC_CERT: c.certPath,
    ANXIN_FABRIC_KEY: c.keyPath,
    ANXIN_FABRIC_CHANNEL: c.channel,
    ANXIN_FABRIC_CHAINCODE: c.chaincode,
    ANXIN_REGISTRAR_KEY_FILE: keyFile,
  };
}

export class TestGateway {
  /** The admin API key (from the first start; later starts read it from admin.key). */
  readonly adminKey: string;
  private constructor(
    readonly dataDir: string,
    public env: Record<string, string>,
    public running: RunningGateway,
    private readonly logger: Logger | undefined,
  ) {
    if (!running.adminKey) throw new Error('the first start did not create an admin key');
    this.adminKey = running.adminKey;
  }

  /** Start a gateway in a fresh temp data directory on port 0 (embedded ledger, SQLite). */
  static async start(opts: StartOptions = {}): Promise<TestGateway> {
    const dir = tempDir('gateway');
    const dataDir = join(dir, 'data');
    const env = {
      ANXIN_DATA_DIR: dataDir,
      ANXIN_PORT: '0',
      ANXIN_HOST: '127.0.0.1',
      ANXIN_BATCH_TIMEOUT_MS: '5',
      ANXIN_LOG_LEVEL: 'silent',
      ...(opts.ledger === 'fabric' ? await fabricEnv(dir) : {}),
      ...opts.env,
    };
    await opts.beforeStart?.(dataDir);
    const running = await startGateway(loadConfig(env), opts.logger ? { logger: opts.logger } : {});
    return new TestGateway(dataDir, env, running, opts.logger);
  }

  get url(): string {
    return this.running.url;
  }

  get services(): Services {
    return this.running.services;
  }

  /** Close and start again on the same data directory (a new port), with `env` changed from now on. */
  async restart(opts: { logger?: Logger; env?: Record<string, string> } = {}): Promise<RunningGateway> {
    await this.running.close();
    this.env = { ...this.env, ...opts.env };
    const logger = opts.logger ?? this.logger;
    this.running = await startGateway(loadConfig(this.env), logger ? { logger } : {});
    return this.running;
  }

  /** Close the gateway and remove its data directory. */
  async stop(): Promise<void> {
    await this.running.close();
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  /** One HTTP request to the gateway. */
  async api<T = Loose>(method: string, path: string, opts: ApiOptions = {}): Promise<ApiResponse<T>> {
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
    const res = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
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

  /**
   * Register an issuer (POST /v1/issuers, admin) and return it with its API key. Its kind is
   * the one that issues its first type, its USCC the one the example subjects name.
   */
  async registerIssuer(
    opts: { allowedTypes?: CredentialType[]; kind?: IssuerKind; name?: string; slug?: string; uscc?: string } = {},
  ): Promise<RegisteredIssuer> {
    const allowedTypes = opts.allowedTypes ?? ['HealthCertificate'];
    const kind = opts.kind ?? KIND_FOR_TYPE[allowedTypes[0]!];
    const res = await this.api('POST', '/v1/issuers', {
      key: this.adminKey,
      body: {
        name: opts.name ?? `测试发证机构 ${Math.random().toString(36).slice(2, 8)}`,
        kind,
        allowedTypes,
        uscc: opts.uscc ?? USCC_OF_KIND[kind],
        ...(opts.slug ? { slug: opts.slug } : {}),
      },
    });
    expect(res.status, `register issuer: ${res.text}`).to.equal(201);
    return { id: res.body.issuer.id, apiKey: res.body.apiKey, issuer: res.body.issuer };
  }

  /** An API key for a principal with scopes (POST /v1/api-keys, admin); returns the key. */
  async createApiKey(
    principal: { type: 'admin' | 'issuer' | 'verifier'; id: string },
    scopes: string[],
  ): Promise<{ apiKey: string; id: string }> {
    const res = await this.api('POST', '/v1/api-keys', { key: this.adminKey, body: { principal, scopes } });
    expect(res.status, `create API key: ${res.text}`).to.equal(201);
    return { apiKey: res.body.apiKey, id: res.body.id };
  }

  /** A verifying employer's API key (scope verify). */
  async verifierKey(id = `employer-${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
    return (await this.createApiKey({ type: 'verifier', id }, ['verify'])).apiKey;
  }

  /** The request body issuing the schemas' example of `type`. */
  issueBody(type: CredentialType, opts: IssueOptions = {}): Record<string, unknown> {
    const validFrom = opts.validFrom === undefined ? isoFromNow(-DAY) : opts.validFrom;
    const validUntil = opts.validUntil === undefined ? isoFromNow(180 * DAY) : opts.validUntil;
    return {
      type,
      holder: opts.holder ?? exampleHolder(),
      subject: opts.subject ?? exampleSubject(type),
      ...(validFrom ? { validFrom } : {}),
      ...(validUntil ? { validUntil } : {}),
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.holderPublicJwk ? { holderPublicJwk: opts.holderPublicJwk } : {}),
      ...(opts.holderProof ? { holderProof: opts.holderProof } : {}),
    };
  }

  /** A fresh c_nonce (POST /v1/nonce). */
  async cNonce(): Promise<string> {
    const res = await this.api('POST', '/v1/nonce');
    expect(res.status, `c_nonce: ${res.text}`).to.equal(200);
    return res.body.c_nonce as string;
  }

  /** Proof of holding `holderKey`, over a fresh c_nonce, addressed to this gateway (overrides for tests of the proof). */
  async holderProof(
    holderKey: JsonWebKey,
    over: { aud?: string; nonce?: string; now?: Date } = {},
  ): Promise<{ holderProof: string; holderPublicJwk: Record<string, string> }> {
    return holderProofJwt({
      holderKey,
      aud: over.aud ?? this.services.publicUrl,
      nonce: over.nonce ?? (await this.cNonce()),
      ...(over.now ? { now: over.now } : {}),
    });
  }

  /** The issuance body, bound (with a fresh proof) when `holderKey` is given. */
  private async requestBody(type: CredentialType, opts: IssueOptions): Promise<Record<string, unknown>> {
    if (!opts.holderKey) return this.issueBody(type, opts);
    const proof = await this.holderProof(opts.holderKey);
    return this.issueBody(type, {
      ...opts,
      holderPublicJwk: opts.holderPublicJwk ?? proof.holderPublicJwk,
      holderProof: opts.holderProof ?? proof.holderProof,
    });
  }

  /** POST /v1/credentials, without judging the answer. */
  async issueRaw(issuerKey: string, type: CredentialType, opts: IssueOptions = {}): Promise<ApiResponse> {
    return this.api('POST', '/v1/credentials', {
      key: issuerKey,
      body: await this.requestBody(type, opts),
      ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
    });
  }

  /** Issue the schemas' example of `type` and expect 201. */
  async issue(issuerKey: string, type: CredentialType, opts: IssueOptions = {}): Promise<Issued> {
    const request = await this.requestBody(type, opts);
    const res = await this.api('POST', '/v1/credentials', {
      key: issuerKey,
      body: request,
      ...(opts.idempotencyKey ? { headers: { 'idempotency-key': opts.idempotencyKey } } : {}),
    });
    expect(res.status, `issue ${type}: ${res.text.slice(0, 500)}`).to.equal(201);
    const body = res.body as Omit<Issued, 'request' | 'holder' | 'presentation'>;
    return {
      ...body,
      presentation: shownOf(body),
      request,
      holder: request.holder as Issued['holder'],
    };
  }

  /** POST /v1/verify with JSON { credential, ...options }; expects 200 and returns the report. */
  async verify(
    key: string,
    credential: string,
    opts: { nonce?: string; audience?: string; holderBinding?: 'optional' | 'required'; challenge?: string } = {},
  ): Promise<Report> {
    const res = await this.api<Report>('POST', '/v1/verify', { key, body: { credential, ...opts } });
    expect(res.status, `verify: ${res.text.slice(0, 500)}`).to.equal(200);
    return res.body;
  }

  /** Revoke / suspend / reinstate with a reason. */
  changeStatus(
    key: string,
    id: string,
    action: 'revoke' | 'suspend' | 'reinstate',
    reason: string,
  ): Promise<ApiResponse> {
    return this.api('POST', `/v1/credentials/${encodeURIComponent(id)}/${action}`, { key, body: { reason } });
  }

  /** The issuer as the ledger's projection has it now. */
  issuerRecord(id: string): IssuerRecord {
    const i = this.services.projection.issuers.get(id);
    if (!i) throw new Error(`no issuer ${id}`);
    return i;
  }

  /** Ledger height (GET /v1/ledger/info). */
  async height(): Promise<number> {
    const res = await this.api('GET', '/v1/ledger/info');
    expect(res.status).to.equal(200);
    return res.body.height as number;
  }

  /**
   * Valid transactions on the ledger (from block `from`) that wrote the anchor of
   * `credentialId` by an `anchor` call: how many times it was anchored.
   */
  async anchorWrites(credentialId: string, from = 0): Promise<number> {
    const height = await this.height();
    let n = 0;
    for (let b = from; b < height; b++) {
      const res = await this.api('GET', `/v1/ledger/blocks/${b}?format=json`);
      expect(res.status).to.equal(200);
      for (const tx of res.body.transactions as Array<{ validation: string; actions: Loose[] }>) {
        if (tx.validation !== 'VALID') continue;
        for (const a of tx.actions) {
          if (a.function !== 'anchor') continue;
          for (const s of a.rwsets) for (const w of s.writes) if (w.key === `/anchor/${credentialId}/`) n++;
        }
      }
    }
    return n;
  }

  /** Every valid `anchor` transaction from block `from` on, by credential id. */
  async anchoredIds(from = 0): Promise<string[]> {
    const height = await this.height();
    const ids: string[] = [];
    for (let b = from; b < height; b++) {
      const res = await this.api('GET', `/v1/ledger/blocks/${b}?format=json`);
      for (const tx of res.body.transactions as Array<{ validation: string; actions: Loose[] }>) {
        if (tx.validation !== 'VALID') continue;
        for (const a of tx.actions) {
          if (a.function !== 'anchor') continue;
          for (const s of a.rwsets)
            for (const w of s.writes) if (/^\/anchor\//.test(w.key)) ids.push(w.key.slice(8, -1));
        }
      }
    }
    return ids;
  }
}

// ------------------------------------------------------------------ credential surgery

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** Header and payload of a compact JWS (or of an SD-JWT's issuer-signed JWT). */
export function decodeJws(jws: string): {
  header: Record<string, Loose>;
  payload: Record<string, Loose>;
  raw: string[];
} {
  const first = jws.split('~')[0]!;
  const raw = first.split('.');
  return {
    header: JSON.parse(Buffer.from(raw[0]!, 'base64url').toString('utf8')) as Record<string, Loose>,
    payload: JSON.parse(Buffer.from(raw[1]!, 'base64url').toString('utf8')) as Record<string, Loose>,
    raw,
  };
}

/** The same header and signature over a changed payload. */
export function alterJwsPayload(jws: string, change: (p: Record<string, Loose>) => void): string {
  const [first, ...rest] = jws.split('~');
  const d = decodeJws(first!);
  change(d.payload);
  const out = `${d.raw[0]}.${b64u(JSON.stringify(d.payload))}.${d.raw[2]}`;
  return rest.length ? [out, ...rest].join('~') : out;
}

/** An SD-JWT's disclosures, decoded: [salt, name, value] (or [salt, value] in arrays). */
export function disclosuresOf(sdJwt: string): Array<{ encoded: string; salt: string; name?: string; value: unknown }> {
  const parts = sdJwt.split('~');
  return parts
    .slice(1, -1)
    .filter((d) => d !== '')
    .map((encoded) => {
      const arr = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown[];
      return arr.length === 3
        ? { encoded, salt: arr[0] as string, name: arr[1] as string, value: arr[2] }
        : { encoded, salt: arr[0] as string, value: arr[1] };
    });
}

/** What a holder shows of an issued credential (see Issued.presentation). */
export function shownOf(issued: { format: Format; credential: string }): string {
  return issued.format === 'dc+sd-jwt' ? withoutCommitment(issued.credential) : issued.credential;
}

/**
 * An issued SD-JWT as a presentation of everything but the holder's ledger commitment (salt,
 * ref), which no presentation may disclose: what "showing the whole credential" means.
 */
export function withoutCommitment(sdJwt: string): string {
  return presentWith(sdJwt, (d) => d.name !== 'salt' && d.name !== 'ref');
}

/** An SD-JWT presentation keeping only the disclosures `keep` accepts (ends with `~`, no KB-JWT). */
export function presentWith(sdJwt: string, keep: (d: { name?: string; value: unknown }) => boolean): string {
  const issuerJwt = sdJwt.split('~')[0]!;
  const kept = disclosuresOf(sdJwt)
    .filter(keep)
    .map((d) => d.encoded);
  return `${issuerJwt}~${kept.map((d) => `${d}~`).join('')}`;
}

/** A disclosure the issuer never made. */
export function forgedDisclosure(name: string, value: unknown): string {
  return b64u(JSON.stringify([b64u(Buffer.from(Math.random().toString(36))), name, value]));
}
