/** The verification log: who checked which credential when, so its status changes can be told to them. */

export interface VerificationLogEntry {
  credentialId: string;
  verifier: string;
  at: string;
  verified: boolean;
}

export interface VerificationLogStore {
  /** Record verifications, in one write where the adapter can. The same (credential, verifier, at) is one entry. */
  recordVerifications(entries: VerificationLogEntry[]): Promise<void>;
  /** Distinct verifiers of a credential since an instant, with their latest check. */
  verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]>;
}
