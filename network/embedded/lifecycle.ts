/**
 * The chaincode definition, kept as a Fabric channel keeps it: in the `_lifecycle`
 * namespace, written by a `_lifecycle` CommitChaincodeDefinition transaction, and read by
 * every invocation — the peer records a read of `namespaces/fields/<name>/Sequence` at the
 * version of the transaction that committed the definition, so a transaction endorsed
 * under one definition and ordered after an upgrade fails MVCC validation, as on Fabric.
 *
 * The definition transaction writes what Fabric 2.5's lifecycle writes (the metadata and
 * the four fields, as lifecycle's own protobufs: StateMetadata, StateData) with the reads
 * Fabric records for it. What it leaves out is the approvals: Fabric checks each
 * organisation's approval in its implicit private collection; the embedded network's one
 * organisation commits the definition it runs, with no private data store to hold one.
 */
import { peer } from '@hyperledger/fabric-protos';
import {
  buildEnvelope,
  buildProposal,
  encodeRwSet,
  endorse,
  proposalResponsePayload,
  type KVReadSpec,
  type NsRwSetSpec,
  type Signer,
} from '../blocks/tx';
import type { NetworkDescriptor } from './genesis';
import type { StateReader, VersionedKV } from './stub';

export const LIFECYCLE_NAMESPACE = '_lifecycle';
/** The version string Fabric gives its system chaincodes. */
const SYSCC_VERSION = 'syscc';
const DEFINITION_TYPE = 'ChaincodeDefinition';
const FIELDS = ['Sequence', 'EndorsementInfo', 'ValidationInfo', 'Collections'] as const;
type Field = (typeof FIELDS)[number];
/** The channel policy a definition without its own endorsement policy refers to. */
const DEFAULT_ENDORSEMENT_POLICY = '/Channel/Application/Endorsement';

const metadataKey = (name: string) => `namespaces/metadata/${name}`;
const fieldKey = (name: string, field: Field) => `namespaces/fields/${name}/${field}`;

/** The key every invocation of `name` reads: its definition's sequence. */
export function sequenceKey(name: string): string {
  return fieldKey(name, 'Sequence');
}

/** A chaincode definition as committed. */
export interface CommittedDefinition {
  name: string;
  sequence: number;
  version: string;
  /** The read an invocation records: the Sequence key at the version it was committed at. */
  read: KVReadSpec;
}

/** The definition of `name` in committed state, if it has one. */
export function committedDefinition(state: Pick<StateReader, 'get'>, name: string): CommittedDefinition | undefined {
  const seq = state.get(LIFECYCLE_NAMESPACE, sequenceKey(name));
  if (!seq) return undefined;
  const sequence = peer.lifecycle.StateData.deserializeBinary(seq.value).getInt64();
  const info = state.get(LIFECYCLE_NAMESPACE, fieldKey(name, 'EndorsementInfo'));
  const version = info
    ? peer.lifecycle.ChaincodeEndorsementInfo.deserializeBinary(
        peer.lifecycle.StateData.deserializeBinary(info.value).getBytes_asU8(),
      ).getVersion()
    : '';
  return { name, sequence, version, read: { key: seq.key, version: seq.version } };
}

/** The `_lifecycle` read-write set of an invocation of the chaincode defined by `def`. */
export function invocationRead(def: CommittedDefinition): NsRwSetSpec {
  return { namespace: LIFECYCLE_NAMESPACE, reads: [def.read], rangeQueries: [], writes: [] };
}

function stateData(set: (d: peer.lifecycle.StateData) => void): Uint8Array {
  const d = new peer.lifecycle.StateData();
  set(d);
  return d.serializeBinary();
}

/** The values lifecycle stores for a definition of `name` at `sequence` and `version`. */
function definitionValues(sequence: number, version: string): Record<Field, Uint8Array> {
  const endorsement = new peer.lifecycle.ChaincodeEndorsementInfo();
  endorsement.setVersion(version);
  endorsement.setEndorsementPlugin('escc');
  const policy = new peer.ApplicationPolicy();
  policy.setChannelConfigPolicyReference(DEFAULT_ENDORSEMENT_POLICY);
  const validation = new peer.lifecycle.ChaincodeValidationInfo();
  validation.setValidationPlugin('vscc');
  validation.setValidationParameter(policy.serializeBinary());
  return {
    Sequence: stateData((d) => d.setInt64(sequence)),
    EndorsementInfo: stateData((d) => d.setBytes(endorsement.serializeBinary())),
    ValidationInfo: stateData((d) => d.setBytes(validation.serializeBinary())),
    Collections: stateData((d) => d.setBytes(new peer.CollectionConfigPackage().serializeBinary())),
  };
}

