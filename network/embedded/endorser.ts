/**
 * Endorsement, as a Fabric peer does it for a client: build the signed proposal's parts,
 * simulate the chaincode on committed state (recording the read-write set), build the
 * proposal response payload, sign it as the peer (the endorsement), and sign the
 * transaction envelope as the client.
 *
 * The same code runs in the ledger's main thread and in its endorsement workers
 * (./endorser-worker): simulation only ever reads committed state, so where it runs
 * changes nothing; the committer's MVCC validation decides, in block order.
 */
import { common } from '@hyperledger/fabric-protos';
import { TxValidationCode } from '../blocks/codes';
import { decodeEnvelope } from '../blocks/decode';
import {
  buildEnvelope,
  buildProposal,
  encodeRwSet,
  endorse,
  proposalResponsePayload,
  type NsRwSetSpec,
  type Signer,
} from '../blocks/tx';
import { LedgerError } from '../ports/ledger';
import type { SigningIdentity } from '../msp/identity';
import { readBlockAt, type BlockLocation } from './blockfile';
import type { ContractRunner } from './chaincode';
import { committedDefinition, invocationRead } from './lifecycle';
import { SimulationStub, type HistoryRecord, type StateReader, type VersionedKV } from './stub';

export interface EndorseRequest {
  fn: string;
  args: string[];
  /** Transaction timestamp, milliseconds since the epoch. */
  timestamp: number;
}

/** What endorsement gives back: a signed envelope ready to order, or the chaincode's refusal. */
export type EndorseOutcome =
  | { ok: true; txId: string; envelope: Uint8Array; rwsets: NsRwSetSpec[]; status: number; payload: Uint8Array }
  | { ok: false; txId: string; status: number; message: string };

export interface EndorserContext {
  channel: string;
  chaincode: { name: string; version: string };
  runner: ContractRunner;
  reader: StateReader;
  client: SigningIdentity;
  peer: SigningIdentity;
  /**
   * Sign in the calling thread (a worker's own thread) instead of on libuv's pool. On a
   * worker, the pool round trip costs more than the signature.
   */
  signInThread?: boolean;
}

/** The committed-state database as simulation needs it (StateDb, or a read-only StateDb). */
export interface CommittedState {
  get(ns: string, key: string): VersionedKV | undefined;
  range(ns: string, start: string, end: string, limit: number): VersionedKV[];
  historyIndex(ns: string, key: string): Array<{ block: number; tx: number }>;
  block(n: number): BlockLocation | undefined;
}

/** Committed state as simulation sees it; history values come from the blocks, as on Fabric. */
export function committedStateReader(db: CommittedState, chainDir: string): StateReader {
  const historyRecord = (ns: string, key: string, blockNumber: number, txIndex: number): HistoryRecord => {
    const loc = db.block(blockNumber);
    if (!loc) throw new LedgerError('UNAVAILABLE', `no block ${blockNumber} in the block index`);
    const block = common.Block.deserializeBinary(readBlockAt(chainDir, loc));
    const tx = decodeEnvelope(block.getData()!.getDataList_asU8()[txIndex]!, txIndex, TxValidationCode.VALID);
    for (const a of tx.actions) {
      for (const s of a.rwsets) {
        if (s.namespace !== ns) continue;
        const w = s.writes.find((x) => x.key === key);
        if (w) return { txId: tx.txId, timestamp: tx.timestamp, isDelete: w.isDelete, value: Buffer.from(w.value) };
      }
    }
    throw new LedgerError(
      'UNAVAILABLE',
      `history index names block ${blockNumber} tx ${txIndex} for a key it does not write`,
    );
  };
  return {
    get: (ns, key) => db.get(ns, key),
    range: (ns, start, end, limit) => db.range(ns, start, end, limit),
    history: (ns, key) => db.historyIndex(ns, key).map(({ block, tx }) => historyRecord(ns, key, block, tx)),
  };
}

function inThread(id: SigningIdentity): Signer {
  return { serialize: () => id.serialize(), sign: (m) => Promise.resolve(id.signSync(m)) };
}

export class Endorser {
  private readonly clientSigner: Signer;
  private readonly peerSigner: Signer;
  private readonly creatorCert: Buffer;

  constructor(private readonly ctx: EndorserContext) {
    this.clientSigner = ctx.signInThread ? inThread(ctx.client) : ctx.client;
    this.peerSigner = ctx.signInThread ? inThread(ctx.peer) : ctx.peer;
    this.creatorCert = Buffer.from(ctx.client.certPem);
  }

  /** Simulate on committed state only; for `evaluate` (txId 'evaluate') and for endorsement. */
  simulate(fn: string, args: string[], timestamp: Date, txId: string) {
    const stub = new SimulationStub(
      {
        namespace: this.ctx.chaincode.name,
        channelId: this.ctx.channel,
        txId,
        timestamp,
        args: [fn, ...args].map((a) => Buffer.from(a, 'utf8')),
        creator: { mspId: this.ctx.client.mspId, idBytes: Buffer.from(this.creatorCert) },
      },
      this.ctx.reader,
    );
    return this.ctx.runner.invoke(stub).then((response) => ({ response, stub }));
  }

  /** Sign a sample message as the peer and as the client (to warm a fresh thread up). */
  async signSample(): Promise<void> {
    const m = Buffer.from('warm-up');
    await this.peerSigner.sign(m);
    await this.clientSigner.sign(m);
  }

  async endorse(req: EndorseRequest): Promise<EndorseOutcome> {
    const timestamp = new Date(req.timestamp);
    // As a Fabric peer does before it runs a chaincode: read its definition (recorded in the
    // read set, so an upgrade ordered first invalidates this transaction).
    const definition = committedDefinition(this.ctx.reader, this.ctx.chaincode.name);
    const proposal = buildProposal({
      channelId: this.ctx.channel,
      chaincode: this.ctx.chaincode.name,
      args: [req.fn, ...req.args].map((a) => Buffer.from(a, 'utf8')),
      creator: this.ctx.client.serialize(),
      timestamp,
    });
    if (!definition) {
      return {
        ok: false,
        txId: proposal.txId,
        status: 500,
        message: `chaincode definition for '${this.ctx.chaincode.name}' not found on channel '${this.ctx.channel}'`,
      };
    }
    const { response, stub } = await this.simulate(req.fn, req.args, timestamp, proposal.txId);
    if (response.status >= 400) {
      return { ok: false, txId: proposal.txId, status: response.status, message: response.message ?? '' };
    }
    const rwsets = [invocationRead(definition), stub.rwset()];
    const event = stub.chaincodeEvent();
    const payload = response.payload ?? new Uint8Array();
    const prp = proposalResponsePayload(proposal, {
      rwset: encodeRwSet(rwsets),
      ...(event ? { event } : {}),
      response: { status: response.status, message: response.message ?? '', payload },
      chaincodeVersion: definition.version,
    });
    const envelope = await buildEnvelope(proposal, prp, [await endorse(prp, this.peerSigner)], this.clientSigner);
    return { ok: true, txId: proposal.txId, envelope, rwsets, status: response.status, payload };
  }
}

/**
 * First come, first served, at most `limit` at a time. Endorsing everything at once
 * makes every transaction finish at the end of the whole wave (they share the CPU);
 * a few at a time, each finishes in a few milliseconds and reaches the orderer, so
 * blocks fill while the next ones are endorsed.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) {
      this.active++;
      return this.guard(job);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.guard(job));
  }

  private async guard<T>(job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
