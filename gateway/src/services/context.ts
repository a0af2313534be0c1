/**
 * What the use cases need, assembled once at start-up and passed down.
 */
import type { Ledger } from '@anxin/network';
import type { Kek } from '../crypto/kek';
import type { Store } from '../ports/store';
import type { KeyStore } from './keystore';
import type { LedgerClient } from './ledger-client';
import type { Projection } from './projection';
import type { VerificationLog } from './verify/log';

export interface Services {
  store: Store;
  ledger: Ledger;
  ledgerClient: LedgerClient;
  projection: Projection;
  keys: KeyStore;
  kek: Kek;
  /** Who verified what, buffered; flushed before it is read. */
  verificationLog: VerificationLog;
  publicUrl: string;
  now(): Date;
}
