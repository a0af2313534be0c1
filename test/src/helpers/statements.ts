/**
 * Statement builders for every kind, signing, and the hand-made JWS variants the
 * rejection tests need (altered payload, s-malleated signature, HS256, `none`, …).
 *
 * A builder returns the payload (without `jti`/`iat` unless given: signing fills them
 * in); `sign` turns it into the compact JWS the contract takes.
 *
 * @example
 * const jws = await sign(statements.revoke(issuer.owner, credentialId, 'fraud'), issuer.signer);
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { signStatement, type StatementBody, type StatementSigner } from '@anxin/chaincode/rules';
import {
  STATEMENT_TYP,
  type CredentialType,
  type IssuerKind,
  type SigningAlg,
  type StatementByKind,
  type StatementKind,
} from '@anxin/schemas';
import type { OwnedKey, PublicJwk } from './keys';

export type Body<K extends StatementKind> = StatementBody<K> & { kind: K };

/** A key as registerIssuer / addKey carry it. */
export interface NewKeySpec {
  keyId: string;
  alg: SigningAlg;
  publicJwk: PublicJwk;
  notBefore?: string;
}

/** The issuer part of a registerIssuer statement. */
export interface IssuerSpec {
  id: string;
  name: string;
  kind: IssuerKind;
  allowedTypes: CredentialType[];
  uscc: string;
}

/** What an anchor statement anchors. */
export interface AnchorSpec {
  id: string;
  type: CredentialType;
  kid: string;
  digest: string;
  holderRef: string;
  validFrom: string;
  validUntil?: string;
  statusEntry?: { list: string; idx: number };
  replaces?: string;
  supersede?: true;
}

type Envelope = { jti?: string; iat?: number };
type Reason<K extends 'revoke' | 'suspend' | 'reinstate'> = StatementByKind[K]['reason'];

/** Payload builders, one per statement kind. `extra` may set jti/iat. */
export const statements = {
  registerIssuer: (issuer: IssuerSpec, key: NewKeySpec, extra: Envelope = {}): Body<'registerIssuer'> =>
    ({ kind: 'registerIssuer', iss: 'registrar', issuer, key, ...extra }) as Body<'registerIssuer'>,

  updateIssuer: (
    issuerId: string,
    changes: {
      name?: string;
      allowedTypes?: CredentialType[];
      status?: 'active' | 'suspended' | 'revoked';
      revokedSince?: string;
    },
    extra: Envelope = {},
  ): Body<'updateIssuer'> =>
    ({ kind: 'updateIssuer', iss: 'registrar', issuerId, changes, ...extra }) as Body<'updateIssuer'>,

  addKey: (issuerId: string, key: NewKeySpec, extra: Envelope = {}): Body<'addKey'> =>
    ({ kind: 'addKey', iss: 'registrar', issuerId, key, ...extra }) as Body<'addKey'>,

  retireKey: (issuerId: string, keyId: string, extra: Envelope = {}): Body<'retireKey'> =>
    ({ kind: 'retireKey', iss: 'registrar', issuerId, keyId, ...extra }) as Body<'retireKey'>,

  revokeKey: (issuerId: string, keyId: string, compromisedSince: string, extra: Envelope = {}): Body<'revokeKey'> =>
    ({ kind: 'revokeKey', iss: 'registrar', issuerId, keyId, compromisedSince, ...extra }) as Body<'revokeKey'>,

  rotateRegistrar: (change: { add?: NewKeySpec; retire?: string }, extra: Envelope = {}): Body<'rotateRegistrar'> =>
    ({ kind: 'rotateRegistrar', iss: 'registrar', ...change, ...extra }) as Body<'rotateRegistrar'>,

  anchor: (iss: string, anchor: AnchorSpec, extra: Envelope = {}): Body<'anchor'> =>
    ({ kind: 'anchor', iss, anchor, ...extra }) as Body<'anchor'>,

  revoke: (
    iss: string,
    credentialId: string,
    reason: Reason<'revoke'> = 're_examination_failed',
    extra: Envelope = {},
  ): Body<'revoke'> => ({ kind: 'revoke', iss, credentialId, reason, ...extra }) as Body<'revoke'>,

  suspend: (
    iss: string,
    credentialId: string,
    reason: Reason<'suspend'> = 're_examination_pending',
    extra: Envelope = {},
  ): Body<'suspend'> => ({ kind: 'suspend', iss, credentialId, reason, ...extra }) as Body<'suspend'>,

  reinstate: (
    iss: string,
    credentialId: string,
    reason: Reason<'reinstate'> = 're_examination_passed',
    extra: Envelope = {},
  ): Body<'reinstate'> => ({ kind: 'reinstate', iss, credentialId, reason, ...extra }) as Body<'reinstate'>,
};

/** Sign a statement body as a compact JWS (jti and iat filled in when absent). */
export function sign<K extends StatementKind>(body: Body<K>, signer: StatementSigner | OwnedKey): Promise<string> {
  const s: StatementSigner = 'signer' in signer ? signer.signer : signer;
  return signStatement(body, s);
}

// ---------------------------------------------------------------- credentials (what anchors point at)

let slugCounter = 0;

/** The issuer kind that naturally issues each type (the first of its kinds). */
export const KIND_OF_TYPE: Record<CredentialType, IssuerKind> = {
  HealthCertificate: 'health_authority',
  SkillCertificate: 'training_body',
  LaborContract: 'platform',
};

/**
 * The USCC an issuer of each kind registers with: the one the schemas' first example subjects
 * name (the health authority, the certifying body, the platform and the employer of a contract).
 */
export const USCC_OF_KIND: Record<IssuerKind, string> = {
  health_authority: '12510107MB1H27435B',
  training_body: '52510100MJP60721XR',
  platform: '91510100MA62T8RW59',
  employer: '91510107MA6CK3PQ12',
};

