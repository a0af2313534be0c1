/**
 * Presentation requests (OpenID4VP 1.0, cross-device): what a verifier asked for, kept until
 * the worker's wallet answers it, so that any gateway sharing the store serves the request
 * object, takes the answer and shows the verifier the outcome. The answer, which holds what
 * the worker disclosed, is sealed. It is written once, by one conditional update of the
 * record: of two answers (on two gateways), one is kept.
 */
import type { Principal } from './api-keys';
import type { Sealed } from './sealed';

export interface StoredPresentationRequest {
  /** Random, public: the last segment of its request_uri and response_uri. */
  id: string;
  /** The verifier that asked (the principal whose API key made the request). */
  verifier: Principal;
  /**
   * What the request object is signed from (the DCQL query or preset, the job and fields in
   * plain words, the verifier's name, the nonce, the state, the Client Identifier): read back
   * whole, as written.
   */
  request: Record<string, unknown>;
  createdAt: string;
  expiresAt: string;
  /** Set once: when the wallet answered. */
  answeredAt?: string;
  /** The answer, sealed (with `presentation-request:<id>` as its associated data): the outcome, or the refusal. */
  answer?: Sealed;
}

export interface PresentationRequestStore {
  /** Record a new request; an id already recorded is refused (throws). */
  putPresentationRequest(r: StoredPresentationRequest): Promise<void>;
  getPresentationRequest(id: string): Promise<StoredPresentationRequest | undefined>;
  /** How many requests wait for an answer at `now`: not answered, not expired. */
  countPendingPresentationRequests(now: string): Promise<number>;
  /**
   * Record the answer, atomically and once: only on a request not yet answered and unexpired
   * at `answeredAt`. True when this call recorded it.
   */
  answerPresentationRequest(id: string, answer: { answeredAt: string; answer: Sealed }): Promise<boolean>;
}
