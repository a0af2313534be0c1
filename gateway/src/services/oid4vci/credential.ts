/**
 * The credential endpoint (OpenID4VCI 1.0 §8): with the access token of a redeemed offer and
 * proof of the wallet's key (`proofs.jwt`, one openid4vci-proof+jwt over a c_nonce), the
 * offered credential is issued through the same use case as POST /v1/credentials — checked,
 * signed as dc+sd-jwt bound to the proof's key, anchored — under an idempotency key of the
 * offer: one offer gives one credential, and a retried request gets that same credential,
 * never a second anchor.
 */
import { DomainError } from '../../errors';
import type { OfferRecord } from '../../ports/store';
import type { Services } from '../context';
import { issueCredential, type IssueObserver } from '../credentials/issue';
import { OAuthError } from './errors';
import { openOffer, secretHash } from './offers';

export interface CredentialResponse {
  credentials: { credential: string }[];
}

/** The offer an access token was given for, while the token lasts. */
export async function offerOfToken(s: Services, authorization: string | undefined): Promise<OfferRecord> {
  const m = /^Bearer ([A-Za-z0-9_-]{16,256})$/.exec(authorization ?? '');
  if (!m) throw new OAuthError('invalid_token', 'an access token from the token endpoint is required (Bearer)');
  const offer = await s.store.findOffer({ tokenHash: secretHash(m[1]!) });
  if (!offer?.tokenExpiresAt || Date.parse(offer.tokenExpiresAt) <= s.now().getTime())
    throw new OAuthError('invalid_token', 'the access token is unknown or has expired');
  return offer;
}

/** The one jwt proof of a request, and the key its header names (checked when the credential is issued). */
function proofOf(body: Record<string, unknown>): { proof: string; jwk: Record<string, string> } {
  if ('proof' in body) throw new OAuthError('invalid_credential_request', 'send proofs (OpenID4VCI 1.0), not proof');
  const proofs = body.proofs as Record<string, unknown> | undefined;
  if (!proofs || typeof proofs !== 'object' || Array.isArray(proofs))
    throw new OAuthError('invalid_proof', 'proofs.jwt is required: the credential is bound to your key');
  const keys = Object.keys(proofs);
  if (keys.length !== 1 || keys[0] !== 'jwt')
    throw new OAuthError('invalid_proof', 'only the jwt proof type is supported');
  const jwts = proofs.jwt;
  if (!Array.isArray(jwts) || jwts.length !== 1 || typeof jwts[0] !== 'string')
    throw new OAuthError('invalid_proof', 'proofs.jwt must hold exactly one proof (one credential per offer)');
  const proof = jwts[0];
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(proof.split('.')[0] ?? '', 'base64url').toString('utf8'));
  } catch {
    header = undefined;
  }
  const jwk = (header as { jwk?: unknown } | undefined)?.jwk;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
    throw new OAuthError('invalid_proof', 'the proof names no key (jwk in its header)');
  // The key alone, as the credential's cnf carries it: members beside it (alg, use, kid…) say nothing about it.
  const { kty, crv, x, y } = jwk as Record<string, string>;
  return { proof, jwk: JSON.parse(JSON.stringify({ kty, crv, x, y })) as Record<string, string> };
}

/** A refusal of the issuance, as the credential endpoint's error. */
function asOAuth(e: unknown): unknown {
  if (!(e instanceof DomainError)) return e;
  const field = e.extra.errors?.[0];
  if (e.code === 'holder_proof_invalid')
    return new OAuthError(field?.code === 'nonce' ? 'invalid_nonce' : 'invalid_proof', e.detail ?? e.code);
  if (e.code === 'validation_failed' && field?.field === '/holderPublicJwk')
    return new OAuthError('invalid_proof', `the proof's key: ${field.message}`);
  if (e.code === 'idempotency_key_reused')
    return new OAuthError('credential_request_denied', 'the credential of this offer was issued to another key');
  if (e.code === 'ledger_unavailable' || e.code === 'store_unavailable' || e.code === 'request_in_progress') return e;
  return new OAuthError('credential_request_denied', e.detail ?? e.code);
}

/**
 * Issue the offered credential to the key the proof is about.
 *
 * @example
 * const out = await issueOfferedCredential(s, req.headers.authorization, req.body);
 * // { credentials: [{ credential: '<dc+sd-jwt>' }] }
 */
export async function issueOfferedCredential(
  s: Services,
  authorization: string | undefined,
  body: unknown,
  observer: IssueObserver = {},
): Promise<CredentialResponse & { id: string; type: string; fresh: boolean }> {
  const offer = await offerOfToken(s, authorization);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new OAuthError('invalid_credential_request', 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if ('credential_identifier' in b)
    throw new OAuthError('unknown_credential_identifier', 'no credential identifiers are issued here');
  if (typeof b.credential_configuration_id !== 'string')
    throw new OAuthError('invalid_credential_request', 'credential_configuration_id is required');
  if (b.credential_configuration_id !== offer.configurationId)
    throw new OAuthError('unknown_credential_configuration', `this offer is for ${offer.configurationId}`);
  const { proof, jwk } = proofOf(b);
  const { request } = openOffer(s, offer);
  try {
    const out = await issueCredential(
      s,
      { type: 'issuer', id: offer.issuer },
      { ...request, format: 'dc+sd-jwt', holderPublicJwk: jwk, holderProof: proof },
      `oid4vci-offer:${offer.id}`,
      observer,
    );
    const fresh = offer.credentialId === undefined;
    if (offer.credentialId !== out.id) await s.store.completeOffer(offer.id, out.id);
    return { id: out.id, type: offer.configurationId, fresh, credentials: [{ credential: out.credential }] };
  } catch (e) {
    throw asOAuth(e);
  }
}
