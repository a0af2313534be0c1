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
  type CredentialType,
  type HolderIdentity,
  type IssuerRecord,
} from '@anxin/schemas';
import { newSalt } from '../../crypto/holder';
import { holderRef } from '../../verify';

export interface VcDocument {
  '@context': string[];
  id: string;
  type: ['VerifiableCredential', CredentialType];
  issuer: { id: string; name: string };
  validFrom: string;
  validUntil?: string;
  credentialSchema: { id: string; type: 'JsonSchema' };
  credentialStatus: { id: string; type: 'AnxinLedgerAnchor' };
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
}

/**
 * @example
 * const vc = buildCredential(input, issuer, 'https://anxin.example.cn');
 * vc.credentialSubject.holder.ref // the holderRef to anchor
 */
export function buildCredential(
  input: BuildInput,
  issuer: IssuerRecord,
  publicUrl: string,
  id = `urn:uuid:${randomUUID()}`,
): VcDocument {
  const implied = impliedValidity(input.type, input.subject);
  const validFrom = input.validFrom ?? implied.from ?? new Date().toISOString();
  const validUntil = input.validUntil ?? implied.until;
  const salt = newSalt();
  return {
    '@context': [VC_CONTEXT_V2],
    id,
    type: ['VerifiableCredential', input.type],
    issuer: { id: issuer.id, name: issuer.name },
    validFrom,
    ...(validUntil ? { validUntil } : {}),
    credentialSchema: { id: CREDENTIAL_SCHEMA_BY_TYPE[input.type].$id, type: 'JsonSchema' },
    credentialStatus: { id: `${publicUrl}/v1/credentials/${id}/status`, type: 'AnxinLedgerAnchor' },
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
