/**
 * Issuer registration and key management, each signed by the registrar key in custody
 * and anchored on the ledger.
 */
import { randomBytes } from 'node:crypto';
import { signStatement } from '@anxin/chaincode/rules';
import {
  typesOutsideKind,
  type CreateIssuerRequest,
  type CredentialType,
  type IssuerKind,
  type IssuerRecord,
  type SigningAlg,
  type UpdateIssuerRequest,
} from '@anxin/schemas';
import { generateApiKey } from '../crypto/apikeys';
import { DomainError } from '../errors';
import type { Services } from './context';
import { registrarSigner } from './registrar';

function randomSlug(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
}

export async function issuerOrThrow(s: Services, id: string): Promise<IssuerRecord> {
  const issuer = s.projection.issuers.get(id) ?? (await s.ledgerClient.getIssuer(id));
  if (!issuer) throw new DomainError('not_found', `no issuer ${id}`);
  return issuer;
}

/** Refuse, before the ledger does, types an issuer of `kind` may never issue. */
function checkKindTypes(kind: IssuerKind, types: readonly CredentialType[]): void {
  const outside = typesOutsideKind(kind, types);
  if (!outside.length) return;
  throw new DomainError('type_not_for_kind', `an issuer of kind ${kind} may never issue ${outside.join(', ')}`, {
    errors: outside.map((t) => ({
      field: `/allowedTypes/${types.indexOf(t)}`,
      code: 'typeNotForKind',
      message: `an issuer of kind ${kind} may never issue ${t}`,
    })),
  });
}

/**
 * Register an issuer: a custodial signing key, the registrar-signed statement on the
 * ledger, and an API key (issue, revoke) shown once.
 */
export async function registerIssuer(
  s: Services,
  body: CreateIssuerRequest,
): Promise<{ issuer: IssuerRecord; apiKey: string }> {
  checkKindTypes(body.kind, body.allowedTypes);
  const id = `urn:anxin:issuer:${body.slug ?? randomSlug()}`;
  if (s.projection.issuers.has(id)) throw new DomainError('issuer_exists', `issuer ${id} exists`);
  const registrar = await registrarSigner(s);
  const key = await s.keys.create(id);
  const jws = await signStatement(
    {
      kind: 'registerIssuer',
      iss: 'registrar',
      issuer: {
        id,
        name: body.name,
        kind: body.kind,
        allowedTypes: [...body.allowedTypes],
        uscc: body.uscc,
      },
      key: { keyId: key.keyId, alg: key.alg, publicJwk: key.publicJwk as never },
    },
    registrar,
  );
  const committed = await s.ledgerClient.submit<IssuerRecord>('registerIssuer', jws);
  await s.projection.applyIssuer(committed.record, committed.block, committed.txIndex, committed.txId);
  const apiKey = generateApiKey();
  await s.store.putApiKey({
    id: apiKey.id,
    hash: apiKey.hash,
    principal: { type: 'issuer', id },
    scopes: ['issue', 'revoke'],
    label: `${body.name} (created with the issuer)`,
    createdAt: s.now().toISOString(),
  });
  return { issuer: committed.record, apiKey: apiKey.key };
}

/**
 * Rename an issuer, change its allowed types (within its kind's), or change its status.
 * Revoking names the instant from which what it anchored fails: `since`, or now.
 */
export async function updateIssuer(s: Services, id: string, changes: UpdateIssuerRequest): Promise<IssuerRecord> {
  const issuer = await issuerOrThrow(s, id);
  if (changes.allowedTypes) checkKindTypes(issuer.kind, changes.allowedTypes);
  const { since, ...rest } = changes;
  // Default: this instant, to the millisecond, so that nothing anchored before it fails.
  const revokedSince = changes.status === 'revoked' ? (since ?? s.now().toISOString()) : undefined;
  const jws = await signStatement(
    {
      kind: 'updateIssuer',
      iss: 'registrar',
      issuerId: id,
      changes: { ...rest, ...(revokedSince ? { revokedSince } : {}) } as never,
    },
    await registrarSigner(s),
  );
  const committed = await s.ledgerClient.submit<IssuerRecord>('updateIssuer', jws);
  await s.projection.applyIssuer(committed.record, committed.block, committed.txIndex, committed.txId);
  return committed.record;
}

/** Add a new custodial key; by default retire the issuer's other usable keys. */
export async function rotateKey(
  s: Services,
  id: string,
  alg: SigningAlg = 'ES256',
  retirePrevious = true,
): Promise<IssuerRecord> {
  const before = await issuerOrThrow(s, id);
  const registrar = await registrarSigner(s);
  const key = await s.keys.create(id, alg);
  const added = await s.ledgerClient.submit<IssuerRecord>(
    'addKey',
    await signStatement(
      {
        kind: 'addKey',
        iss: 'registrar',
        issuerId: id,
        key: { keyId: key.keyId, alg, publicJwk: key.publicJwk as never },
      },
      registrar,
    ),
  );
  await s.projection.applyIssuer(added.record, added.block, added.txIndex, added.txId);
  let latest = added.record;
  if (retirePrevious) {
    for (const old of before.keys.filter((k) => !k.retiredAt && !k.revokedAt)) {
      const retired = await s.ledgerClient.submit<IssuerRecord>(
        'retireKey',
        await signStatement({ kind: 'retireKey', iss: 'registrar', issuerId: id, keyId: old.keyId }, registrar),
      );
      await s.projection.applyIssuer(retired.record, retired.block, retired.txIndex, retired.txId);
      latest = retired.record;
    }
  }
  return latest;
}

export async function keyCompromised(
  s: Services,
  id: string,
  keyId: string,
  compromisedSince: string,
): Promise<IssuerRecord> {
  const issuer = await issuerOrThrow(s, id);
  if (!issuer.keys.some((k) => k.keyId === keyId))
    throw new DomainError('not_found', `issuer ${id} has no key ${keyId}`);
  const committed = await s.ledgerClient.submit<IssuerRecord>(
    'revokeKey',
    await signStatement(
      { kind: 'revokeKey', iss: 'registrar', issuerId: id, keyId, compromisedSince },
      await registrarSigner(s),
    ),
  );
  await s.projection.applyIssuer(committed.record, committed.block, committed.txIndex, committed.txId);
  // Without a usable key the issuer could not even revoke what the thief signed: give it a new one.
  const usable = committed.record.keys.filter((k) => !k.retiredAt && !k.revokedAt);
  const held = await Promise.all(usable.map((k) => s.keys.has(k.kid)));
  if (!held.some(Boolean)) return rotateKey(s, id, 'ES256', false);
  return committed.record;
}

/** The public registry view of an issuer. */
export function publicIssuer(i: IssuerRecord) {
  return {
    id: i.id,
    name: i.name,
    kind: i.kind,
    uscc: i.uscc,
    allowedTypes: i.allowedTypes,
    status: i.status,
    ...(i.suspendedAt ? { suspendedAt: i.suspendedAt } : {}),
    ...(i.revokedSince ? { revokedSince: i.revokedSince } : {}),
    keys: i.keys.map((k) => ({
      kid: k.kid,
      keyId: k.keyId,
      alg: k.alg,
      publicJwk: k.publicJwk,
      notBefore: k.notBefore,
      ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
      ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
    })),
    registeredAt: i.registeredAt,
    updatedAt: i.updatedAt,
  };
}
