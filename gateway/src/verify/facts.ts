/**
 * What a credential says of itself — id, type, issuer, validity window, holder, the members
 * a verifier may see — read from a vc+jwt payload or an SD-JWT's claims. Nothing here is
 * trusted yet: the checks judge it.
 */
import { CREDENTIAL_TYPES, SUBJECT_MEMBER, type CredentialType } from '@anxin/schemas';
import { VCT_BASE } from './formats';
import type { OnBehalfOf, VerificationReport } from './report';

export interface Facts {
  id?: string;
  type?: CredentialType;
  issuerId?: string;
  issuerName?: string;
  validFrom?: string;
  validUntil?: string;
  claimedAt?: string;
  /** The credential's contents as the verifier may see them. */
  disclosed: Record<string, unknown>;
  holder?: Record<string, unknown>;
  /** The signed `cnf` claim as it is: present (whatever its shape) means the credential is bound to a key. */
  cnf?: unknown;
  onBehalfOf?: OnBehalfOf;
}

/**
 * Mask an ID number: only its last four characters show.
 *
 * @example maskIdNumber('110101199003074514'); // '**************4514'
 */
export function maskIdNumber(id: unknown): unknown {
  return typeof id === 'string' && id.length > 4 ? `${'*'.repeat(id.length - 4)}${id.slice(-4)}` : id;
}

/** RFC 3339 of a NumericDate (seconds), or undefined when it is not a finite number. */
export function iso(seconds: unknown): string | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

function typeOf(value: unknown): CredentialType | undefined {
  return (CREDENTIAL_TYPES as readonly unknown[]).includes(value) ? (value as CredentialType) : undefined;
}

/** The facts of a vc+jwt payload: the VC document. */
export function factsOfVc(p: Record<string, unknown>): Facts {
  const types = Array.isArray(p.type) ? p.type : [];
  const issuer = p.issuer && typeof p.issuer === 'object' ? (p.issuer as { id?: unknown; name?: unknown }) : undefined;
  const subject = (p.credentialSubject ?? {}) as Record<string, unknown>;
  const holder = subject.holder as Record<string, unknown> | undefined;
  const disclosed: Record<string, unknown> = { ...subject };
  if (holder) disclosed.holder = { name: holder.name, idNumber: maskIdNumber(holder.idNumber) };
  // Plain assignments: this runs on every verification, and conditional spreads cost here.
  const facts: Facts = { disclosed };
  const type = typeOf(types[1]);
  if (typeof p.id === 'string') facts.id = p.id;
  if (type) facts.type = type;
  if (typeof issuer?.id === 'string') facts.issuerId = issuer.id;
  if (typeof issuer?.name === 'string') facts.issuerName = issuer.name;
  if (typeof p.validFrom === 'string') facts.validFrom = facts.claimedAt = p.validFrom;
  if (typeof p.validUntil === 'string') facts.validUntil = p.validUntil;
  if (holder) facts.holder = holder;
  return facts;
}

/** The facts of an SD-JWT's claims: those signed in the clear, and those disclosed. */
export function factsOfSdJwt(claims: Record<string, unknown>): Facts {
  const vct =
    typeof claims.vct === 'string' && claims.vct.startsWith(VCT_BASE) ? claims.vct.slice(VCT_BASE.length) : undefined;
  const type = typeOf(vct);
  const holder = claims.holder as Record<string, unknown> | undefined;
  const disclosed: Record<string, unknown> = {};
  if (holder && Object.keys(holder).length) {
    disclosed.holder = Object.fromEntries(
      Object.entries(holder)
        .filter(([k]) => k === 'name' || k === 'idNumber')
        .map(([k, v]) => [k, k === 'idNumber' ? maskIdNumber(v) : v]),
    );
  }
  if (type) {
    const member = SUBJECT_MEMBER[type];
    if (claims[member] && typeof claims[member] === 'object') disclosed[member] = claims[member];
  }
  return {
    ...(typeof claims.jti === 'string' ? { id: claims.jti } : {}),
    ...(type ? { type } : {}),
    ...(typeof claims.iss === 'string' ? { issuerId: claims.iss } : {}),
    ...(typeof claims.issuer_name === 'string' ? { issuerName: claims.issuer_name } : {}),
    ...(iso(claims.nbf) ? { validFrom: iso(claims.nbf)! } : {}),
    ...(iso(claims.exp) ? { validUntil: iso(claims.exp)! } : {}),
    ...(iso(claims.iat) ? { claimedAt: iso(claims.iat)! } : {}),
    disclosed,
    ...(holder ? { holder } : {}),
    ...(claims.cnf !== undefined ? { cnf: claims.cnf } : {}),
  };
}

/** What the report says of the credential: its facts as far as they are known. */
export function credentialOf(
  facts: Facts,
  format: 'vc+jwt' | 'dc+sd-jwt',
): NonNullable<VerificationReport['credential']> {
  return {
    ...(facts.id ? { id: facts.id } : {}),
    ...(facts.type ? { type: facts.type } : {}),
    format,
    ...(facts.issuerId
      ? {
          issuer: {
            id: facts.issuerId,
            ...(facts.issuerName ? { name: facts.issuerName } : {}),
            ...(facts.onBehalfOf ? { onBehalfOf: facts.onBehalfOf } : {}),
          },
        }
      : {}),
    ...(facts.validFrom ? { validFrom: facts.validFrom } : {}),
    ...(facts.validUntil ? { validUntil: facts.validUntil } : {}),
    disclosed: facts.disclosed,
  };
}
