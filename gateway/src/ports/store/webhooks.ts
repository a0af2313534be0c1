/** Verifiers' webhooks: at most one each. */

/** Where a verifier wants to be told when a credential it checked changes status. */
export interface WebhookRecord {
  /** The verifying principal's id. */
  verifier: string;
  url: string;
  createdAt: string;
}

export interface WebhookStore {
  putWebhook(r: WebhookRecord): Promise<void>;
  getWebhook(verifier: string): Promise<WebhookRecord | undefined>;
  /** True when there was one. */
  deleteWebhook(verifier: string): Promise<boolean>;
}
