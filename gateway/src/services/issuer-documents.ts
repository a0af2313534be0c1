/**
 * What a verifier who never heard of Anxin needs to find an issuer's keys, made from the
 * ledger's record of the issuer (the projection), never from a copy of its own:
 *
 *  - JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc), at
 *    `/.well-known/jwt-vc-issuer/issuers/<slug>`: `issuer` and a JWK Set of every key the
 *    issuer ever had, each with its ledger window (notBefore, retiredAt, revokedAt);
 *  - a controlled-identifier document (W3C Controlled Identifiers 1.0) at the issuer's URL
 *    itself, whose verification methods are the keys a `vc+jwt` header's kid names;
 *  - the same as a `did:web` DID document at `/issuers/<slug>/did.json`.
 *
 * A key compromised since T is listed with `revokedAt` (and `revoked` in the documents), so
 * what it signed before T still verifies; status is for the status lists to say.
 */
import { publicIssuerId, publicKid, type IssuerKeyRecord, type IssuerRecord } from '@anxin/schemas';

/** The JWK of a key as the metadata lists it: its public members, its public kid, its ledger window. */
function jwkOf(publicUrl: string, k: IssuerKeyRecord) {
  return {
    ...k.publicJwk,
    kid: publicKid(publicUrl, k.kid),
    alg: k.alg,
    use: 'sig',
    notBefore: k.notBefore,
    ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
    ...(k.revokedAt ? { revokedAt: k.revokedAt } : {}),
  };
}

/**
 * JWT VC Issuer Metadata of `issuer`: `issuer` is exactly the `iss` its credentials carry.
 *
 * @example
 * jwtVcIssuerMetadata('https://anxin.example.cn', issuer).jwks.keys[0].kid;
 * // 'https://anxin.example.cn/issuers/chengdu-cdc#<key id>'
 */
export function jwtVcIssuerMetadata(publicUrl: string, issuer: IssuerRecord) {
  return {
    issuer: publicIssuerId(publicUrl, issuer.id),
    jwks: { keys: issuer.keys.map((k) => jwkOf(publicUrl, k)) },
    issuer_name: issuer.name,
    issuer_status: issuer.status,
  };
}

/** Controlled Identifiers 1.0: the context of a controlled-identifier document. */
export const CID_CONTEXT = 'https://www.w3.org/ns/cid/v1';
/** DID 1.1: the context of a DID document. */
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1.1';

function verificationMethods(id: string, issuer: IssuerRecord) {
  return issuer.keys.map((k) => {
    const { kid: _kid, alg: _alg, use: _use, ...publicKeyJwk } = k.publicJwk as Record<string, string>;
    return {
      id: `${id}#${k.keyId}`,
      type: 'JsonWebKey',
      controller: id,
      publicKeyJwk,
      ...(k.revokedAt ? { revoked: k.revokedAt } : {}),
    };
  });
}

/**
 * The controlled-identifier document at the issuer's URL: every key as a verification method
 * `<issuer url>#<key id>` (the kid of its credentials), all of them for assertions.
 */
export function controlledIdentifierDocument(publicUrl: string, issuer: IssuerRecord) {
  const id = publicIssuerId(publicUrl, issuer.id);
  const methods = verificationMethods(id, issuer);
  return {
    '@context': [CID_CONTEXT],
    id,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}

/**
 * The issuer's `did:web` identifier: the host (its port percent-encoded) and the path
 * `issuers/<slug>`, resolving to `<public url>/issuers/<slug>/did.json`.
 *
 * @example didWebOf('https://anxin.example.cn', 'chengdu-cdc'); // 'did:web:anxin.example.cn:issuers:chengdu-cdc'
 */
export function didWebOf(publicUrl: string, slug: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.split('/').filter(Boolean);
  return ['did:web', encodeURIComponent(url.host), ...path, 'issuers', slug].join(':');
}

/** The DID document of the issuer's `did:web`, with the same keys as its controlled-identifier document. */
export function didWebDocument(publicUrl: string, issuer: IssuerRecord, slug: string) {
  const id = didWebOf(publicUrl, slug);
  const methods = verificationMethods(id, issuer);
  return {
    '@context': [DID_CONTEXT],
    id,
    alsoKnownAs: [publicIssuerId(publicUrl, issuer.id)],
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}
