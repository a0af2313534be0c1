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
import type { JsonWebKey } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Logger } from 'pino';
import { loadConfig, startGateway, type RunningGateway } from '@anxin/gateway';
import type { Services } from '@anxin/gateway/server';
import type { CredentialType, IssuerKind, IssuerRecord } from '@anxin/schemas';
import { holderProofJwt } from '@anxin/gateway/workcard';
import { USCC_OF_KIND } from '../statements';
import { tempDir } from '../tmp';
import { anchorWriteKeys, ledgerHeight } from './blocks';
import { KIND_FOR_TYPE } from './examples';
import type { Report } from './expect';
import { apiRequest, type ApiOptions, type ApiResponse, type Loose } from './http';
import { issueBody, type IssueOptions, type Issued, type RegisteredIssuer } from './issuing';
import { fabricEnv, type TestLedger } from './ledgers';
import { shownOf } from './surgery';

export interface StartOptions {
  /** Extra environment (ANXIN_RATE_LIMIT, ANXIN_BODY_LIMIT, ...). */
  env?: Record<string, string>;
  logger?: Logger;
  /** The ledger under the gateway: the embedded one (default), or the shared test Fabric network. */
  ledger?: TestLedger;
  /** Called with the (still empty) data directory before the gateway starts, e.g. to create its ledger. */
  beforeStart?: (dataDir: string) => Promise<void> | void;
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
  api<T = Loose>(method: string, path: string, opts: ApiOptions = {}): Promise<ApiResponse<T>> {
    return apiRequest<T>(this.url, method, path, opts);
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
    return issueBody(type, opts);
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
  height(): Promise<number> {
    return ledgerHeight((m, p, o) => this.api(m, p, o));
  }

  /**
   * Valid transactions on the ledger (from block `from`) that wrote the anchor of
   * `credentialId` by an `anchor` call: how many times it was anchored.
   */
  async anchorWrites(credentialId: string, from = 0): Promise<number> {
    const keys = await anchorWriteKeys((m, p, o) => this.api(m, p, o), from);
    return keys.filter((k) => k === `/anchor/${credentialId}/`).length;
  }

  /** Every valid `anchor` transaction from block `from` on, by credential id. */
  async anchoredIds(from = 0): Promise<string[]> {
    return (await anchorWriteKeys((m, p, o) => this.api(m, p, o), from)).map((k) => k.slice(8, -1));
  }
}
