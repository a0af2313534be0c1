/**
 * Between the port's records and the MongoDB store's documents: what is written (only
 * defined fields; instants also as BSON dates where the store filters or sorts on them)
 * and what is read back (without `_id`, without absent optional fields, so records
 * deep-equal what was written).
 */
import type {
  ApiKeyRecord,
  CredentialRecord,
  CustodialKeyRecord,
  IdempotencyRecord,
  IssuerProjection,
  NonceRecord,
  NotificationRecord,
  Principal,
  Sealed,
} from '../../../ports/store';
import type {
  ApiKeyDoc,
  CredentialDoc,
  CustodialKeyDoc,
  IdempotencyDoc,
  IssuerDoc,
  NonceDoc,
  NotificationDoc,
} from './models';

/** `$set` the defined fields, `$unset` the undefined ones: a whole-document upsert through updateOne. */
export function setUnset(doc: Record<string, unknown>): { $set: Record<string, unknown>; $unset?: Record<string, 1> } {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) $unset[k] = 1;
    else $set[k] = v;
  }
  return Object.keys($unset).length ? { $set, $unset } : { $set };
}

/** Plain copy without MongoDB's `_id` and without absent (null/undefined) optional fields. */
export function clean<T extends object>(doc: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (k !== '_id' && v !== undefined && v !== null) out[k] = v;
  return out as T;
}

export const sameSealed = (s: Sealed): Sealed => ({ iv: s.iv, ct: s.ct, tag: s.tag, kek: s.kek });

export function instant(s: string, what: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new TypeError(`store: ${what} is not an RFC 3339 instant: ${JSON.stringify(s)}`);
  return d;
}

export function notificationDoc(n: NotificationRecord): NotificationDoc {
  return clean({
    ...n,
    nextAttemptTime: instant(n.nextAttemptAt, 'next attempt time'),
    createdTime: instant(n.createdAt, 'notification time'),
  });
}

export function withoutId(d: NotificationDoc): Omit<NotificationDoc, 'id'> {
  const { id: _id, ...rest } = d;
  return rest;
}

export function notificationOf(d: NotificationDoc): NotificationRecord {
  const { nextAttemptTime: _next, createdTime: _created, leaseOwner: _owner, ...rest } = clean(d);
  return rest;
}

export function credentialDoc(r: CredentialRecord): CredentialDoc {
  return {
    id: r.id,
    issuer: r.issuer,
    type: r.type,
    format: r.format,
    sealed: sameSealed(r.sealed),
    digest: r.digest,
    anchorStatement: r.anchorStatement,
    state: r.state,
    anchor: r.anchor && { txId: r.anchor.txId, block: r.anchor.block, anchoredAt: r.anchor.anchoredAt },
    createdAt: r.createdAt,
    idempotencyKey: r.idempotencyKey,
    holderJkt: r.holderJkt,
  };
}

export function apiKeyFromDoc(d: ApiKeyDoc): ApiKeyRecord {
  return clean<ApiKeyRecord>({
    id: d.id,
    hash: d.hash,
    principal: { type: d.principalType as Principal['type'], id: d.principalId },
    scopes: [...d.scopes] as ApiKeyRecord['scopes'],
    label: d.label,
    createdAt: d.createdAt,
    revokedAt: d.revokedAt,
  });
}

export function custodialKeyFromDoc(d: CustodialKeyDoc): CustodialKeyRecord {
  return {
    kid: d.kid,
    owner: d.owner,
    alg: d.alg as CustodialKeyRecord['alg'],
    publicJwk: d.publicJwk,
    sealed: sameSealed(d.sealed),
    createdAt: d.createdAt,
  };
}

export function credentialFromDoc(d: CredentialDoc): CredentialRecord {
  return clean<CredentialRecord>({
    id: d.id,
    issuer: d.issuer,
    type: d.type as CredentialRecord['type'],
    format: d.format as CredentialRecord['format'],
    sealed: sameSealed(d.sealed),
    digest: d.digest,
    anchorStatement: d.anchorStatement,
    state: d.state as CredentialRecord['state'],
    anchor: d.anchor && { txId: d.anchor.txId, block: d.anchor.block, anchoredAt: d.anchor.anchoredAt },
    createdAt: d.createdAt,
    idempotencyKey: d.idempotencyKey,
    holderJkt: d.holderJkt,
  });
}

export function idempotencyFromDoc(d: IdempotencyDoc): IdempotencyRecord {
  return clean<IdempotencyRecord>({
    principal: d.principal,
    key: d.key,
    requestHash: d.requestHash,
    response: d.response && { status: d.response.status, body: JSON.parse(d.response.body) },
    resource: d.resource,
    createdAt: d.createdAt,
    leaseUntil: d.leaseUntil,
  });
}

export function nonceFromDoc(d: NonceDoc): NonceRecord {
  return clean<NonceRecord>({
    nonce: d.nonce,
    purpose: d.purpose as NonceRecord['purpose'],
    principal: d.principal,
    aud: d.aud,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
    usedAt: d.usedAt,
  });
}

export function issuerFromDoc(d: IssuerDoc): IssuerProjection {
  return {
    issuer: d.record as unknown as IssuerProjection['issuer'],
    updatedBlock: d.updatedBlock,
    updatedTx: d.updatedTx,
  };
}
