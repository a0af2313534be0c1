/**
 * OAuth-style errors of the OpenID4VCI endpoints (RFC 6749 §5.2, RFC 6750 §3.1, OpenID4VCI 1.0
 * §8.3.1.2): these endpoints answer `{ error, error_description }` JSON, which wallets and their
 * libraries read, not problem+json.
 */

export type OAuthErrorCode =
  // token endpoint (RFC 6749 §5.2)
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'slow_down'
  // credential endpoint, its access token (RFC 6750 §3.1)
  | 'invalid_token'
  // credential endpoint (OpenID4VCI 1.0 §8.3.1.2)
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_token' ? 401 : error === 'slow_down' ? 429 : 400,
    /** Members beside error and error_description (a wrong PIN's attempts_left). */
    readonly extra: Record<string, string | number> = {},
  ) {
    super(description);
  }

  /** The JSON body. */
  body(): Record<string, string | number> {
    return { error: this.error, error_description: this.description, ...this.extra };
  }
}
