/**
 * What a wallet reads before it asks for a credential (OpenID4VCI 1.0 §12.2, RFC 8414): the
 * Credential Issuer Metadata — the gateway is the Credential Issuer, its public URL the
 * identifier — and the metadata of the authorization server, which is the gateway too (no
 * `authorization_servers`): only the pre-authorized code grant, without client
 * authentication.
 */
import { CREDENTIAL_TYPES, SIGNING_ALGS, typeMetadata, type CredentialType } from '@anxin/schemas';
import { vctRefOf } from '../type-metadata';

/** The endpoints, as paths under the public URL. */
export const OID4VCI_PATHS = {
  offers: '/v1/credential-offers',
  token: '/v1/oid4vci/token',
  credential: '/v1/oid4vci/credential',
  nonce: '/v1/nonce',
  issuerMetadata: '/.well-known/openid-credential-issuer',
  authorizationServerMetadata: '/.well-known/oauth-authorization-server',
} as const;

/** The grant type of the pre-authorized code flow (OpenID4VCI 1.0 §4.1.1, §6.1). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/** The OpenID4VCI credential configuration of each type: its id is the type's name. */
function configuration(publicUrl: string, type: CredentialType) {
  const meta = typeMetadata(publicUrl, type);
  return {
    format: 'dc+sd-jwt',
    vct: vctRefOf(publicUrl, type).vct,
    scope: type,
    cryptographic_binding_methods_supported: ['jwk'],
    credential_signing_alg_values_supported: [...SIGNING_ALGS],
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...SIGNING_ALGS] } },
    credential_metadata: {
      display: meta.display.map((d) => ({ name: d.name!, locale: d.locale })),
      claims: meta.claims.map((c) => ({
        path: c.path,
        display: c.display.map((d) => ({ name: d.label, locale: d.locale })),
      })),
    },
  };
}

/**
 * The Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4) of the gateway at `publicUrl`.
 *
 * @example
 * credentialIssuerMetadata('https://anxin.example.cn').credential_endpoint;
 * // 'https://anxin.example.cn/v1/oid4vci/credential'
 */
export function credentialIssuerMetadata(publicUrl: string) {
  return {
    credential_issuer: publicUrl,
    credential_endpoint: `${publicUrl}${OID4VCI_PATHS.credential}`,
    nonce_endpoint: `${publicUrl}${OID4VCI_PATHS.nonce}`,
    display: [
      { name: '安心 · 工作凭证', locale: 'zh-CN' },
      { name: 'Anxin work credentials', locale: 'en' },
    ],
    credential_configurations_supported: Object.fromEntries(
      CREDENTIAL_TYPES.map((t) => [t, configuration(publicUrl, t)]),
    ) as Record<CredentialType, ReturnType<typeof configuration>>,
  };
}

/**
 * The authorization server's metadata (RFC 8414 §2; OpenID4VCI 1.0 §12.3): the token endpoint
 * of the pre-authorized code grant, which wallets use without client authentication.
 *
 * @example
 * authorizationServerMetadata('https://anxin.example.cn').token_endpoint;
 * // 'https://anxin.example.cn/v1/oid4vci/token'
 */
export function authorizationServerMetadata(publicUrl: string) {
  return {
    issuer: publicUrl,
    token_endpoint: `${publicUrl}${OID4VCI_PATHS.token}`,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}
