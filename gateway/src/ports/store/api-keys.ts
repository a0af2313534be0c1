/** API keys: who may call the gateway, as whom, for what. */

export type Scope = 'admin' | 'issue' | 'revoke' | 'verify';
export const SCOPES: readonly Scope[] = ['admin', 'issue', 'revoke', 'verify'];

export type PrincipalType = 'admin' | 'issuer' | 'verifier';

export interface Principal {
  type: PrincipalType;
  /** Issuer id for issuers; a free identifier (e.g. an employer's USCC or name slug) for verifiers; 'admin' for admins. */
  id: string;
}

export interface ApiKeyRecord {
  /** Public key id: the part of the key before the secret (e.g. `ak_3f9c…`). */
  id: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  principal: Principal;
  scopes: Scope[];
  label?: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStore {
  putApiKey(r: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]>;
}
