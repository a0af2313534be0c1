/**
 * Presentation requests (OpenID4VP 1.0, cross-device): a verifier asks for what a job needs;
 * the gateway makes a one-time nonce (a verifier challenge whose `aud` is the Client
 * Identifier), signs the request object, and serves it at a short `request_uri` the verifier
 * page shows as a QR code; the worker's wallet answers at the `response_uri` (direct_post);
 * the verifier reads the outcome.
 *
 * A request is kept in the store until a while after it expires: any gateway sharing the
 * store serves its request object, takes the wallet's answer and shows the verifier the
 * outcome, so gateways side by side behind one address need no routing by request. Its
 * nonce is kept (and used, once, atomically) in the store like any challenge, so a replayed
 * answer is refused even after a restart; the answer is recorded once, atomically, and
 * sealed, since it holds what the worker disclosed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CompactSign } from 'jose';
import type { DcqlQuery, PresentationPreset } from '@anxin/schemas';
import type { Principal, StoredPresentationRequest } from '../../ports/store';
import type { VerificationReport } from '../../verify';
import type { Services } from '../context';
import { CHALLENGE_TTL_S } from '../nonces';
import type { PublicKeyInfo } from '../keystore';
import { clientIdOf, verifierKid } from './client-id';
import { JOB_PRESETS, dcqlOfPreset, labelOf, type JobPreset } from './presets';

/** The `typ` of a request object (RFC 9101; OpenID4VP 1.0 §5). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
/** `aud` of a request object when the wallet is not known beforehand (OpenID4VP 1.0 §5.8). */
export const STATIC_DISCOVERY_AUD = 'https://self-issued.me/v2';
/** The `verifier_info` format naming the verifier as the gateway registered it (its API key's principal). */
export const REGISTERED_VERIFIER_FORMAT = 'anxin_registered_verifier';
/** How many requests may wait for an answer at once: a flood of requests cannot fill the store. */
export const MAX_PENDING = 10_000;

/** A field asked for, in plain words. */
export interface AskedField {
  credential: string;
  path: string[];
  label_zh: string;
  label_en: string;
}

export type PresentationRequestStatus = 'pending' | 'verified' | 'failed' | 'declined' | 'expired';

/** The outcome of one credential query: its report, and the claims it should have disclosed but did not. */
export interface AnsweredCredential {
  report: VerificationReport;
  /** The asked claims (`group.member`) the presentation did not disclose. */
  missing: string[];
  /** `wrong_type` (not the type the query asks for), `holder_binding_required` (no key-binding JWT answered the request). */
  problems?: string[];
}

export interface PresentationOutcome {
  verified: boolean;
  answeredAt: string;
  /** By credential query id. */
  credentials: Record<string, AnsweredCredential>;
  /** Why it failed as a whole, when no report says it: `error` codes of OAuth or of this gateway. */
  error?: { code: string; detail: string };
}

export interface PresentationRequestRecord {
  id: string;
  verifier: Principal;
  /** The name the verifier is registered under: the label the administrator gave its API key, else its id. */
  verifierName: string;
  preset?: PresentationPreset;
  job: { zh: string; en: string };
  dcql: DcqlQuery;
  fields: AskedField[];
  nonce: string;
  state: string;
  clientId: string;
  createdAt: string;
  expiresAt: string;
  /** Set once: the wallet's answer, judged. */
  outcome?: PresentationOutcome;
  declined?: { error: string; at: string };
}

/** What the verifier gets back on creating a request. */
export interface CreatedRequest {
  id: string;
  request_uri: string;
  client_id: string;
  link: string;
  walletLink: string;
  expiresAt: string;
}

