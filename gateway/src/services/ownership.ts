/**
 * Whose records a principal may touch. Principal ids are free text for verifiers and
 * admins, so an id alone proves nothing: a verifier could have been given an issuer's id.
 */
import type { Principal } from '../ports/store';

/**
 * True when `principal` is the issuer `issuerId` itself: its type is `issuer` and its id
 * is that issuer's id. Its credentials, their cards and their verifiers are its alone.
 *
 * @example
 * if (!rec || !actsForIssuer(req.principal!, rec.issuer)) throw new DomainError('not_found', '…');
 */
export function actsForIssuer(principal: Principal, issuerId: string): boolean {
  return principal.type === 'issuer' && principal.id === issuerId;
}
