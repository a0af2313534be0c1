/**
 * The Ledger port: everything the gateway and the CLI ask of a ledger. Two adapters
 * implement it — the embedded single-process ledger and a Fabric peer through
 * @hyperledger/fabric-gateway — with the same semantics and the same error codes.
 */

export interface SubmitResult {
  txId: string;
  /** Block the transaction was committed in, and its index inside that block. */
  block: number;
  txIndex: number;
  /** Always 'VALID': anything else is thrown as a CommitError. */
  code: 'VALID';
  /** The chaincode's response payload. */
  result: Uint8Array;
  /** Transaction timestamp (the proposal's). */
  timestamp: Date;
}

export interface LedgerInfo {
  height: number;
  /** Hex SHA-256 of the newest block's header. */
  currentBlockHash: string;
  previousBlockHash: string;
}

export interface RawBlock {
  number: number;
  bytes: Uint8Array;
}

export interface ChaincodeEventRecord {
  block: number;
  txId: string;
  txIndex: number;
  name: string;
  payload: Uint8Array;
}

export interface StreamOptions {
  /** Stop waiting for new blocks when aborted. */
  signal?: AbortSignal;
  /** Keep waiting for blocks committed after the current height (default true). */
  follow?: boolean;
}

export interface Ledger {
  readonly kind: 'embedded' | 'fabric';
  /**
   * The name the Anxin chaincode has on this ledger, from the ledger's own configuration:
   * the namespace of its writes in every transaction's read-write set.
   */
  readonly chaincode: string;
  /** Endorse, order and commit a transaction; resolves once it is committed VALID. */
  submit(fn: string, args: string[]): Promise<SubmitResult>;
  /** Run a read-only transaction against committed state. */
  evaluate(fn: string, args: string[]): Promise<Uint8Array>;
  info(): Promise<LedgerInfo>;
  /** Blocks from `from` on, as Fabric protobuf bytes: the committed ones, then new ones as they commit. */
  blocks(from: number, opts?: StreamOptions): AsyncIterable<RawBlock>;
  /** Chaincode events of valid transactions from block `from` on. */
  events(from: number, opts?: StreamOptions): AsyncIterable<ChaincodeEventRecord>;
  close(): Promise<void>;
}
