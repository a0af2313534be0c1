/**
 * Registrar statements: issuers and their keys. Each is verified against the registrar
 * keys valid at the transaction time (fixed at initialisation, rotated by rotateRegistrar:
 * ./registrar). An issuer's kind decides the types it may ever be allowed.
 */
import {
  typesOutsideKind,
  type CredentialType,
  type IssuerKeyRecord,
  type IssuerKind,
  type IssuerRecord,
} from '@anxin/schemas';
import { Rejection } from '../errors';
import { checkNewKey } from '../keys';
import type { LedgerState, TxContext } from '../state';
import { verifyStatement } from '../verify';
import type { Effect } from './effect';

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

async function existing(state: LedgerState, id: string): Promise<IssuerRecord> {
  const issuer = await state.getIssuer(id);
  if (!issuer) throw new Rejection('ISSUER_UNKNOWN', `no issuer ${id}`);
  return issuer;
}

function summary(issuer: IssuerRecord) {
  return {
    issuerId: issuer.id,
    status: issuer.status,
    allowedTypes: issuer.allowedTypes,
    ...(issuer.revokedSince ? { revokedSince: issuer.revokedSince } : {}),
  };
}

/** Refuse types an issuer of this kind may never issue (a clinic is no employer). */
function checkKindTypes(kind: IssuerKind, types: readonly CredentialType[]): void {
  const outside = typesOutsideKind(kind, types);
  if (outside.length) {
    throw new Rejection('TYPE_NOT_FOR_KIND', `an issuer of kind ${kind} may never issue ${outside.join(', ')}`);
  }
}

const iso = (t: string) => new Date(Date.parse(t)).toISOString();