function random(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The fields of a DCQL query, each in plain words. */
function fieldsOf(dcql: DcqlQuery, preset?: JobPreset): AskedField[] {
  return dcql.credentials.flatMap((c) =>
    c.claims.map((claim) => {
      const known = preset?.credentials
        .find((p) => p.id === c.id)
        ?.fields.find((f) => f.path.join('.') === claim.path.join('.'));
      const label = known ? { zh: known.zh, en: known.en } : labelOf(claim.path);
      return { credential: c.id, path: [...claim.path], label_zh: label.zh, label_en: label.en };
    }),
  );
}

/** What the store keeps of a request besides its id, verifier and instants (see StoredPresentationRequest). */
type Asked = Pick<
  PresentationRequestRecord,
  'verifierName' | 'preset' | 'job' | 'dcql' | 'fields' | 'nonce' | 'state' | 'clientId'
>;

/** The wallet's answer as the store keeps it, sealed: the judged outcome, or the refusal. */
type Answer = { outcome: PresentationOutcome } | { declined: { error: string; at: string } };

/** The associated data an answer is sealed under: it opens only as the answer of its own request. */
const answerAad = (id: string) => `presentation-request:${id}`;

export class PresentationRequests {
  constructor(private readonly s: Services) {}

  /** The URL of a request object, and of the endpoint its answer is posted to. */
  requestUri(id: string): string {
    return `${this.s.publicUrl}/oid4vp/requests/${id}`;
  }
  responseUri(id: string): string {
    return `${this.s.publicUrl}/oid4vp/responses/${id}`;
  }

  /**
   * A new request of `verifier`'s: a preset or a DCQL query of its own; its nonce recorded
   * in the store as a challenge of this verifier's, addressed to the Client Identifier.
   *
   * @example
   * const r = await requests.create(principal, { preset: 'food_service_shift' });
   * // r.link: 'openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3A…&request_uri=https%3A%2F%2F…'
   */
  async create(
    verifier: Principal,
    asked: { preset?: PresentationPreset; dcql?: DcqlQuery },
    verifierName = verifier.id,
  ): Promise<CreatedRequest> {
    const now = this.s.now();
    const preset = asked.preset ? JOB_PRESETS[asked.preset] : undefined;
    const dcql = preset ? dcqlOfPreset(this.s.publicUrl, preset) : asked.dcql!;
    const clientId = clientIdOf(this.s.publicUrl);
    const record: PresentationRequestRecord = {
      id: random(16),
      verifier,
      verifierName,
      ...(preset ? { preset: preset.id } : {}),
      job: preset ? { ...preset.label } : { zh: '核验', en: 'Check' },
      dcql,
      fields: fieldsOf(dcql, preset),
      nonce: random(24),
      state: random(16),
      clientId,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_S * 1000).toISOString(),
    };
    await this.s.store.putNonce({
      nonce: record.nonce,
      purpose: 'challenge',
      principal: `${verifier.type}:${verifier.id}`,
      aud: clientId,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
    });
    const { id, createdAt, expiresAt, verifier: _v, ...rest } = record;
    await this.s.store.putPresentationRequest({
      id,
      verifier: { type: verifier.type, id: verifier.id },
      request: rest as Asked as unknown as Record<string, unknown>,
      createdAt,
      expiresAt,
    });
    const requestUri = this.requestUri(record.id);
    const q = `client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(requestUri)}`;
    return {
      id: record.id,
      request_uri: requestUri,
      client_id: clientId,
      link: `openid4vp://?${q}`,
      walletLink: `${this.s.publicUrl}/wallet#request=${encodeURIComponent(requestUri)}&client_id=${encodeURIComponent(clientId)}`,
      expiresAt: record.expiresAt,
    };
  }

  /** Whether no new request fits: MAX_PENDING requests wait for an answer already. */
  async isFull(): Promise<boolean> {
    return (await this.s.store.countPendingPresentationRequests(this.s.now().toISOString())) >= MAX_PENDING;
  }

  /**
   * A request by id, while it lives: until CHALLENGE_TTL_S after its expiry (the store
   * deletes it later, on its own schedule), with its answer opened.
   */
  async get(id: string): Promise<PresentationRequestRecord | undefined> {
    const stored = await this.s.store.getPresentationRequest(id);
    if (!stored || Date.parse(stored.expiresAt) + CHALLENGE_TTL_S * 1000 <= this.s.now().getTime()) return undefined;
    return this.recordOf(stored);
  }

  /** A request of this verifier's; undefined for another's (whose existence is not told). */
  async getOwn(id: string, verifier: Principal): Promise<PresentationRequestRecord | undefined> {
    const r = await this.get(id);
    return r && r.verifier.type === verifier.type && r.verifier.id === verifier.id ? r : undefined;
  }

  /**
   * Record the wallet's answer (the judged outcome, or its refusal), sealed, once: false when
   * the request was answered already (on this gateway or another) or has expired.
   */
  async answer(r: PresentationRequestRecord, answer: Answer): Promise<boolean> {
    const answeredAt = 'outcome' in answer ? answer.outcome.answeredAt : answer.declined.at;
    const recorded = await this.s.store.answerPresentationRequest(r.id, {
      answeredAt,
      answer: this.s.kek.seal(JSON.stringify(answer), answerAad(r.id)),
    });
    if (recorded) Object.assign(r, answer);
    return recorded;
  }

  private recordOf(stored: StoredPresentationRequest): PresentationRequestRecord {
    const asked = stored.request as unknown as Asked;
    const answer = stored.answer
      ? (JSON.parse(this.s.kek.open(stored.answer, answerAad(stored.id)).toString('utf8')) as Answer)
      : undefined;
    return {
      id: stored.id,
      verifier: stored.verifier,
      ...asked,
      createdAt: stored.createdAt,
      expiresAt: stored.expiresAt,
      ...answer,
    };
  }

  /** Where a request stands. */
  statusOf(r: PresentationRequestRecord): PresentationRequestStatus {
    if (r.outcome) return r.outcome.verified ? 'verified' : 'failed';
    if (r.declined) return 'declined';
    return Date.parse(r.expiresAt) <= this.s.now().getTime() ? 'expired' : 'pending';
  }

  /** Whether `state` is the request's own (constant time). */
  stateMatches(r: PresentationRequestRecord, state: string): boolean {
    return sameText(r.state, state);
  }

  /** The gateway's signing key: the newest one in custody (the trust list's too). */
  private async key(): Promise<PublicKeyInfo> {
    const keys = await this.s.keys.list('gateway');
    return keys[keys.length - 1] ?? (await this.s.keys.create('gateway'));
  }

  /**
   * The signed request object (JAR, `typ: oauth-authz-req+jwt`), signed by the gateway's key
   * named as a DID URL of its verifier DID. `verifier_info` names the verifier as the
   * gateway registered it, and the job and fields in plain words, under this signature.
   */
  async requestObject(r: PresentationRequestRecord): Promise<string> {
    const key = await this.key();
    const signer = (await this.s.keys.signer(key.kid))!;
    const iat = Math.floor(this.s.now().getTime() / 1000);
    const payload = {
      aud: STATIC_DISCOVERY_AUD,
      iat,
      exp: Math.floor(Date.parse(r.expiresAt) / 1000),
      client_id: r.clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: this.responseUri(r.id),
      nonce: r.nonce,
      state: r.state,
      dcql_query: r.dcql,
      client_metadata: {
        vp_formats_supported: {
          'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256', 'EdDSA'], 'kb-jwt_alg_values': ['ES256', 'EdDSA'] },
        },
      },
      verifier_info: [
        {
          format: REGISTERED_VERIFIER_FORMAT,
          data: {
            verifier: { id: r.verifier.id, name: r.verifierName },
            registeredBy: this.s.publicUrl,
            job: r.job,
            fields: r.fields,
          },
        },
      ],
    };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signer.alg, typ: REQUEST_OBJECT_TYP, kid: verifierKid(this.s.publicUrl, key) })
      .sign(signer.privateKey);
  }
}
