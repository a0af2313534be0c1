/**
 * Endorser transactions exactly as Fabric builds them: a proposal (channel header,
 * signature header, chaincode proposal payload), the endorsed action (proposal response
 * payload signed by each endorser over payload||endorser), and the envelope the client
 * signs. TxID = hex(SHA-256(nonce || creator)).
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';

export interface Signer {
  serialize(): Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface ProposalParts {
  txId: string;
  channelId: string;
  chaincode: string;
  timestamp: Date;
  creator: Uint8Array;
  channelHeader: Uint8Array;
  signatureHeader: Uint8Array;
  /** ChaincodeProposalPayload bytes (no transient map). */
  proposalPayload: Uint8Array;
  args: Uint8Array[];
}

export function toTimestamp(d: Date): Timestamp {
  const ts = new Timestamp();
  const ms = d.getTime();
  ts.setSeconds(Math.floor(ms / 1000));
  ts.setNanos((ms % 1000) * 1_000_000);
  return ts;
}

export function fromTimestamp(ts: Timestamp | undefined): Date {
  if (!ts) return new Date(0);
  return new Date(ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1_000_000));
}

export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return createHash('sha256').update(nonce).update(creator).digest('hex');
}

export function buildProposal(opts: {
  channelId: string;
  chaincode: string;
  args: Uint8Array[];
  creator: Uint8Array;
  timestamp: Date;
  nonce?: Uint8Array;
}): ProposalParts {
  const nonce = opts.nonce ?? randomBytes(24);
  const txId = computeTxId(nonce, opts.creator);

  const ccId = new peer.ChaincodeID();
  ccId.setName(opts.chaincode);
  const ext = new peer.ChaincodeHeaderExtension();
  ext.setChaincodeId(ccId);

  const ch = new common.ChannelHeader();
  ch.setType(common.HeaderType.ENDORSER_TRANSACTION);
  ch.setChannelId(opts.channelId);
  ch.setTxId(txId);
  ch.setTimestamp(toTimestamp(opts.timestamp));
  ch.setEpoch(0);
  ch.setExtension$(ext.serializeBinary());

  const sh = new common.SignatureHeader();
  sh.setCreator(opts.creator);
  sh.setNonce(nonce);

  const input = new peer.ChaincodeInput();
  input.setArgsList(opts.args);
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(ccId);
  spec.setInput(input);
  const cis = new peer.ChaincodeInvocationSpec();
  cis.setChaincodeSpec(spec);
  const cpp = new peer.ChaincodeProposalPayload();
  cpp.setInput(cis.serializeBinary());

  return {
    txId,
    channelId: opts.channelId,
    chaincode: opts.chaincode,
    timestamp: opts.timestamp,
    creator: opts.creator,
    channelHeader: ch.serializeBinary(),
    signatureHeader: sh.serializeBinary(),
    proposalPayload: cpp.serializeBinary(),
    args: opts.args,
  };
}

/** SHA-256 over channel header, signature header and proposal payload (protoutil.GetProposalHash1). */
export function proposalHash(p: Pick<ProposalParts, 'channelHeader' | 'signatureHeader' | 'proposalPayload'>): Buffer {
  return createHash('sha256').update(p.channelHeader).update(p.signatureHeader).update(p.proposalPayload).digest();
}

export interface KVReadSpec {
  key: string;
  /** Committed version read; undefined when the key did not exist. */
  version?: { block: number; tx: number };
}
export interface KVWriteSpec {
  key: string;
  isDelete: boolean;
  value: Uint8Array;
}
export interface RangeQuerySpec {
  startKey: string;
  endKey: string;
  exhausted: boolean;
  reads: KVReadSpec[];
}
export interface NsRwSetSpec {
  namespace: string;
  reads: KVReadSpec[];
  rangeQueries: RangeQuerySpec[];
  writes: KVWriteSpec[];
}

function kvRead(r: KVReadSpec): ledger.rwset.kvrwset.KVRead {
  const read = new ledger.rwset.kvrwset.KVRead();
  read.setKey(r.key);
  if (r.version) {
    const v = new ledger.rwset.kvrwset.Version();
    v.setBlockNum(r.version.block);
    v.setTxNum(r.version.tx);
    read.setVersion(v);
  }
  return read;
}

