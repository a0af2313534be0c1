/**
 * Every signature in a block, checked as Fabric's committer and an auditor would: the
 * orderer's block signature, each envelope's creator signature, each endorsement,
 * with certificates chained to the MSP roots; tx ids and proposal hashes recomputed.
 * Pure: runs in worker threads (or inline with --workers 0).
 */
import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { blockHeaderBytes, type DecodedBlock } from '@anxin/network';
import type { Finding } from './findings';
import type { MspRegistry } from './msp';

export interface SignatureResult {
  findings: Finding[];
  /** ECDSA signatures verified (certificate chains are cached, not counted). */
  signatures: number;
}

/** Half the order of the P-256 group, big-endian: Fabric refuses signatures with a higher S. */
const HALF_N = Buffer.from('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8', 'hex');

/**
 * S of a DER ECDSA signature is at most n/2 (Fabric's low-S rule), and the DER is a plain
 * SEQUENCE { INTEGER r, INTEGER s } with nothing after it. Byte comparison, no bignums.
 */
export function lowS(sig: Uint8Array): boolean {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1]! >= 0x80 || sig[1]! + 2 !== sig.length) return false;
  if (sig[2] !== 0x02) return false;
  const rLen = sig[3]!;
  const sAt = 4 + rLen;
  if (sig[sAt] !== 0x02) return false;
  const sLen = sig[sAt + 1]!;
  if (sAt + 2 + sLen !== sig.length || sLen === 0 || sLen > 33) return false;
  let s = sig.subarray(sAt + 2);
  while (s.length > 1 && s[0] === 0) s = s.subarray(1);
  if (s.length !== 32) return s.length < 32;
  return Buffer.compare(s, HALF_N) <= 0;
}

/** ECDSA P-256 / SHA-256 over `message`, DER, low S. One-shot: cheaper than createVerify. */
export function verifySignature(key: KeyObject, message: Uint8Array, sig: Uint8Array): boolean {
  if (!lowS(sig)) return false;
  try {
    return cryptoVerify('sha256', message, key, sig);
  } catch {
    return false;
  }
}

/**
 * `opts.at` is the block's position in the ledger, which findings name (a tampered header may
 * carry another number: that is reported apart).
 */
export function checkSignatures(
  block: DecodedBlock,
  msps: MspRegistry,
  opts: { firstConfig: boolean; at?: number },
): SignatureResult {
  const findings: Finding[] = [];
  let signatures = 0;
  const n = opts.at ?? block.number;
  const blockTime = block.transactions[0]?.timestamp ?? new Date();

  // Orderer signature(s) over value || signature_header || header bytes. A genesis block
  // made by configtxgen carries none; every later block must.
  const header = blockHeaderBytes(block.number, block.previousHash, block.dataHash);
  if (!block.signatures.signatures.length && !(n === 0 && opts.firstConfig)) {
    findings.push({ kind: 'blockSignature', block: n, detail: 'the block carries no orderer signature' });
  }
  for (const s of block.signatures.signatures) {
    const id = msps.identity(s.creator.mspId, s.creator.certPem, blockTime, 'orderer');
    if (typeof id === 'string') {
      findings.push({ kind: 'blockSignature', block: n, detail: `orderer identity: ${id}` });
      continue;
    }
    signatures++;
    if (!verifySignature(id.key, Buffer.concat([block.signatures.value, s.signatureHeader, header]), s.signature)) {
      findings.push({ kind: 'blockSignature', block: n, detail: 'the orderer signature does not verify' });
    }
  }

  for (const tx of block.transactions) {
    const at = { block: n, tx: tx.index, txId: tx.txId };
    // Genesis config from configtxgen is unsigned; any other envelope must be signed.
    const unsignedGenesis = n === 0 && tx.type === 'CONFIG' && !tx.signature.length && !tx.creator.certPem;
    if (!unsignedGenesis) {
      const endorser = tx.type === 'ENDORSER_TRANSACTION';
      const id = msps.identity(tx.creator.mspId, tx.creator.certPem, tx.timestamp, endorser ? 'creator' : undefined);
      if (typeof id === 'string') {
        findings.push({ kind: 'creator', ...at, detail: id });
      } else {
        signatures++;
        if (!verifySignature(id.key, tx.payload, tx.signature)) {
          findings.push({ kind: 'creator', ...at, detail: 'the creator signature over the payload does not verify' });
        }
      }
    }
    if (tx.type !== 'ENDORSER_TRANSACTION') {
      if (tx.type !== 'CONFIG')
        findings.push({ kind: 'encoding', ...at, detail: `a transaction of type ${tx.type} has no place in a block` });
      continue;
    }
    const expectedTxId = createHash('sha256').update(tx.nonce).update(tx.creator.bytes).digest('hex');
    if (expectedTxId !== tx.txId)
      findings.push({
        kind: 'txId',
        ...at,
        detail: 'tx id is not sha256(nonce || creator)',
        expected: expectedTxId,
        actual: tx.txId,
      });
    if (!tx.actions.length) findings.push({ kind: 'encoding', ...at, detail: 'the transaction has no action' });
    for (const [i, a] of tx.actions.entries()) {
      const ph = createHash('sha256')
        .update(tx.channelHeader)
        .update(tx.signatureHeader)
        .update(a.proposalPayload)
        .digest();
      if (!ph.equals(a.proposalHash)) {
        findings.push({
          kind: 'proposalHash',
          ...at,
          detail: `action ${i}: the endorsed response names another proposal`,
        });
      }
      if (!Buffer.from(a.signatureHeader).equals(tx.signatureHeader)) {
        findings.push({
          kind: 'proposalHash',
          ...at,
          detail: `action ${i}: its signature header is not the transaction's`,
        });
      }
      if (!a.endorsements.length)
        findings.push({ kind: 'endorsement', ...at, detail: `action ${i} has no endorsement` });
      for (const e of a.endorsements) {
        const id = msps.identity(e.endorser.mspId, e.endorser.certPem, tx.timestamp, 'peer');
        if (typeof id === 'string') {
          findings.push({ kind: 'endorsement', ...at, detail: `endorser: ${id}` });
          continue;
        }
        signatures++;
        if (!verifySignature(id.key, Buffer.concat([a.proposalResponsePayload, e.endorser.bytes]), e.signature)) {
          findings.push({
            kind: 'endorsement',
            ...at,
            detail: `the endorsement by ${e.endorser.mspId} does not verify`,
          });
        }
      }
    }
  }
  return { findings, signatures };
}
