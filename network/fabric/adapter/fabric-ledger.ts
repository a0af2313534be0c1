/**
 * The Fabric `Ledger` adapter: the Ledger port over `@hyperledger/fabric-gateway` 1.11
 * and `@grpc/grpc-js`, talking to one peer's gateway service with TLS.
 *
 *   submit    endorse → submit to the orderer → wait for the commit status → the tx's
 *             index in its block (filtered block events, or the block via qscc)
 *   evaluate  the gateway's Evaluate on one peer (committed state only)
 *   info      qscc GetChainInfo → common.BlockchainInfo
 *   blocks    the peer's block events (deliver), from block N, as serialized common.Block
 *   events    the gateway's chaincode events, with each transaction's index taken from
 *             the filtered block events of the same blocks
 *
 * Every unary call has a deadline; failures map to the port's stable codes (./errors).
 *
 * Retry policy of `submit`:
 *  - MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT: the transaction committed invalid, so
 *    none of its writes happened; it is endorsed again from scratch (new tx id, fresh
 *    simulation against the newer state) up to `mvccRetries` times (default 3), with a
 *    short jittered pause. The new simulation re-runs every rule, so a retry may be
 *    refused by the contract (e.g. INVALID_TRANSITION after a concurrent revoke): that
 *    rejection is the answer.
 *  - lost commit status (connection trouble while waiting): the status is asked again,
 *    for the same tx id (a read, always safe), up to `commitStatusRetries` times; never
 *    a second submission. If the outcome stays unknown the call fails with TIMEOUT or
 *    UNAVAILABLE carrying the tx id, and the ledger remembers that tx.
 *  - a later `submit` of the very same function and arguments that the contract refuses
 *    with STATEMENT_REPLAYED is checked against those remembered transactions: if one of
 *    them did commit VALID, the statement was applied by this caller's earlier attempt,
 *    and submit returns that transaction's result (tx id, block, index, payload) instead
 *    of the rejection. A STATEMENT_REPLAYED with no such earlier attempt (someone else
 *    applied the statement) is returned as the RejectedError it is.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import {
  checkpointers,
  connect,
  hash,
  signers,
  type ChaincodeEvent,
  type Checkpointer,
  type CloseableAsyncIterable,
  type Commit,
  type Contract,
  type Gateway,
  type Network,
  type Proposal,
  type Status,
  type Transaction,
} from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import { TxValidationCode, validationCodeName } from '../../blocks/codes';
import { fromTimestamp } from '../../blocks/tx';
import { CommitError, LedgerError, RejectedError } from '../../ports/ledger';
import type {
  ChaincodeEventRecord,
  Ledger,
  LedgerInfo,
  RawBlock,
  StreamOptions,
  SubmitResult,
} from '../../ports/ledger';
import { isTransient, toLedgerError } from './errors';
import { Qscc, TxLocator } from './locate';
import { PrefetchedStream } from './stream';

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

/**
 * Connect to a Fabric peer's gateway.
 *
 * @example
 * const ledger = await openFabricLedger(fabricConfigFromNetwork(readNetworkConfig(dir)));
 * const { txId, block, txIndex } = await ledger.submit('anchor', [statementJws]);
 */
export function openFabricLedger(cfg: FabricLedgerConfig, opts: FabricLedgerOptions = {}): Promise<FabricLedger> {
  return FabricLedger.open(cfg, opts);
}

