/**
 * Endorser transactions exactly as Fabric builds them: a proposal (channel header,
 * signature header, chaincode proposal payload), the endorsed action (proposal response
 * payload signed by each endorser over payload||endorser), and the envelope the client
 * signs. TxID = hex(SHA-256(nonce || creator)).
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { encode, type PbWriter } from './pb';

// The messages below are written with ./pb, byte for byte as the generated
// google-protobuf classes would write them (field numbers from fabric-protos):
//   common.ChannelHeader      1 type, 2 version, 3 timestamp, 4 channel_id, 5 tx_id, 6 epoch, 7 extension, 8 tls_cert_hash
//   common.SignatureHeader    1 creator, 2 nonce
//   common.Header             1 channel_header, 2 signature_header
//   common.Payload            1 header, 2 data
//   common.Envelope           1 payload, 2 signature
//   google.protobuf.Timestamp 1 seconds, 2 nanos
//   peer.ChaincodeID          1 path, 2 name, 3 version
//   peer.ChaincodeHeaderExtension 2 chaincode_id
//   peer.ChaincodeInput       1 args
//   peer.ChaincodeSpec        1 type, 2 chaincode_id, 3 input
//   peer.ChaincodeInvocationSpec 1 chaincode_spec
//   peer.ChaincodeProposalPayload 1 input
//   peer.Response             1 status, 2 message, 3 payload
//   peer.ChaincodeEvent       1 chaincode_id, 2 tx_id, 3 event_name, 4 payload
//   peer.ChaincodeAction      1 results, 2 events, 3 response, 4 chaincode_id
//   peer.ProposalResponsePayload 1 proposal_hash, 2 extension
//   peer.Endorsement          1 endorser, 2 signature
//   peer.ChaincodeEndorsedAction 1 proposal_response_payload, 2 endorsements
//   peer.ChaincodeActionPayload 1 chaincode_proposal_payload, 2 action
//   peer.TransactionAction    1 header, 2 payload
//   peer.Transaction          1 actions
//   rwset.TxReadWriteSet      1 data_model, 2 ns_rwset
//   rwset.NsReadWriteSet      1 namespace, 2 rwset
//   kvrwset.KVRWSet           1 reads, 2 range_queries_info, 3 writes
//   kvrwset.KVRead            1 key, 2 version;  kvrwset.Version 1 block_num, 2 tx_num
//   kvrwset.KVWrite           1 key, 2 is_delete, 3 value
//   kvrwset.RangeQueryInfo    1 start_key, 2 end_key, 3 itr_exhausted, 4 raw_reads;  kvrwset.QueryReads 1 kv_reads
const ENDORSER_TRANSACTION = common.HeaderType.ENDORSER_TRANSACTION;
const NODE_CHAINCODE = peer.ChaincodeSpec.Type.NODE;
const KV_DATA_MODEL = 0; // rwset.TxReadWriteSet.DataModel.KV

function writeTimestamp(w: PbWriter, field: number, d: Date): void {
  const ms = d.getTime();
  w.message(field, (t) => t.int(1, Math.floor(ms / 1000)).int(2, (ms % 1000) * 1_000_000));
}

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

/** Nonces come from a pool filled from the CSPRNG in one call, as crypto.randomUUID's do. */
const NONCE_SIZE = 24;
const NONCE_POOL = 128;
let noncePool = Buffer.alloc(0);
let nonceAt = 0;

