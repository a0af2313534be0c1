/**
 * The small state interface the rules work on. The contract implements it over a
 * Fabric ChaincodeStub; tests and the auditor's replay implement it over a Map.
 */
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';

export interface StatementMark {
  txId: string;
  kind: string;
  iss: string;
}

/** A status list's owner: the issuer that first gave out one of its entries. */
export interface StatusListMark {
  issuer: string;
  openedAt: string;
}

/** A status list entry given out: to which credential. */
export interface StatusSlotMark {
  credentialId: string;
}

export interface LedgerState {
  getRegistrar(): Promise<RegistrarRecord | undefined>;
  getIssuer(id: string): Promise<IssuerRecord | undefined>;
  getAnchor(id: string): Promise<AnchorRecord | undefined>;
  getStatement(jti: string): Promise<StatementMark | undefined>;
  putRegistrar(r: RegistrarRecord): Promise<void>;
  putIssuer(r: IssuerRecord): Promise<void>;
  putAnchor(r: AnchorRecord): Promise<void>;
  putStatement(jti: string, mark: StatementMark): Promise<void>;
  getStatusList(list: string): Promise<StatusListMark | undefined>;
  putStatusList(list: string, mark: StatusListMark): Promise<void>;
  getStatusSlot(list: string, idx: number): Promise<StatusSlotMark | undefined>;
  putStatusSlot(list: string, idx: number, mark: StatusSlotMark): Promise<void>;
}

/** What a transaction was: its id and the (deterministic) transaction time. */
export interface TxContext {
  txId: string;
  /** Transaction timestamp, ISO 8601 UTC with milliseconds. */
  time: string;
}