function pem(pathOrPem: string): Buffer {
  return pathOrPem.trimStart().startsWith('-----BEGIN') ? Buffer.from(pathOrPem) : readFileSync(pathOrPem);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function proposalTimestamp(p: Proposal): Date {
  const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(p.getBytes());
  const prop = peer.Proposal.deserializeBinary(proposed.getProposal()!.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(prop.getHeader_asU8());
  return fromTimestamp(common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getTimestamp());
}

/** Number of chaincode events of `chaincode` a filtered transaction carries. */
function eventCount(t: peer.FilteredTransaction, chaincode: string): number {
  const actions = t.getTransactionActions()?.getChaincodeActionsList() ?? [];
  return actions.filter((a) => a.getChaincodeEvent()?.getChaincodeId() === chaincode).length;
}

interface Earlier {
  txId: string;
  result: Uint8Array;
  timestamp: Date;
}

const MAX_REMEMBERED = 1000;

export class FabricLedger implements Ledger {
  readonly kind = 'fabric' as const;
  private closing = false;
  private closed = false;
  private closePromise?: Promise<void>;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly streams = new Set<PrefetchedStream<unknown>>();
  /** Submits whose outcome stayed unknown, by function and arguments. */
  private readonly unresolved = new Map<string, Earlier[]>();
  private readonly locator: TxLocator;
  private readonly qscc: Qscc;
  private readonly network: Network;
  private readonly contract: Contract;
  /** Counters, for benchmarks and logs. */
  readonly stats = { submits: 0, mvccRetries: 0, commitStatusRetries: 0, replayResolved: 0, streamReconnects: 0 };

  /** The chaincode name the configuration gives (ANXIN_FABRIC_CHAINCODE). */
  get chaincode(): string {
    return this.config.chaincode;
  }

  private constructor(
    private readonly client: grpc.Client,
    private readonly gateway: Gateway,
    readonly config: FabricLedgerConfig,
    private readonly opts: Required<Omit<FabricLedgerOptions, 'timeouts' | 'grpcOptions'>> & {
      timeouts: FabricTimeouts;
    },
  ) {
    this.network = gateway.getNetwork(config.channel);
    this.contract = this.network.getContract(config.chaincode);
    this.qscc = new Qscc(this.network.getContract('qscc'), config.channel);
    this.locator = new TxLocator(this.network, async () => (await this.qscc.chainInfo()).getHeight(), this.qscc);
  }

  static async open(cfg: FabricLedgerConfig, options: FabricLedgerOptions = {}): Promise<FabricLedger> {
    const timeouts = { ...DEFAULT_FABRIC_TIMEOUTS, ...options.timeouts };
    const opts = {
      mvccRetries: options.mvccRetries ?? 3,
      commitStatusRetries: options.commitStatusRetries ?? 3,
      streamRetries: options.streamRetries ?? 5,
      waitForReady: options.waitForReady ?? true,
      closeGraceMs: options.closeGraceMs ?? 10_000,
      timeouts,
    };
    let identity: { mspId: string; credentials: Uint8Array };
    let signer: ReturnType<typeof signers.newPrivateKeySigner>;
    let tlsRoot: Buffer;
    try {
      tlsRoot = pem(cfg.tlsRootCert);
      identity = { mspId: cfg.mspId, credentials: pem(cfg.certPath) };
      signer = signers.newPrivateKeySigner(createPrivateKey(pem(cfg.keyPath)));
    } catch (e) {
      throw new LedgerError('UNAVAILABLE', `Fabric client identity or TLS root not readable: ${(e as Error).message}`);
    }
    const client = new grpc.Client(cfg.peerEndpoint, grpc.credentials.createSsl(tlsRoot), {
      ...(cfg.serverNameOverride ? { 'grpc.ssl_target_name_override': cfg.serverNameOverride } : {}),
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      ...options.grpcOptions,
    });
    if (opts.waitForReady) {
      try {
        await new Promise<void>((resolve, reject) =>
          client.waitForReady(Date.now() + timeouts.connectMs, (err) => (err ? reject(err) : resolve())),
        );
      } catch (e) {
        client.close();
        throw new LedgerError(
          'UNAVAILABLE',
          `cannot reach the Fabric peer at ${cfg.peerEndpoint}: ${(e as Error).message}`,
        );
      }
    }
    const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
    const gw = connect({
      client,
      identity,
      signer,
      hash: hash.sha256,
      evaluateOptions: deadline(timeouts.evaluateMs),
      endorseOptions: deadline(timeouts.endorseMs),
      submitOptions: deadline(timeouts.submitMs),
      commitStatusOptions: deadline(timeouts.commitStatusMs),
    });
    return new FabricLedger(client, gw, cfg, opts);
  }

  private ensureOpen(): void {
    if (this.closing) throw new LedgerError('CLOSED', 'the ledger is closed');
  }

  private closedError(): Promise<never> {
    return Promise.reject(new LedgerError('CLOSED', 'the ledger is closed'));
  }

  private map(e: unknown, op: string, txId?: string): LedgerError {
    return toLedgerError(e, { op, ...(txId ? { txId } : {}), closed: this.closed });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  // ------------------------------------------------------------------ submit

  submit(fn: string, args: string[]): Promise<SubmitResult> {
    if (this.closing) return this.closedError();
    this.stats.submits++;
    return this.track(this.submitWithRetry(fn, args));
  }

  private async submitWithRetry(fn: string, args: string[]): Promise<SubmitResult> {
    const key = createHash('sha256')
      .update(JSON.stringify([fn, ...args]))
      .digest('hex');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.submitOnce(fn, args, key);
      } catch (e) {
        if (e instanceof RejectedError && e.reason === 'STATEMENT_REPLAYED') {
          const earlier = await this.earlierCommit(key).catch(() => undefined);
          if (earlier) {
            this.stats.replayResolved++;
            return earlier;
          }
        }
        const conflict =
          e instanceof CommitError && (e.code === 'MVCC_READ_CONFLICT' || e.code === 'PHANTOM_READ_CONFLICT');
        if (conflict && attempt < this.opts.mvccRetries && !this.closed) {
          this.stats.mvccRetries++;
          await sleep(5 + Math.random() * 20 * (attempt + 1));
          continue;
        }
        throw e;
      }
    }
  }

  private async submitOnce(fn: string, args: string[], key: string): Promise<SubmitResult> {
    const proposal = this.contract.newProposal(fn, { arguments: args });
    const txId = proposal.getTransactionId();
    const timestamp = proposalTimestamp(proposal);
    this.locator.expect(txId);
    try {
      let tx: Transaction;
      try {
        tx = await proposal.endorse();
      } catch (e) {
        throw this.map(e, `endorse ${fn}`, txId);
      }
      const result = tx.getResult();
      const earlier: Earlier = { txId, result, timestamp };
      let commit: Commit;
      try {
        commit = await tx.submit();
      } catch (e) {
        // The orderer may have it all the same.
        this.remember(key, earlier);
        throw this.map(e, `submit ${fn} to the orderer`, txId);
      }
      const status = await this.commitStatus(commit, fn, key, earlier);
      const block = Number(status.blockNumber);
      if (!status.successful) {
        const name = validationCodeName(status.code);
        const code = name === 'MVCC_READ_CONFLICT' || name === 'PHANTOM_READ_CONFLICT' ? name : 'INVALID';
        throw new CommitError(code, name, block, txId);
      }
      let txIndex: number;
      try {
        txIndex = (await this.locator.locate(txId, block)).index;
      } catch (e) {
        this.remember(key, earlier); // committed VALID: a retry of the caller resolves to it
        throw this.map(e, `find ${txId} in block ${block}`, txId);
      }
      return { txId, block, txIndex, code: 'VALID', result, timestamp };
    } finally {
      this.locator.forget(txId);
    }
  }

  private async commitStatus(commit: Commit, fn: string, key: string, earlier: Earlier): Promise<Status> {
    for (let i = 0; ; i++) {
      try {
        return await commit.getStatus();
      } catch (e) {
        if (isTransient(e) && i < this.opts.commitStatusRetries && !this.closed) {
          this.stats.commitStatusRetries++;
          await sleep(200 * (i + 1));
          continue;
        }
        this.remember(key, earlier);
        throw this.map(e, `wait for the commit of ${fn}`, earlier.txId);
      }
    }
  }

  private remember(key: string, e: Earlier): void {
    const list = this.unresolved.get(key) ?? [];
    list.push(e);
    this.unresolved.delete(key);
    this.unresolved.set(key, list.slice(-4));
    while (this.unresolved.size > MAX_REMEMBERED) this.unresolved.delete(this.unresolved.keys().next().value!);
  }

  /** One of this ledger's earlier, unresolved submits of the same call that did commit VALID. */
  private async earlierCommit(key: string): Promise<SubmitResult | undefined> {
    const list = this.unresolved.get(key);
    if (!list) return undefined;
    for (const e of list) {
      const code = await this.qscc.validationCode(e.txId);
      if (code !== TxValidationCode.VALID) continue;
      const loc = await this.qscc.locate(e.txId);
      if (!loc) continue;
      this.unresolved.delete(key);
      return {
        txId: e.txId,
        block: loc.block,
        txIndex: loc.index,
        code: 'VALID',
        result: e.result,
        timestamp: e.timestamp,
      };
    }
    return undefined;
  }

  // ------------------------------------------------------------------ reads

  evaluate(fn: string, args: string[]): Promise<Uint8Array> {
    if (this.closing) return this.closedError();
    return this.track(
      this.contract.evaluate(fn, { arguments: args }).catch((e: unknown) => {
        throw this.map(e, `evaluate ${fn}`);
      }),
    );
  }

  info(): Promise<LedgerInfo> {
    if (this.closing) return this.closedError();
    return this.track(
      this.qscc.chainInfo().then(
        (bi) => ({
          height: bi.getHeight(),
          currentBlockHash: hex(bi.getCurrentblockhash_asU8()),
          previousBlockHash: hex(bi.getPreviousblockhash_asU8()),
        }),
        (e: unknown) => {
          throw this.map(e, 'chain info (qscc GetChainInfo)');
        },
      ),
    );
  }

  /** Where a transaction was committed and with which validation code, from the peer (qscc). */
  async transaction(txId: string): Promise<{ block: number; index: number; code: string } | undefined> {
    this.ensureOpen();
    try {
      if ((await this.qscc.validationCode(txId)) === undefined) return undefined;
      const loc = await this.qscc.locate(txId);
      return loc && { block: loc.block, index: loc.index, code: validationCodeName(loc.code) };
    } catch (e) {
      throw this.map(e, `find transaction ${txId}`, txId);
    }
  }

  /** One committed block's bytes (qscc GetBlockByNumber). */
  async block(n: number): Promise<Uint8Array> {
    this.ensureOpen();
    try {
      return (await this.qscc.blockByNumber(n)).serializeBinary();
    } catch (e) {
      throw this.map(e, `block ${n}`);
    }
  }

  // ------------------------------------------------------------------ streams

  private async openStream<T>(
    open: () => Promise<CloseableAsyncIterable<T>>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<PrefetchedStream<T> | undefined> {
    let raw: CloseableAsyncIterable<T>;
    try {
      raw = await open();
    } catch (e) {
      throw this.map(e, what);
    }
    const onAbort = () => stream.close();
    const stream: PrefetchedStream<T> = new PrefetchedStream(raw, () => {
      signal?.removeEventListener('abort', onAbort);
      this.streams.delete(stream as PrefetchedStream<unknown>);
    });
    this.streams.add(stream as PrefetchedStream<unknown>);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted || this.closing) {
      stream.close();
      return undefined;
    }
    return stream;
  }

  /** Whether a stream failure should end the stream quietly, be retried, or thrown. */
  private async streamFailed(
    e: unknown,
    cancelled: boolean,
    signal: AbortSignal | undefined,
    failures: number,
    what: string,
  ): Promise<'end' | 'retry'> {
    if (cancelled || signal?.aborted || this.closing) return 'end';
    if (isTransient(e) && failures <= this.opts.streamRetries) {
      this.stats.streamReconnects++;
      await sleep(Math.min(5_000, 250 * 2 ** (failures - 1)));
      return 'retry';
    }
    throw this.map(e, what);
  }

  async *blocks(from: number, opts: FabricStreamOptions = {}): AsyncIterable<RawBlock> {
    this.ensureOpen();
    const { signal, checkpointer } = opts;
    const end = opts.follow === false ? (await this.info()).height : undefined;
    const cp = checkpointer?.getBlockNumber();
    let next = cp !== undefined ? Number(cp) : Math.max(0, from);
    let failures = 0;
    while (end === undefined || next < end) {
      const h = await this.openStream(
        () => this.network.getBlockEvents({ startBlock: BigInt(next) }),
        signal,
        'block events',
      );
      if (!h) return;
      try {
        for await (const block of h) {
          failures = 0;
          const n = block.getHeader()?.getNumber() ?? -1;
          if (n < next) continue;
          yield { number: n, bytes: block.serializeBinary() };
          next = n + 1;
          if (checkpointer) await checkpointer.checkpointBlock(BigInt(n));
          if ((end !== undefined && next >= end) || signal?.aborted || this.closing) return;
        }
        if (h.cancelled || signal?.aborted || this.closing) return;
        throw Object.assign(new Error('the block event stream ended'), { code: grpc.status.UNAVAILABLE });
      } catch (e) {
        if ((await this.streamFailed(e, h.cancelled, signal, ++failures, 'block events')) === 'end') return;
      } finally {
        h.close();
      }
    }
  }

  async *events(from: number, opts: FabricStreamOptions = {}): AsyncIterable<ChaincodeEventRecord> {
    this.ensureOpen();
    const { signal, checkpointer } = opts;
    const end = opts.follow === false ? (await this.info()).height : undefined;
    const cp = checkpointer?.getBlockNumber();
    // Position: block to (re)start from; in that block, events up to and including afterTx are done.
    let pos: { block: number; afterTx?: string } =
      cp !== undefined
        ? {
            block: Number(cp),
            ...(checkpointer?.getTransactionId() ? { afterTx: checkpointer.getTransactionId()! } : {}),
          }
        : { block: Math.max(0, from) };
    let failures = 0;
    const chaincode = this.config.chaincode;
    while (end === undefined || pos.block < end) {
      const start = BigInt(pos.block);
      const fb = await this.openStream(
        () => this.network.getFilteredBlockEvents({ startBlock: start }),
        signal,
        'filtered block events',
      );
      if (!fb) return;
      let ev: PrefetchedStream<ChaincodeEvent> | undefined;
      try {
        ev = await this.openStream(
          () => this.network.getChaincodeEvents(chaincode, { startBlock: start }),
          signal,
          'chaincode events',
        );
        if (!ev) return;
        const evIt = ev;
        for await (const block of fb) {
          failures = 0;
          const n = block.getNumber();
          if (n < pos.block) continue;
          const skipThrough = n === pos.block ? pos.afterTx : undefined;
          let skipping = skipThrough !== undefined;
          const txs = block.getFilteredTransactionsList();
          for (let i = 0; i < txs.length; i++) {
            const t = txs[i]!;
            if (t.getTxValidationCode() !== TxValidationCode.VALID) continue;
            for (let k = eventCount(t, chaincode); k > 0; k--) {
              const r = await evIt.next();
              if (r.done)
                throw Object.assign(new Error('the chaincode event stream ended'), { code: grpc.status.UNAVAILABLE });
              const e = r.value;
              if (e.transactionId !== t.getTxid() || Number(e.blockNumber) !== n) {
                throw new LedgerError(
                  'UNAVAILABLE',
                  `chaincode events and blocks disagree: block ${n} tx ${i} (${t.getTxid()}) has an event, the event stream gave ${e.transactionId} of block ${e.blockNumber}`,
                );
              }
              if (skipping) {
                if (e.transactionId === skipThrough) skipping = false;
                continue;
              }
              yield { block: n, txId: e.transactionId, txIndex: i, name: e.eventName, payload: e.payload };
              pos = { block: n, afterTx: e.transactionId };
              if (checkpointer) await checkpointer.checkpointChaincodeEvent(e);
              if (signal?.aborted || this.closing) return;
            }
          }
          pos = { block: n + 1 };
          if (checkpointer) await checkpointer.checkpointBlock(BigInt(n));
          if ((end !== undefined && pos.block >= end) || signal?.aborted || this.closing) return;
        }
        if (fb.cancelled || signal?.aborted || this.closing) return;
        throw Object.assign(new Error('the filtered block event stream ended'), { code: grpc.status.UNAVAILABLE });
      } catch (e) {
        const cancelled = fb.cancelled || (ev?.cancelled ?? false);
        if ((await this.streamFailed(e, cancelled, signal, ++failures, 'chaincode events')) === 'end') return;
      } finally {
        ev?.close();
        fb.close();
      }
    }
  }

  // ------------------------------------------------------------------ close

  /** Refuse new calls, let calls in flight finish (up to closeGraceMs), then close the streams, the gateway and the gRPC client. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      if (this.inflight.size) {
        const grace = sleep(this.opts.closeGraceMs, undefined, { ref: false });
        await Promise.race([Promise.allSettled([...this.inflight]), grace]);
      }
      this.closed = true;
      for (const h of [...this.streams]) h.close();
      this.locator.close();
      this.gateway.close();
      this.client.close();
    })();
    return this.closePromise;
  }
}