function freshNonce(): Uint8Array {
  if (nonceAt >= noncePool.length) {
    noncePool = randomBytes(NONCE_SIZE * NONCE_POOL);
    nonceAt = 0;
  }
  const n = noncePool.subarray(nonceAt, nonceAt + NONCE_SIZE);
  nonceAt += NONCE_SIZE;
  return n;
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
  /** ChaincodeSpec.Type (default NODE; Fabric's clients leave it UNDEFINED for system chaincodes). */
  chaincodeType?: number;
}): ProposalParts {
  const nonce = opts.nonce ?? freshNonce();
  const txId = computeTxId(nonce, opts.creator);

  const name = opts.chaincode;
  const extension = encode((w) => w.message(2, (id) => id.string(2, name)));
  const channelHeader = encode((w) => {
    w.int(1, ENDORSER_TRANSACTION);
    writeTimestamp(w, 3, opts.timestamp);
    w.string(4, opts.channelId).string(5, txId).bytes(7, extension);
  });
  const signatureHeader = encode((w) => w.bytes(1, opts.creator).bytes(2, nonce));
  const invocationSpec = encode((w) =>
    w.message(1, (spec) => {
      spec.int(1, opts.chaincodeType ?? NODE_CHAINCODE);
      spec.message(2, (id) => id.string(2, name));
      spec.message(3, (input) => {
        for (const a of opts.args) input.repeatedBytes(1, a);
      });
    }),
  );
  const proposalPayload = encode((w) => w.bytes(1, invocationSpec));

  return {
    txId,
    channelId: opts.channelId,
    chaincode: opts.chaincode,
    timestamp: opts.timestamp,
    creator: opts.creator,
    channelHeader,
    signatureHeader,
    proposalPayload,
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

function writeKvRead(w: PbWriter, field: number, r: KVReadSpec): void {
  w.message(field, (read) => {
    read.string(1, r.key);
    if (r.version) {
      const v = r.version;
      read.message(2, (ver) => ver.uint64(1, v.block).uint64(2, v.tx));
    }
  });
}

/** TxReadWriteSet bytes; namespaces sorted, reads and writes sorted by key, as Fabric's rwset builder does. */
export function encodeRwSet(sets: NsRwSetSpec[]): Uint8Array {
  const sorted = sets.length > 1 ? [...sets].sort((a, b) => cmp(a.namespace, b.namespace)) : sets;
  const nsBytes = sorted.map((s) => ({
    namespace: s.namespace,
    rwset: encode((kv) => {
      for (const r of [...s.reads].sort((a, b) => cmp(a.key, b.key))) writeKvRead(kv, 1, r);
      for (const q of s.rangeQueries) {
        kv.message(2, (info) => {
          info.string(1, q.startKey).string(2, q.endKey).bool(3, q.exhausted);
          info.message(4, (raw) => {
            for (const r of q.reads) writeKvRead(raw, 1, r);
          });
        });
      }
      for (const x of [...s.writes].sort((a, b) => cmp(a.key, b.key))) {
        kv.message(3, (write) => {
          write.string(1, x.key).bool(2, x.isDelete);
          if (!x.isDelete) write.bytes(3, x.value);
        });
      }
    }),
  }));
  return encode((tx) => {
    tx.int(1, KV_DATA_MODEL);
    for (const ns of nsBytes) tx.message(2, (m) => m.string(1, ns.namespace).bytes(2, ns.rwset));
  });
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
  const event = action.event;
  const events = event
    ? encode((ev) => ev.string(1, p.chaincode).string(2, p.txId).string(3, event.name).bytes(4, event.payload))
    : undefined;
  const extension = encode((cca) => {
    cca.bytes(1, action.rwset);
    if (events) cca.bytes(2, events);
    cca.message(3, (r) =>
      r.int(1, action.response.status).string(2, action.response.message).bytes(3, action.response.payload),
    );
    cca.message(4, (id) => id.string(2, p.chaincode).string(3, action.chaincodeVersion));
  });
  const hash = proposalHash(p);
  return encode((prp) => prp.bytes(1, hash).bytes(2, extension));
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
  const actionPayload = encode((cap) => {
    cap.bytes(1, p.proposalPayload);
    cap.message(2, (cea) => {
      cea.bytes(1, prp);
      for (const e of endorsements) {
        const endorser = e.getEndorser_asU8();
        const signature = e.getSignature_asU8();
        cea.message(2, (m) => m.bytes(1, endorser).bytes(2, signature));
      }
    });
  });
  const data = encode((tx) => tx.message(1, (ta) => ta.bytes(1, p.signatureHeader).bytes(2, actionPayload)));
  const payloadBytes = encode((payload) => {
    payload.message(1, (h) => h.bytes(1, p.channelHeader).bytes(2, p.signatureHeader));
    payload.bytes(2, data);
  });
  const signature = await client.sign(payloadBytes);
  return encode((env) => env.bytes(1, payloadBytes).bytes(2, signature));
}
