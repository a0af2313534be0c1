/**
 * What the use cases need, assembled once at start-up and passed down.
 */
import type { Ledger } from '@anxin/network';
import type { Kek } from '../crypto/kek';
import type { Store } from '../ports/store';
import type { KeyStore } from './keystore';
import type { LedgerClient } from './ledger-client';
import type { Projection } from './projection';
import type { StatusEntryAllocator } from './status-lists/allocate';
import type { VerificationLog } from './verify/log';

/** Named points of issuance, where a test can make the process die (see Config.killAt). */
export type FaultPoint = 'issue:claimed' | 'issue:recorded' | 'issue:anchored';
export const FAULT_POINTS: readonly FaultPoint[] = ['issue:claimed', 'issue:recorded', 'issue:anchored'];

export interface Services {
  store: Store;
  ledger: Ledger;
  ledgerClient: LedgerClient;
  projection: Projection;
  keys: KeyStore;
  kek: Kek;
  /** Chooses each new credential's status list entry. */
  statusEntries: StatusEntryAllocator;
  /** Who verified what, buffered; flushed before it is read. */
  verificationLog: VerificationLog;
  publicUrl: string;
  now(): Date;
  /** How long an Idempotency-Key claim is held for its request (default IDEMPOTENCY_LEASE_MS). */
  idempotencyLeaseMs?: number;
  /** Called as issuance passes each FaultPoint: crash tests stop the process there. */
  fault?(point: FaultPoint): void;
}
