/**
 * The Fabric adapter's settings: where the peer is and who the client is, the deadline
 * of each kind of call, the retry budgets, and the checkpointer a stream may resume from.
 */
import type * as grpc from '@grpc/grpc-js';
import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import type { StreamOptions } from '../../ports/ledger';

/**
 * Where the peer is and who the client is. The gateway builds it from the ANXIN_FABRIC_*
 * variables (gateway/src/config.ts).
 */
export interface FabricLedgerConfig {
  /** host:port of the peer's gateway service. */
  peerEndpoint: string;
  /** The peer's TLS CA certificate: a PEM file path (or the PEM text itself). */
  tlsRootCert: string;
  /** TLS server name to expect (grpc.ssl_target_name_override), e.g. peer0.org1.anxin.local. */
  serverNameOverride?: string;
  mspId: string;
  /** Client identity certificate (PEM file). */
  certPath: string;
  /** Its private key (PKCS#8 PEM file). */
  keyPath: string;
  channel: string;
  chaincode: string;
}

export interface FabricTimeouts {
  /** Reaching the peer when opening (waitForReady). */
  connectMs: number;
  evaluateMs: number;
  endorseMs: number;
  /** Handing the endorsed transaction to the orderer. */
  submitMs: number;
  /** Waiting for the transaction to commit. */
  commitStatusMs: number;
}

export const DEFAULT_FABRIC_TIMEOUTS: FabricTimeouts = {
  connectMs: 10_000,
  evaluateMs: 10_000,
  endorseMs: 30_000,
  submitMs: 15_000,
  commitStatusMs: 60_000,
};

export interface FabricLedgerOptions {
  timeouts?: Partial<FabricTimeouts>;
  /** Re-endorsements of a submit after an MVCC or phantom read conflict (default 3). */
  mvccRetries?: number;
  /** Commit status re-asked after a connection failure (default 3). */
  commitStatusRetries?: number;
  /** Reconnections of a block or event stream after a connection failure, in a row (default 5). */
  streamRetries?: number;
  /** Fail `open` unless the peer answers within timeouts.connectMs (default true). */
  waitForReady?: boolean;
  /** How long close() lets calls in flight finish before cutting the connection (default 10 s). */
  closeGraceMs?: number;
  /** Extra gRPC channel options. */
  grpcOptions?: grpc.ChannelOptions;
}

/**
 * The port's stream options, plus a fabric-gateway checkpointer: when given, the stream
 * starts where the checkpoint says (ignoring `from`) if it holds a position, and records
 * each block (or event) once the consumer asks for the next one, i.e. after it has
 * handled it. With `fileCheckpointer(path)` a restarted process resumes where it left off.
 */
export interface FabricStreamOptions extends StreamOptions {
  checkpointer?: Checkpointer;
}

/** A checkpointer persisted in a file (fabric-gateway's checkpointers.file). */
export function fileCheckpointer(path: string): Promise<Checkpointer> {
  return checkpointers.file(path);
}

/** The gateway settings of a network started by network/fabric (DIR/network.json → gateway). */
export function fabricConfigFromNetwork(net: {
  gateway: {
    peerEndpoint: string;
    serverNameOverride?: string;
    tlsRootCertPath: string;
    mspId: string;
    certPath: string;
    keyPath: string;
    channel: string;
    chaincode: string;
  };
}): FabricLedgerConfig {
  const g = net.gateway;
  return {
    peerEndpoint: g.peerEndpoint,
    tlsRootCert: g.tlsRootCertPath,
    ...(g.serverNameOverride ? { serverNameOverride: g.serverNameOverride } : {}),
    mspId: g.mspId,
    certPath: g.certPath,
    keyPath: g.keyPath,
    channel: g.channel,
    chaincode: g.chaincode,
  };
}

/** The options with every default filled in. */
export type ResolvedFabricOptions = Required<Omit<FabricLedgerOptions, 'timeouts' | 'grpcOptions'>> & {
  timeouts: FabricTimeouts;
};

/** Fill in the defaults of `options`. */
export function resolveFabricOptions(options: FabricLedgerOptions): ResolvedFabricOptions {
  return {
    mvccRetries: options.mvccRetries ?? 3,
    commitStatusRetries: options.commitStatusRetries ?? 3,
    streamRetries: options.streamRetries ?? 5,
    waitForReady: options.waitForReady ?? true,
    closeGraceMs: options.closeGraceMs ?? 10_000,
    timeouts: { ...DEFAULT_FABRIC_TIMEOUTS, ...options.timeouts },
  };
}

/** Counters, for benchmarks and logs. */
export interface FabricLedgerStats {
  submits: number;
  mvccRetries: number;
  commitStatusRetries: number;
  replayResolved: number;
  streamReconnects: number;
}
