/**
 * The Fabric `Ledger` adapter: the Ledger port over `@hyperledger/fabric-gateway` 1.11
 * and `@grpc/grpc-js`, talking to one peer's gateway service with TLS (./connect).
 *
 *   submit    endorse → submit to the orderer → wait for the commit status → the tx's
 *             index in its block (./submit, with its retry policy; ./locate)
 *   evaluate  the gateway's Evaluate on one peer (committed state only)
 *   info      qscc GetChainInfo → common.BlockchainInfo
 *   blocks    the peer's block events (deliver), from block N, as serialized common.Block
 *   events    the gateway's chaincode events, with each transaction's index taken from
 *             the filtered block events of the same blocks (./deliver)
 *
 * Every unary call has a deadline (./config); failures map to the port's stable codes
 * (./errors).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type * as grpc from '@grpc/grpc-js';
import type { Contract, Gateway, Network } from '@hyperledger/fabric-gateway';
import { validationCodeName } from '../../blocks/codes';
import { LedgerError } from '../../ports/ledger';
import type { ChaincodeEventRecord, Ledger, LedgerInfo, RawBlock, SubmitResult } from '../../ports/ledger';
import {
  resolveFabricOptions,
  type FabricLedgerConfig,
  type FabricLedgerOptions,
  type FabricLedgerStats,
  type FabricStreamOptions,
  type ResolvedFabricOptions,
} from './config';
import { connectGateway } from './connect';
import { Streams } from './deliver';
import { toLedgerError } from './errors';
import { Qscc, TxLocator } from './locate';
import { Submitter } from './submit';

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

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export class FabricLedger implements Ledger {
  readonly kind = 'fabric' as const;
  private closing = false;
  private closed = false;
  private closePromise?: Promise<void>;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly locator: TxLocator;
  private readonly qscc: Qscc;
  private readonly network: Network;
  private readonly contract: Contract;
  private readonly submitter: Submitter;
  private readonly streams: Streams;
  /** Counters, for benchmarks and logs. */
  readonly stats: FabricLedgerStats = {
    submits: 0,
    mvccRetries: 0,
    commitStatusRetries: 0,
    replayResolved: 0,
    streamReconnects: 0,
  };

  /** The chaincode name the configuration gives (ANXIN_FABRIC_CHAINCODE). */
  get chaincode(): string {
    return this.config.chaincode;
  }

  private constructor(
    private readonly client: grpc.Client,
    private readonly gateway: Gateway,
    readonly config: FabricLedgerConfig,
    private readonly opts: ResolvedFabricOptions,
  ) {
    this.network = gateway.getNetwork(config.channel);
    this.contract = this.network.getContract(config.chaincode);
    this.qscc = new Qscc(this.network.getContract('qscc'), config.channel);
    this.locator = new TxLocator(this.network, async () => (await this.qscc.chainInfo()).getHeight(), this.qscc);
    this.submitter = new Submitter({
      contract: this.contract,
      locator: this.locator,
      qscc: this.qscc,
      retries: { mvcc: opts.mvccRetries, commitStatus: opts.commitStatusRetries },
      stats: this.stats,
      closed: () => this.closed,
      map: (e, op, txId) => this.map(e, op, txId),
    });
    this.streams = new Streams({
      network: this.network,
      chaincode: config.chaincode,
      retries: opts.streamRetries,
      stats: this.stats,
      closing: () => this.closing,
      info: () => this.info(),
      map: (e, op) => this.map(e, op),
    });
  }

  static async open(cfg: FabricLedgerConfig, options: FabricLedgerOptions = {}): Promise<FabricLedger> {
    const opts = resolveFabricOptions(options);
    const { client, gateway } = await connectGateway(cfg, opts, options.grpcOptions);
    return new FabricLedger(client, gateway, cfg, opts);
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

  submit(fn: string, args: string[]): Promise<SubmitResult> {
    if (this.closing) return this.closedError();
    this.stats.submits++;
    return this.track(this.submitter.submit(fn, args));
  }

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

  async *blocks(from: number, opts: FabricStreamOptions = {}): AsyncIterable<RawBlock> {
    this.ensureOpen();
    yield* this.streams.blocks(from, opts);
  }

  async *events(from: number, opts: FabricStreamOptions = {}): AsyncIterable<ChaincodeEventRecord> {
    this.ensureOpen();
    yield* this.streams.events(from, opts);
  }

  /** Refuse new calls, let calls in flight finish (up to closeGraceMs), then close the streams, the gateway and the gRPC client. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      if (this.inflight.size) {
        const grace = sleep(this.opts.closeGraceMs, undefined, { ref: false });
        await Promise.race([Promise.allSettled([...this.inflight]), grace]);
      }
      this.closed = true;
      this.streams.closeAll();
      this.locator.close();
      this.gateway.close();
      this.client.close();
    })();
    return this.closePromise;
  }
}
