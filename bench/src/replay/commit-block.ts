/**
 * The ledger generator's block commit: each planned transaction simulated by the contract's
 * own rules on the committed state of the block's start (Fabric's simulation, reads recorded
 * with their versions), endorsed and enveloped with network/blocks, validated in block order
 * (MVCC), assembled, signed by the orderer, appended to the block files and indexed.
 */
import {
  KeyValueLedgerState,
  STATEMENT_RULES,
  canonicalBytes,
  type Effect,
  type StatementFunction,
} from '@anxin/chaincode/rules';
import {
  TxValidationCode,
  assembleBlock,
  buildEnvelope,
  buildProposal,
  encodeRwSet,
  endorse,
  proposalResponsePayload,
  type KVReadSpec,
  type NsRwSetSpec,
  type Signer,
  type SigningIdentity,
} from '@anxin/network';
import type { BlockFileWriter, StateDb, TxRecord, createNetwork } from '@anxin/network/embedded';

export interface Versioned {
  value: Buffer;
  version: { block: number; tx: number };
}

/** The contract's rules on the generator's in-memory state, recording reads (with versions) as a stub would. */
class Simulation extends KeyValueLedgerState {
  readonly reads = new Map<string, KVReadSpec>();
  readonly writes = new Map<string, Buffer>();
  constructor(private readonly state: Map<string, Versioned>) {
    super();
  }
  protected readRaw(key: string): Promise<Uint8Array | undefined> {
    const v = this.state.get(key);
    if (!this.reads.has(key)) this.reads.set(key, v ? { key, version: v.version } : { key });
    return Promise.resolve(v?.value);
  }
  protected writeRaw(key: string, value: Buffer): Promise<void> {
    this.writes.set(key, value);
    return Promise.resolve();
  }
}

const RULES = STATEMENT_RULES;

/** Sign in this thread (the embedded ledger signs on the pool; here the pool round trip costs more than the signature). */
export function inThread(id: SigningIdentity): Signer {
  return { serialize: () => id.serialize(), sign: (m) => Promise.resolve(id.signSync(m)) };
}

export interface Planned {
  fn: StatementFunction;
  arg: string;
  time: Date;
}

/** What committing a block works with, and the tallies it keeps. */
export interface Gen {
  d: Awaited<ReturnType<typeof createNetwork>>;
  ns: string;
  /** The committed state (key → value and version). */
  state: Map<string, Versioned>;
  client: SigningIdentity;
  clientSigner: Signer;
  peerSigner: Signer;
  orderer: SigningIdentity;
  writer: BlockFileWriter;
  db: StateDb;
  previousHash: Uint8Array;
  height: number;
  byKind: Record<string, number>;
  valid: number;
  conflicts: number;
  total: number;
  bytes: number;
}

/** Commit one planned block: simulate every transaction on the state at the block's start, validate in order, write. */
export async function commitBlock(g: Gen, txs: Planned[]): Promise<void> {
  const { d, ns, state } = g;
  const sims = await Promise.all(
    txs.map(async (p) => {
      const proposal = buildProposal({
        channelId: d.channel,
        chaincode: ns,
        args: [p.fn, p.arg].map((a) => Buffer.from(a, 'utf8')),
        creator: g.client.serialize(),
        timestamp: p.time,
      });
      // Simulation reads committed state only: the state at the start of this block.
      const sim = new Simulation(state);
      let effect: Effect<unknown>;
      try {
        effect = await RULES[p.fn](sim, p.arg, { txId: proposal.txId, time: p.time.toISOString() });
      } catch (e) {
        throw new Error(`generator: ${p.fn} refused at block ${g.height}: ${(e as Error).message}`);
      }
      const rwset: NsRwSetSpec = {
        namespace: ns,
        reads: [...sim.reads.values()],
        rangeQueries: [],
        writes: [...sim.writes.entries()].map(([key, value]) => ({ key, isDelete: false, value })),
      };
      const prp = proposalResponsePayload(proposal, {
        rwset: encodeRwSet([rwset]),
        event: { name: effect.event.name, payload: canonicalBytes(effect.event.payload) },
        response: { status: 200, message: '', payload: canonicalBytes(effect.result) },
        chaincodeVersion: d.chaincode.version,
      });
      const envelope = await buildEnvelope(proposal, prp, [await endorse(prp, g.peerSigner)], g.clientSigner);
      return { p, txId: proposal.txId, rwset, envelope };
    }),
  );
  // Fabric's validation in block order: a read of a key an earlier valid transaction of the block wrote is a conflict.
  const updated = new Set<string>();
  const codes = sims.map((s) => {
    const conflict = s.rwset.reads.some((r) => updated.has(r.key));
    if (conflict) return TxValidationCode.MVCC_READ_CONFLICT;
    for (const w of s.rwset.writes) updated.add(w.key);
    return TxValidationCode.VALID;
  });
  const number = g.height;
  const block = await assembleBlock({
    number,
    previousHash: g.previousHash,
    envelopes: sims.map((s) => s.envelope),
    txFilter: Uint8Array.from(codes),
    lastConfig: 0,
    orderer: g.orderer,
  });
  const location = await g.writer.append(block.bytes);
  const records: TxRecord[] = sims.map((s, index) => ({
    txId: s.txId,
    index,
    code: codes[index]!,
    timestamp: s.p.time,
    writes: s.rwset.writes.map((w) => ({ ns, ...w })),
  }));
  g.db.commit({ number, hash: block.hash, location, txs: records });
  sims.forEach((s, index) => {
    g.total++;
    g.byKind[s.p.fn] = (g.byKind[s.p.fn] ?? 0) + 1;
    if (codes[index] !== TxValidationCode.VALID) {
      g.conflicts++;
      return;
    }
    g.valid++;
    for (const w of s.rwset.writes)
      state.set(w.key, { value: Buffer.from(w.value), version: { block: number, tx: index } });
  });
  g.bytes += block.bytes.length;
  g.previousHash = block.hash;
  g.height++;
}
