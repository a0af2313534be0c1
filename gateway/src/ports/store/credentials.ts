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
}

export interface CredentialStore {
  putCredential(r: CredentialRecord): Promise<void>;
  /**
   * Record a credential unless one with its id is recorded already; resolves to the
   * recorded one — this one, or the one that was there first (which is left untouched).
   */
  createCredential(r: CredentialRecord): Promise<CredentialRecord>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;
}
