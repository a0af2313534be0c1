/**
 * Building a credential document (W3C VC 2.0) from an issuance request: the envelope,
 * the holder with its salted ledger commitment, the type's subject, and validity taken
 * from the subject's own dates when the request gives none.
 */
import { randomUUID } from 'node:crypto';
import {
  CREDENTIAL_SCHEMA_BY_TYPE,
  SUBJECT_MEMBER,
  VC_CONTEXT_V2,
  contextUrl,
  publicIssuerId,
  type CredentialType,
  type HolderIdentity,
  type IssuerRecord,
  type StatusEntry,
} from '@anxin/schemas';
import { newSalt } from '../../crypto/holder';
import { holderRef } from '../../verify';
import { bitstringStatusEntries, type BitstringStatusListEntry } from '../status-lists/urls';

/** Anxin's own status: the anchor, at the gateway's status endpoint. */
export interface AnchorStatusRef {
  id: string;
  type: 'AnxinLedgerAnchor';
}

export interface VcDocument {
  '@context': string[];
  id: string;
  type: ['VerifiableCredential', CredentialType];
  issuer: { id: string; name: string };
  validFrom: string;
  validUntil?: string;
  credentialSchema: { id: string; type: 'JsonSchema' };
  /** The anchor alone (before status lists), or the anchor then the Bitstring Status List entries. */
  credentialStatus: AnchorStatusRef | [AnchorStatusRef, ...BitstringStatusListEntry[]];
  credentialSubject: {
    holder: HolderIdentity & { salt: string; ref: string };
  } & Record<string, unknown>;
}

/** Start of a calendar day in China (UTC+8), as an RFC 3339 UTC instant. */
export function startOfDayCst(date: string): string {
  return new Date(`${date}T00:00:00+08:00`).toISOString().replace('.000Z', 'Z');
}

/** End of a calendar day in China (UTC+8): 23:59:59 Beijing time. */
export function endOfDayCst(date: string): string {
  return new Date(`${date}T23:59:59+08:00`).toISOString().replace('.000Z', 'Z');
}

/** The subject's own validity: from the start of its first day to the end of its last, and the members saying so. */
export interface ImpliedValidity {
  from?: string;
  until?: string;
  /** JSON Pointers (within the subject) of the dates `from` and `until` come from. */
  fromField: string;
  untilField: string;
}

/** Validity implied by the subject itself, per type. A credential never lasts longer than its subject says. */
export function impliedValidity(type: CredentialType, subject: Record<string, unknown>): ImpliedValidity {
  switch (type) {
    case 'HealthCertificate': {
      const v = subject.validity as { from: string; until: string };
      return {
        from: startOfDayCst(v.from),
        until: endOfDayCst(v.until),
        fromField: '/validity/from',
        untilField: '/validity/until',
      };
    }
    case 'SkillCertificate': {
      const s = subject as { issueDate: string; expiryDate?: string };
      return {
        from: startOfDayCst(s.issueDate),
        ...(s.expiryDate ? { until: endOfDayCst(s.expiryDate) } : {}),
        fromField: '/issueDate',
        untilField: '/expiryDate',
      };
    }
    case 'LaborContract': {
      const t = subject.term as { startDate: string; endDate?: string };
      return {
        from: startOfDayCst(t.startDate),
        ...(t.endDate ? { until: endOfDayCst(t.endDate) } : {}),
        fromField: '/term/startDate',
        untilField: '/term/endDate',
      };
    }
  }
}

export interface BuildInput {
  type: CredentialType;
  holder: HolderIdentity;
  subject: Record<string, unknown>;
  validFrom?: string;
  validUntil?: string;
  /** The holder commitment's salt: a renewal keeps the replaced credential's, so the ledger sees the same holderRef. */
  holderSalt?: string;
}

/** The anchor's status reference of a credential, however its `credentialStatus` is written. */
export function anchorStatusOf(vc: VcDocument): AnchorStatusRef {
  return Array.isArray(vc.credentialStatus) ? vc.credentialStatus[0] : vc.credentialStatus;
}

/**
 * @example
 * const vc = buildCredential(input, issuer, 'https://anxin.example.cn', id, { list, idx });
 * vc.credentialSubject.holder.ref // the holderRef to anchor
 */
export function buildCredential(
  input: BuildInput,
  issuer: IssuerRecord,
  publicUrl: string,
  id = `urn:uuid:${randomUUID()}`,
  statusEntry?: StatusEntry,
): VcDocument {
  const implied = impliedValidity(input.type, input.subject);
  const validFrom = input.validFrom ?? implied.from ?? new Date().toISOString();
  const validUntil = input.validUntil ?? implied.until;
  const salt = input.holderSalt ?? newSalt();
  const anchorStatus: AnchorStatusRef = { id: `${publicUrl}/v1/credentials/${id}/status`, type: 'AnxinLedgerAnchor' };
  return {
    // Anxin's own terms (the holder, each subject, the types) are defined in its context.
    '@context': [VC_CONTEXT_V2, contextUrl(publicUrl)],
    id,
    type: ['VerifiableCredential', input.type],
    // The issuer by its public URL, where anyone finds its keys; the ledger knows it as its urn.
    issuer: { id: publicIssuerId(publicUrl, issuer.id), name: issuer.name },
    validFrom,
    ...(validUntil ? { validUntil } : {}),
    credentialSchema: { id: CREDENTIAL_SCHEMA_BY_TYPE[input.type].$id, type: 'JsonSchema' },
    credentialStatus: statusEntry ? [anchorStatus, ...bitstringStatusEntries(publicUrl, statusEntry)] : anchorStatus,
    credentialSubject: {
      holder: {
        name: input.holder.name,
        idNumber: input.holder.idNumber,
        salt,
        ref: holderRef(salt, input.holder.idNumber),
      },
      [SUBJECT_MEMBER[input.type]]: input.subject,
    },
  };
}