/** TxReadWriteSet bytes; reads and writes sorted by key, as Fabric's rwset builder does. */
export function encodeRwSet(sets: NsRwSetSpec[]): Uint8Array {
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  for (const s of sets) {
    const kv = new ledger.rwset.kvrwset.KVRWSet();
    kv.setReadsList([...s.reads].sort((a, b) => cmp(a.key, b.key)).map(kvRead));
    kv.setRangeQueriesInfoList(
      s.rangeQueries.map((q) => {
        const info = new ledger.rwset.kvrwset.RangeQueryInfo();
        info.setStartKey(q.startKey);
        info.setEndKey(q.endKey);
        info.setItrExhausted(q.exhausted);
        const raw = new ledger.rwset.kvrwset.QueryReads();
        raw.setKvReadsList(q.reads.map(kvRead));
        info.setRawReads(raw);
        return info;
      }),
    );
    kv.setWritesList(
      [...s.writes]
        .sort((a, b) => cmp(a.key, b.key))
        .map((w) => {
          const write = new ledger.rwset.kvrwset.KVWrite();
          write.setKey(w.key);
          write.setIsDelete(w.isDelete);
          if (!w.isDelete) write.setValue(w.value);
          return write;
        }),
    );
    const ns = new ledger.rwset.NsReadWriteSet();
    ns.setNamespace(s.namespace);
    ns.setRwset(kv.serializeBinary());
    tx.addNsRwset(ns);
  }
  return tx.serializeBinary();
}

/** Byte-wise (UTF-8) comparison, the order Fabric's state database uses. */
export function cmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface EndorsedAction {
  rwset: Uint8Array;
  event?: { name: string; payload: Uint8Array };
  response: { status: number; message: string; payload: Uint8Array };
  chaincodeVersion: string;
}

/** The ProposalResponsePayload bytes every endorser signs. */
export function proposalResponsePayload(p: ProposalParts, action: EndorsedAction): Uint8Array {
  const ccId = new peer.ChaincodeID();
  ccId.setName(p.chaincode);
  ccId.setVersion(action.chaincodeVersion);
  const resp = new peer.Response();
  resp.setStatus(action.response.status);
  resp.setMessage(action.response.message);
  resp.setPayload(action.response.payload);
  const cca = new peer.ChaincodeAction();
  cca.setResults(action.rwset);
  if (action.event) {
    const ev = new peer.ChaincodeEvent();
    ev.setChaincodeId(p.chaincode);
    ev.setTxId(p.txId);
    ev.setEventName(action.event.name);
    ev.setPayload(action.event.payload);
    cca.setEvents(ev.serializeBinary());
  }
  cca.setResponse(resp);
  cca.setChaincodeId(ccId);
  const prp = new peer.ProposalResponsePayload();
  prp.setProposalHash(proposalHash(p));
  prp.setExtension$(cca.serializeBinary());
  return prp.serializeBinary();
}

/** An endorsement: the endorser's identity and its signature over prp || endorser. */
export async function endorse(prp: Uint8Array, endorser: Signer): Promise<peer.Endorsement> {
  const id = endorser.serialize();
  const e = new peer.Endorsement();
  e.setEndorser(id);
  e.setSignature(await endorser.sign(Buffer.concat([prp, id])));
  return e;
}

/** The signed transaction envelope (protoutil.CreateSignedTx). */
export async function buildEnvelope(
  p: ProposalParts,
  prp: Uint8Array,
  endorsements: peer.Endorsement[],
  client: Signer,
): Promise<Uint8Array> {
  const cea = new peer.ChaincodeEndorsedAction();
  cea.setProposalResponsePayload(prp);
  cea.setEndorsementsList(endorsements);
  const cap = new peer.ChaincodeActionPayload();
  cap.setChaincodeProposalPayload(p.proposalPayload);
  cap.setAction(cea);
  const ta = new peer.TransactionAction();
  ta.setHeader(p.signatureHeader);
  ta.setPayload(cap.serializeBinary());
  const tx = new peer.Transaction();
  tx.addActions(ta);

  const header = new common.Header();
  header.setChannelHeader(p.channelHeader);
  header.setSignatureHeader(p.signatureHeader);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const payloadBytes = payload.serializeBinary();

  const env = new common.Envelope();
  env.setPayload(payloadBytes);
  env.setSignature(await client.sign(payloadBytes));
  return env.serializeBinary();
}
