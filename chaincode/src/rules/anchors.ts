/**
 * Issuer statements: anchor a credential, and change its status. Only the issuer that
 * anchored a credential may change it, only for a type it may issue, only with a key
 * valid at the transaction time.
 */
import {
  checkValidityWindow,
  typesOutsideKind,
  type AnchorRecord,
  type CredentialType,
  type IssuerRecord,
  type StatementKind,
} from '@anxin/schemas';
import { Rejection } from '../errors';
import { checkKeyWindow } from '../keys';
import type { LedgerState, TxContext } from '../state';
import { verifyStatement } from '../verify';
import type { Effect } from './effect';
import { claimStatusEntry } from './status-entries';

const TRANSITIONS = {
  revoke: { from: ['active', 'suspended'], to: 'revoked' },
  suspend: { from: ['active'], to: 'suspended' },
  reinstate: { from: ['suspended'], to: 'active' },
} as const;

function checkAllowed(issuer: IssuerRecord, type: CredentialType): void {
  // The kind too: an issuer registered before kinds decided types must not anchor outside its kind.
  if (!issuer.allowedTypes.includes(type) || typesOutsideKind(issuer.kind, [type]).length) {
    throw new Rejection('TYPE_NOT_ALLOWED', `issuer ${issuer.id} may not issue ${type}`);
  }
}

/**
 * The credential a renewal replaces, checked: anchored by the same issuer, of the same type,
 * for the same holder, not renewed before; and, when it is to be superseded, still in force
 * or suspended (a revoked one has nothing left to withdraw).
 */
async function replacedAnchor(
  state: LedgerState,
  issuerId: string,
  a: { id: string; type: CredentialType; holderRef: string; replaces?: string; supersede?: true },
): Promise<AnchorRecord | undefined> {
  if (!a.replaces) return undefined;
  if (a.replaces === a.id) throw new Rejection('REPLACES_MISMATCH', `credential ${a.id} cannot replace itself`);
  const old = await state.getAnchor(a.replaces);
  if (!old) throw new Rejection('REPLACED_NOT_FOUND', `credential ${a.replaces} is not anchored`);
  if (old.issuer !== issuerId)
    throw new Rejection('NOT_OWN_CREDENTIAL', `credential ${old.id} was anchored by another issuer`);
  if (old.type !== a.type)
    throw new Rejection('REPLACES_MISMATCH', `credential ${old.id} is a ${old.type}, not a ${a.type}`);
  // The same salted commitment: the issuer renews for the holder it issued to, without the ledger learning who.
  if (old.holderRef !== a.holderRef)
    throw new Rejection('REPLACES_MISMATCH', `credential ${old.id} was issued to another holder`);
  if (old.replacedBy) throw new Rejection('ALREADY_REPLACED', `credential ${old.id} was replaced by ${old.replacedBy}`);
  if (a.supersede && !(TRANSITIONS.revoke.from as readonly string[]).includes(old.status))
    throw new Rejection('INVALID_TRANSITION', `cannot supersede a credential that is ${old.status}`);
  return old;
}

