/**
 * The gateway as an OpenID4VP verifier: its Client Identifier and the DID document behind it.
 *
 * The prefix is `decentralized_identifier` (OpenID4VP 1.0 §5.9.3) with a `did:web` under the
 * gateway's public URL: the request object is signed with the gateway's own key, and a wallet
 * finds that key by resolving the DID over HTTPS at the gateway's host, so the trust it
 * places in the request is the trust it places in that host's TLS certificate, and the
 * keys can rotate without reissuing anything. `x509_hash` would bind the request to a
 * certificate instead, but a wallet must then check that certificate's chain to a root it
 * trusts (there is none for a self-made one) and parse X.509 in the phone's bundle;
 * `redirect_uri` cannot be signed at all.
 */
import type { PublicKeyInfo } from '../keystore';
import { DID_CONTEXT } from '../issuer-documents';

/** The Client Identifier Prefix the gateway's requests use. */
export const CLIENT_ID_PREFIX = 'decentralized_identifier';

/**
 * The gateway's verifier DID: `did:web:<host>[:<path>]:verifier`, whose document is at
 * `<public url>/verifier/did.json`.
 *
 * @example verifierDid('https://anxin.example.cn'); // 'did:web:anxin.example.cn:verifier'
 */
export function verifierDid(publicUrl: string): string {
  const url = new URL(publicUrl);
  const path = url.pathname.split('/').filter(Boolean);
  return ['did:web', encodeURIComponent(url.host), ...path, 'verifier'].join(':');
}

/**
 * The Client Identifier of every request the gateway makes: the prefix and the DID.
 *
 * @example clientIdOf('https://anxin.example.cn'); // 'decentralized_identifier:did:web:anxin.example.cn:verifier'
 */
export function clientIdOf(publicUrl: string): string {
  return `${CLIENT_ID_PREFIX}:${verifierDid(publicUrl)}`;
}

/** The DID URL naming one of the gateway's keys: the JOSE `kid` of the requests it signs. */
export function verifierKid(publicUrl: string, key: PublicKeyInfo): string {
  return `${verifierDid(publicUrl)}#${key.keyId}`;
}

/** The DID document of the gateway's verifier DID: its keys, for signing requests (authentication). */
export function verifierDidDocument(publicUrl: string, keys: readonly PublicKeyInfo[]) {
  const id = verifierDid(publicUrl);
  const methods = keys.map((k) => ({
    id: verifierKid(publicUrl, k),
    type: 'JsonWebKey',
    controller: id,
    publicKeyJwk: k.publicJwk,
  }));
  return {
    '@context': [DID_CONTEXT],
    id,
    verificationMethod: methods,
    authentication: methods.map((m) => m.id),
    assertionMethod: methods.map((m) => m.id),
  };
}
