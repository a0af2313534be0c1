/**
 * Status list entries as the projection holds them: for each (list, index) the ledger gave
 * out, the credential, its issuer and its current status. The published status lists are
 * built from these; the ledger stays the source of truth (each write is an upsert guarded by
 * the (block, tx) of the change, like the rest of the projection).
 */
import type { AnchorStatus } from '@anxin/schemas';

export interface StatusEntryRecord {
  list: string;
  idx: number;
  issuer: string;
  credentialId: string;
  status: AnchorStatus;
  updatedBlock: number;
  updatedTx: number;
}

/** A status list in use: its owner and how many of its entries are given out. */
export interface StatusListSummary {
  list: string;
  issuer: string;
  entries: number;
}

export interface StatusEntryStore {
  /** Upsert, unless the stored entry was changed at a later (block, tx). */
  putStatusEntry(r: StatusEntryRecord): Promise<void>;
  /** Every entry given out of `list`, by index. */
  listStatusEntries(list: string): Promise<StatusEntryRecord[]>;
  /** Whether entry `idx` of `list` is given out (as far as the projection knows). */
  statusEntryTaken(list: string, idx: number): Promise<boolean>;
  /** The lists in use, of one issuer or of all, by name. */
  statusLists(issuer?: string): Promise<StatusListSummary[]>;
}