export async function anchor(state: LedgerState, jws: string, tx: TxContext): Promise<Effect<AnchorRecord>> {
  const { payload, issuer } = await verifyStatement(state, jws, 'anchor', tx);
  const a = payload.anchor;
  if (issuer!.status !== 'active')
    throw new Rejection('ISSUER_NOT_ACTIVE', `issuer ${issuer!.id} is ${issuer!.status}`);
  checkAllowed(issuer!, a.type);
  // The key that signed the credential itself must be this issuer's, and valid now.
  const credKey = issuer!.keys.find((k) => k.kid === a.kid);
  if (!credKey) throw new Rejection('UNKNOWN_KEY', `credential kid ${a.kid} is not a key of ${issuer!.id}`);
  checkKeyWindow(credKey, tx.time);
  if (a.validUntil && Date.parse(a.validUntil) <= Date.parse(a.validFrom)) {
    throw new Rejection('INVALID_VALIDITY', 'validUntil must be after validFrom');
  }
  // The ledger sees no credential, only its window: it bounds what it can (a health certificate ends within a year).
  const window = checkValidityWindow(a.type, a.validFrom, a.validUntil);
  if (window) throw new Rejection('VALIDITY_OUT_OF_BOUNDS', window.message);
  if (await state.getAnchor(a.id)) throw new Rejection('ANCHOR_EXISTS', `credential ${a.id} is anchored already`);
  const replaced = await replacedAnchor(state, issuer!.id, a);
  if (a.statusEntry) await claimStatusEntry(state, issuer!.id, a.statusEntry, a.id, tx);
  const record: AnchorRecord = {
    id: a.id,
    type: a.type,
    issuer: issuer!.id,
    kid: a.kid,
    digest: a.digest,
    holderRef: a.holderRef,
    validFrom: a.validFrom,
    ...(a.validUntil ? { validUntil: a.validUntil } : {}),
    status: 'active',
    ...(a.statusEntry ? { statusEntry: { list: a.statusEntry.list, idx: a.statusEntry.idx } } : {}),
    ...(a.replaces ? { replaces: a.replaces } : {}),
    anchoredAt: tx.time,
    txId: tx.txId,
    updatedAt: tx.time,
  };
  await state.putAnchor(record);
  // Both ends of the link in one transaction: the chain never shows one without the other.
  if (replaced) {
    await state.putAnchor({
      ...replaced,
      replacedBy: record.id,
      ...(a.supersede ? { status: 'revoked' as const, statusReason: 'superseded' as const } : {}),
      updatedAt: tx.time,
    });
  }
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return {
    result: record,
    event: {
      name: 'AnchorCreated',
      payload: {
        id: record.id,
        type: record.type,
        issuer: record.issuer,
        status: record.status,
        digest: record.digest,
        ...(record.replaces ? { replaces: record.replaces } : {}),
        ...(a.supersede ? { superseded: true } : {}),
      },
    },
  };
}

export async function changeStatus(
  state: LedgerState,
  kind: Extract<StatementKind, 'revoke' | 'suspend' | 'reinstate'>,
  jws: string,
  tx: TxContext,
): Promise<Effect<AnchorRecord>> {
  const { payload, issuer } = await verifyStatement(state, jws, kind, tx);
  const current = await state.getAnchor(payload.credentialId);
  if (!current) throw new Rejection('ANCHOR_NOT_FOUND', `credential ${payload.credentialId} is not anchored`);
  if (current.issuer !== issuer!.id) {
    throw new Rejection('NOT_OWN_CREDENTIAL', `credential ${current.id} was anchored by another issuer`);
  }
  // A suspended issuer may still withdraw (revoke, suspend) what it issued; only an active one may reinstate.
  const mayAct = kind === 'reinstate' ? issuer!.status === 'active' : issuer!.status !== 'revoked';
  if (!mayAct) throw new Rejection('ISSUER_NOT_ACTIVE', `issuer ${issuer!.id} is ${issuer!.status}`);
  // Withdrawing (revoke, suspend) stays possible after the registrar narrows the issuer's types;
  // putting a credential back into force (reinstate) needs the type to be allowed now.
  if (kind === 'reinstate') checkAllowed(issuer!, current.type);
  const t = TRANSITIONS[kind];
  if (!(t.from as readonly string[]).includes(current.status)) {
    throw new Rejection('INVALID_TRANSITION', `cannot ${kind} a credential that is ${current.status}`);
  }
  const record: AnchorRecord = { ...current, status: t.to, statusReason: payload.reason, updatedAt: tx.time };
  await state.putAnchor(record);
  await state.putStatement(payload.jti, { txId: tx.txId, kind: payload.kind, iss: payload.iss });
  return {
    result: record,
    event: {
      name: 'AnchorStatusChanged',
      payload: {
        id: record.id,
        type: record.type,
        issuer: record.issuer,
        status: record.status,
        reason: payload.reason,
        from: current.status,
      },
    },
  };
}