export async function registerIssuer(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<IssuerRecord>> {
  const { payload } = await verifyStatement(state, jws, 'registerIssuer', tx);
  if (await state.getIssuer(payload.issuer.id))
    throw new Rejection('ISSUER_EXISTS', `issuer ${payload.issuer.id} exists`);
  checkKindTypes(payload.issuer.kind, payload.issuer.allowedTypes);
  await checkNewKey(payload.key);
  const key: IssuerKeyRecord = {
    keyId: payload.key.keyId,
    kid: `${payload.issuer.id}#${payload.key.keyId}`,
    alg: payload.key.alg,
    publicJwk: payload.key.publicJwk,
    // A key cannot have signed anything before the ledger knew it: no back-dating.
    notBefore: payload.key.notBefore ? later(payload.key.notBefore, tx.time) : tx.time,
  };
  const issuer: IssuerRecord = {
    id: payload.issuer.id,
    name: payload.issuer.name,
    kind: payload.issuer.kind,
    uscc: payload.issuer.uscc,
    allowedTypes: [...payload.issuer.allowedTypes],
    status: 'active',
    keys: [key],
    registeredAt: tx.time,
    updatedAt: tx.time,
  };
  await state.putIssuer(issuer);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return { result: issuer, event: { name: 'IssuerRegistered', payload: { ...summary(issuer), kid: key.kid } } };
}

/**
 * The issuer's standing after a status change. Suspending records when (what it anchored
 * before stays valid); revoking records the instant from which what it anchored fails.
 */
function withStatus(
  issuer: IssuerRecord,
  status: IssuerRecord['status'],
  revokedSince: string | undefined,
  tx: TxContext,
) {
  const { suspendedAt, revokedSince: _previous, ...rest } = issuer;
  void _previous;
  switch (status) {
    case 'active':
      return { ...rest, status };
    case 'suspended':
      return { ...rest, status, suspendedAt: issuer.status === 'suspended' && suspendedAt ? suspendedAt : tx.time };
    case 'revoked':
      return { ...rest, status, revokedSince: iso(revokedSince!) };
  }
}

export async function updateIssuer(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<IssuerRecord>> {
  const { payload } = await verifyStatement(state, jws, 'updateIssuer', tx);
  const changes = payload.changes;
  // Like a compromised key: the instant may be in the past (what was found out late), never in the future.
  if (changes.revokedSince !== undefined && Date.parse(changes.revokedSince) > Date.parse(tx.time)) {
    throw new Rejection('INVALID_TIME', 'revokedSince is in the future');
  }
  const issuer = await existing(state, payload.issuerId);
  if (issuer.status === 'revoked') {
    // Revoked for good; revoking again may only move the instant earlier (more turned out void).
    const earlier =
      changes.status === 'revoked' &&
      changes.name === undefined &&
      changes.allowedTypes === undefined &&
      Date.parse(changes.revokedSince!) < Date.parse(issuer.revokedSince ?? tx.time);
    if (!earlier) {
      throw new Rejection(
        'INVALID_TRANSITION',
        `issuer ${issuer.id} is revoked for good${issuer.revokedSince ? ` (since ${issuer.revokedSince})` : ''}`,
      );
    }
  }
  if (changes.allowedTypes) checkKindTypes(issuer.kind, changes.allowedTypes);
  const renamed: IssuerRecord = {
    ...issuer,
    ...(changes.name ? { name: changes.name } : {}),
    ...(changes.allowedTypes ? { allowedTypes: [...changes.allowedTypes] } : {}),
  };
  const updated: IssuerRecord = {
    ...(changes.status ? withStatus(renamed, changes.status, changes.revokedSince, tx) : renamed),
    updatedAt: tx.time,
  };
  await state.putIssuer(updated);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return { result: updated, event: { name: 'IssuerUpdated', payload: summary(updated) } };
}

export async function addKey(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<IssuerRecord>> {
  const { payload } = await verifyStatement(state, jws, 'addKey', tx);
  const issuer = await existing(state, payload.issuerId);
  if (issuer.status === 'revoked') throw new Rejection('ISSUER_NOT_ACTIVE', `issuer ${issuer.id} is revoked`);
  await checkNewKey(payload.key);
  if (issuer.keys.some((k) => k.keyId === payload.key.keyId)) {
    throw new Rejection('KEY_EXISTS', `issuer ${issuer.id} already has key ${payload.key.keyId}`);
  }
  const key: IssuerKeyRecord = {
    keyId: payload.key.keyId,
    kid: `${issuer.id}#${payload.key.keyId}`,
    alg: payload.key.alg,
    publicJwk: payload.key.publicJwk,
    notBefore: payload.key.notBefore ? later(payload.key.notBefore, tx.time) : tx.time,
  };
  const updated: IssuerRecord = { ...issuer, keys: [...issuer.keys, key], updatedAt: tx.time };
  await state.putIssuer(updated);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return { result: updated, event: { name: 'IssuerKeyAdded', payload: { issuerId: issuer.id, kid: key.kid } } };
}

function withKey(issuer: IssuerRecord, keyId: string, change: (k: IssuerKeyRecord) => IssuerKeyRecord): IssuerRecord {
  const i = issuer.keys.findIndex((k) => k.keyId === keyId);
  if (i < 0) throw new Rejection('UNKNOWN_KEY', `issuer ${issuer.id} has no key ${keyId}`);
  const keys = [...issuer.keys];
  keys[i] = change(keys[i]!);
  return { ...issuer, keys };
}

export async function retireKey(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<IssuerRecord>> {
  const { payload } = await verifyStatement(state, jws, 'retireKey', tx);
  const issuer = await existing(state, payload.issuerId);
  const updated = withKey(issuer, payload.keyId, (k) => {
    if (k.retiredAt) throw new Rejection('INVALID_TRANSITION', `key ${k.kid} was retired at ${k.retiredAt}`);
    return { ...k, retiredAt: tx.time };
  });
  updated.updatedAt = tx.time;
  await state.putIssuer(updated);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return {
    result: updated,
    event: {
      name: 'IssuerKeyRetired',
      payload: { issuerId: issuer.id, kid: `${issuer.id}#${payload.keyId}`, retiredAt: tx.time },
    },
  };
}

export async function revokeKey(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<IssuerRecord>> {
  const { payload } = await verifyStatement(state, jws, 'revokeKey', tx);
  if (Date.parse(payload.compromisedSince) > Date.parse(tx.time)) {
    throw new Rejection('INVALID_TIME', 'compromisedSince is in the future');
  }
  const issuer = await existing(state, payload.issuerId);
  const updated = withKey(issuer, payload.keyId, (k) => {
    if (k.revokedAt && Date.parse(k.revokedAt) <= Date.parse(payload.compromisedSince)) {
      throw new Rejection('INVALID_TRANSITION', `key ${k.kid} is compromised since ${k.revokedAt} already`);
    }
    return { ...k, revokedAt: new Date(Date.parse(payload.compromisedSince)).toISOString() };
  });
  updated.updatedAt = tx.time;
  await state.putIssuer(updated);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  const key = updated.keys.find((k) => k.keyId === payload.keyId)!;
  return {
    result: updated,
    event: { name: 'IssuerKeyRevoked', payload: { issuerId: issuer.id, kid: key.kid, revokedAt: key.revokedAt } },
  };
}
