/** Custodial keys: the private signing keys the gateway holds for issuers, the registrar and itself. */
import type { Sealed } from './sealed';

export interface CustodialKeyRecord {
  /** Full JOSE kid: `<issuer id>#<key id>`, `registrar#<key id>` or `gateway#<key id>`. */
  kid: string;
  owner: string;
  alg: 'ES256' | 'EdDSA';
  publicJwk: Record<string, string>;
  /** The private JWK, sealed. */
  sealed: Sealed;
  createdAt: string;
}

export interface CustodialKeyStore {
  putCustodialKey(r: CustodialKeyRecord): Promise<void>;
  getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined>;
  listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]>;
}
