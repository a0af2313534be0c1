/** Credential records: what the gateway issued, sealed, and how far its anchoring got. */
import type { CredentialType } from '@anxin/schemas';
import type { Sealed } from './sealed';

export type CredentialFormat = 'vc+jwt' | 'dc+sd-jwt';

export interface CredentialRecord {
  id: string;
  issuer: string;
  type: CredentialType;
  format: CredentialFormat;
  /** The issued credential (JWS or SD-JWT with all disclosures), sealed: it holds personal data. */
  sealed: Sealed;
  digest: string;
  /** The anchor statement (JWS), kept so an interrupted issuance can be completed. */
  anchorStatement: string;
  state: 'pending' | 'anchored';
  anchor?: { txId: string; block: number; anchoredAt: string };
  createdAt: string;
  idempotencyKey?: string;
  /** RFC 7638 SHA-256 thumbprint of the holder key it is bound to (cnf.jwk), if bound: how the holder finds it. */
  holderJkt?: string;
}

/** A credential as its holder's receipts name it. */
export interface HeldCredential {
  id: string;
  type: CredentialType;
  issuer: string;
}

export interface CredentialStore {
  putCredential(r: CredentialRecord): Promise<void>;
  /**
   * Record a credential unless one with its id is recorded already; resolves to the
   * recorded one — this one, or the one that was there first (which is left untouched).
   */
  createCredential(r: CredentialRecord): Promise<CredentialRecord>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;
  /** The credentials bound to the holder key with this thumbprint, newest first (at most `limit`). */
  credentialsOfHolderKey(jkt: string, limit: number): Promise<HeldCredential[]>;
  /**
   * SD-JWT credentials recorded before their holder key was indexed (holderJkt never set),
   * up to `limit`: what `setHolderKey` fills in.
   */
  credentialsWithoutHolderKey(limit: number): Promise<CredentialRecord[]>;
  /** Index a recorded credential under its holder key's thumbprint; '' for one bound to no key. */
  setHolderKey(id: string, jkt: string): Promise<void>;
}
