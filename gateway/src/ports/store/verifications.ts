/** The verification log: who checked which credential when, so its status changes can be told to them. */

export interface VerificationLogEntry {
  credentialId: string;
  verifier: string;
  at: string;
  verified: boolean;
  /** For a credential bound to a key: how its key-binding JWT was judged ('challenge' or 'static'). */
  binding?: string;
}

export interface VerificationLogStore {
  /** Record verifications, in one write where the adapter can. The same (credential, verifier, at) is one entry. */
  recordVerifications(entries: VerificationLogEntry[]): Promise<void>;
  /** Distinct verifiers of a credential since an instant, with their latest check. */
  verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]>;
  /** Every logged verification of these credentials, newest first (at most `limit`). */
  verificationsOf(credentialIds: readonly string[], limit: number): Promise<VerificationLogEntry[]>;
}