/**
 * A fresh issuer description: id `urn:anxin:issuer:<slug>`, a realistic organisation name,
 * the kind that issues its first type, and that kind's example USCC.
 */
export function issuerSpec(opts: Partial<IssuerSpec> & { slug?: string } = {}): IssuerSpec {
  const slug = opts.slug ?? `test-org-${process.pid}-${++slugCounter}-${randomBytes(3).toString('hex')}`;
  const allowedTypes = opts.allowedTypes ?? ['HealthCertificate'];
  const kind = opts.kind ?? KIND_OF_TYPE[allowedTypes[0] ?? 'HealthCertificate'];
  return {
    id: opts.id ?? `urn:anxin:issuer:${slug}`,
    name: opts.name ?? '成都市武侯区疾病预防控制中心',
    kind,
    allowedTypes,
    uscc: opts.uscc ?? USCC_OF_KIND[kind],
  };
}

/** A fresh credential id (lowercase urn:uuid). */
export function newCredentialId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** base64url(sha-256(salt || holder id)), as DESIGN.md defines holderRef. */
export function holderRefOf(salt: Uint8Array, holderId: string): string {
  return createHash('sha256').update(salt).update(holderId, 'utf8').digest('base64url');
}

/** sha-256 lowercase hex of a string (the digest of a credential's JWS). */
export function digestOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * An anchor for a credential signed by `key` (kid) of type `type`: fresh id, digest and
 * holderRef, valid from now for a year unless told otherwise.
 */
export function anchorSpec(key: { kid: string }, opts: Partial<AnchorSpec> = {}): AnchorSpec {
  const from = opts.validFrom ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const until =
    'validUntil' in opts
      ? opts.validUntil
      : new Date(Date.parse(from) + 365 * 24 * 3600 * 1000).toISOString().replace('.000Z', 'Z');
  return {
    id: opts.id ?? newCredentialId(),
    type: opts.type ?? 'HealthCertificate',
    kid: opts.kid ?? key.kid,
    digest: opts.digest ?? randomBytes(32).toString('hex'),
    holderRef: opts.holderRef ?? holderRefOf(randomBytes(16), '510107199003078817'),
    validFrom: from,
    ...(until ? { validUntil: until } : {}),
    ...(opts.statusEntry ? { statusEntry: opts.statusEntry } : {}),
    ...(opts.replaces ? { replaces: opts.replaces } : {}),
    ...(opts.supersede ? { supersede: opts.supersede } : {}),
  };
}

// ---------------------------------------------------------------- hand-made JWS

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** The three parts of a compact JWS. */
export function parts(jws: string): {
  header: Record<string, unknown>;
  payload: Buffer;
  signature: Buffer;
  raw: string[];
} {
  const raw = jws.split('.');
  return {
    header: JSON.parse(Buffer.from(raw[0]!, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: Buffer.from(raw[1]!, 'base64url'),
    signature: Buffer.from(raw[2] ?? '', 'base64url'),
    raw,
  };
}

/** The decoded JSON payload of a statement. */
export function payloadOf(jws: string): Record<string, unknown> {
  return JSON.parse(parts(jws).payload.toString('utf8')) as Record<string, unknown>;
}

/** A JWS with the same header and signature but a changed payload (signature no longer covers it). */
export function alterPayload(jws: string, change: (p: Record<string, unknown>) => void): string {
  const p = parts(jws);
  const payload = JSON.parse(p.payload.toString('utf8')) as Record<string, unknown>;
  change(payload);
  return `${p.raw[0]}.${b64u(JSON.stringify(payload))}.${p.raw[2]}`;
}

/** Sign arbitrary header and payload bytes with a real key (for malformed-but-signed statements). */
export async function signRaw(
  header: Record<string, unknown>,
  payload: string | Uint8Array,
  key: OwnedKey,
): Promise<string> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
}

/** The statement header the contract expects, for `signRaw`. */
export function headerFor(key: { kid: string; alg: string }): Record<string, unknown> {
  return { alg: key.alg, kid: key.kid, typ: STATEMENT_TYP };
}

/** A full statement payload (jti and iat set) for `signRaw`. */
export function withEnvelope(body: object, iat = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { jti: randomUUID(), iat, ...body };
}

/** An HS256 JWS built by hand (jose would refuse to make a statement of it). */
export function hs256Jws(header: Record<string, unknown>, payload: object, secret: Uint8Array): string {
  const input = `${b64u(JSON.stringify({ ...header, alg: 'HS256' }))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsecured JWS (`alg: none`), with an empty signature as RFC 7515 writes it, or a given one. */
export function noneJws(header: Record<string, unknown>, payload: object, signature = ''): string {
  return `${b64u(JSON.stringify({ ...header, alg: 'none' }))}.${b64u(JSON.stringify(payload))}.${signature}`;
}

/** Order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * The same ES256 JWS with its signature s-malleated (s → n − s): a different string that
 * still verifies over the same header and payload.
 */
export function malleate(jws: string): string {
  const p = parts(jws);
  if (p.header['alg'] !== 'ES256' || p.signature.length !== 64) throw new Error('malleate: ES256 only');
  const s = BigInt(`0x${p.signature.subarray(32).toString('hex')}`);
  const s2 = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return `${p.raw[0]}.${p.raw[1]}.${b64u(Buffer.concat([p.signature.subarray(0, 32), s2]))}`;
}

/** The same header and payload bytes signed again (ECDSA is randomised: a new JWS string). */
export async function resign(jws: string, key: OwnedKey): Promise<string> {
  const p = parts(jws);
  return new CompactSign(p.payload).setProtectedHeader(p.header as { alg: string }).sign(key.privateKey);
}