const read = (kv: VersionedKV | undefined, key: string): KVReadSpec => (kv ? { key, version: kv.version } : { key });

/**
 * The read-write sets of the transaction that commits `version` of `name` as the next
 * sequence: for a first definition, the reads of the (absent) sequence and metadata and of
 * the legacy `lscc` entry, and every field written; for an upgrade, every field read and
 * only the fields that change written — what Fabric's lifecycle records.
 */
export function definitionRwSets(
  state: Pick<StateReader, 'get'>,
  name: string,
  version: string,
): { sequence: number; rwsets: NsRwSetSpec[] } {
  const ns = LIFECYCLE_NAMESPACE;
  const current = committedDefinition(state, name);
  const sequence = (current?.sequence ?? 0) + 1;
  const values = definitionValues(sequence, version);
  if (!current) {
    const meta = new peer.lifecycle.StateMetadata();
    meta.setDatatype(DEFINITION_TYPE);
    meta.setFieldsList([...FIELDS]);
    return {
      sequence,
      rwsets: [
        {
          namespace: ns,
          reads: [read(undefined, sequenceKey(name)), read(undefined, metadataKey(name))],
          rangeQueries: [],
          writes: [
            { key: metadataKey(name), isDelete: false, value: meta.serializeBinary() },
            ...FIELDS.map((f) => ({ key: fieldKey(name, f), isDelete: false, value: values[f] })),
          ],
        },
        // Fabric checks that the name is not a legacy (lscc) chaincode's.
        { namespace: 'lscc', reads: [{ key: name }], rangeQueries: [], writes: [] },
      ],
    };
  }
  const reads = [...FIELDS.map((f) => fieldKey(name, f)), metadataKey(name)].map((k) => read(state.get(ns, k), k));
  const writes = FIELDS.flatMap((f) => {
    const now = state.get(ns, fieldKey(name, f))?.value;
    return now && Buffer.from(now).equals(values[f])
      ? []
      : [{ key: fieldKey(name, f), isDelete: false, value: values[f] }];
  });
  return { sequence, rwsets: [{ namespace: ns, reads, rangeQueries: [], writes }] };
}

/**
 * The signed CommitChaincodeDefinition transaction (creator: an organisation admin, as
 * Fabric requires; endorsed by the peer) committing `version` of `name` as its next
 * sequence, on `state` as committed now.
 *
 * @example
 * const tx = await definitionTransaction({ channel, name: 'anxin', version: '1', state, admin, peer, timestamp: new Date() });
 * // order tx.envelope with tx.rwsets
 */
export async function definitionTransaction(opts: {
  channel: string;
  name: string;
  version: string;
  state: Pick<StateReader, 'get'>;
  admin: Signer;
  peer: Signer;
  timestamp: Date;
}): Promise<{ txId: string; envelope: Uint8Array; rwsets: NsRwSetSpec[]; sequence: number }> {
  const { sequence, rwsets } = definitionRwSets(opts.state, opts.name, opts.version);
  const args = new peer.lifecycle.CommitChaincodeDefinitionArgs();
  args.setSequence(sequence);
  args.setName(opts.name);
  args.setVersion(opts.version);
  const proposal = buildProposal({
    channelId: opts.channel,
    chaincode: LIFECYCLE_NAMESPACE,
    chaincodeType: peer.ChaincodeSpec.Type.UNDEFINED,
    args: [Buffer.from('CommitChaincodeDefinition'), args.serializeBinary()],
    creator: opts.admin.serialize(),
    timestamp: opts.timestamp,
  });
  const prp = proposalResponsePayload(proposal, {
    rwset: encodeRwSet(rwsets),
    response: { status: 200, message: '', payload: new Uint8Array(0) },
    chaincodeVersion: SYSCC_VERSION,
  });
  const envelope = await buildEnvelope(proposal, prp, [await endorse(prp, opts.peer)], opts.admin);
  return { txId: proposal.txId, envelope, rwsets, sequence };
}

/** The admin of the organisation whose peer the embedded ledger runs (Admin@<domain>). */
export function peerAdmin(d: NetworkDescriptor): { mspId: string; name: string } {
  const org = d.orgs.find((o) => o.mspId === d.peer.mspId);
  if (!org) throw new Error(`no organisation ${d.peer.mspId} in the network descriptor`);
  const admin = org.users.find((u) => u.role === 'admin');
  if (!admin) throw new Error(`${d.peer.mspId} has no admin`);
  return { mspId: org.mspId, name: `${admin.name}@${org.domain}` };
}
