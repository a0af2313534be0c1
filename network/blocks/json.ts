/**
 * A decoded block as plain JSON for people and tools: hashes in hex, keys and values
 * readable where they are text, bytes in base64 where they are not.
 */
import { X509Certificate } from 'node:crypto';
import { displayKey } from '@anxin/chaincode/wire';
import { validationCodeName } from './codes';
import type { DecodedBlock, IdentityInfo } from './decode';

function text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A value as JSON if it is JSON, as text if it is text, else base64. */
export function readable(bytes: Uint8Array): unknown {
  const t = text(bytes);
  if (t === undefined) return { base64: Buffer.from(bytes).toString('base64') };
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

export { displayKey };

export function identityJson(id: IdentityInfo): { mspId: string; subject?: string } {
  if (!id.certPem) return { mspId: id.mspId };
  try {
    return { mspId: id.mspId, subject: new X509Certificate(id.certPem).subject.replace(/\n/g, ', ') };
  } catch {
    return { mspId: id.mspId };
  }
}

export function blockToJson(b: DecodedBlock): object {
  return {
    number: b.number,
    hash: b.hash.toString('hex'),
    previousHash: b.previousHash.toString('hex'),
    dataHash: b.dataHash.toString('hex'),
    lastConfig: b.lastConfig ?? null,
    signatures: b.signatures.signatures.map((s) => identityJson(s.creator)),
    transactions: b.transactions.map((tx) => ({
      index: tx.index,
      txId: tx.txId,
      type: tx.type,
      channel: tx.channelId,
      timestamp: tx.timestamp.toISOString(),
      creator: identityJson(tx.creator),
      validation: validationCodeName(tx.validationCode),
      ...(tx.config ? { config: true } : {}),
      actions: tx.actions.map((a) => ({
        chaincode: a.chaincode,
        function: a.args[0] ? text(a.args[0]) : undefined,
        args: a.args.slice(1).map((x) => text(x) ?? Buffer.from(x).toString('base64')),
        endorsements: a.endorsements.map((e) => identityJson(e.endorser)),
        response: { status: a.response.status, ...(a.response.message ? { message: a.response.message } : {}) },
        ...(a.event ? { event: { name: a.event.name, payload: readable(a.event.payload) } } : {}),
        rwsets: a.rwsets.map((s) => ({
          namespace: s.namespace,
          reads: s.reads.map((r) => ({ key: displayKey(r.key), version: r.version ?? null })),
          rangeQueries: s.rangeQueries.map((q) => ({
            start: displayKey(q.startKey),
            end: displayKey(q.endKey),
            exhausted: q.exhausted,
            reads: q.reads.length,
          })),
          writes: s.writes.map((w) => ({
            key: displayKey(w.key),
            ...(w.isDelete ? { delete: true } : { value: readable(w.value) }),
          })),
        })),
      })),
    })),
  };
}
