/**
 * Every signature in a block, checked as Fabric's committer and an auditor would: the
 * orderer's block signature, each envelope's creator signature, each endorsement,
 * with certificates chained to the MSP roots; tx ids and proposal hashes recomputed.
 * Pure: runs in worker threads.
 */
import { createHash } from 'node:crypto';
import { blockHeaderBytes, decodeBlock, verifyMessage, type DecodedBlock } from '@anxin/network';
import type { Finding } from './findings';
import { MspRegistry } from './msp';

export interface SignatureResult {
  findings: Finding[];
  /** ECDSA signatures verified (certificate chains are cached, not counted). */
  signatures: number;
}

export function checkSignatures(block: DecodedBlock, msps: MspRegistry, opts: { firstConfig: boolean }): SignatureResult {
  const findings: Finding[] = [];
  let signatures = 0;
  const blockTime = block.transactions[0]?.timestamp ?? new Date();

  // Orderer signature(s) over value || signature_header || header bytes. A genesis block
  // made by configtxgen carries none; every later block must.
  const header = blockHeaderBytes(block.number, block.previousHash, block.dataHash);
  if (!block.signatures.signatures.length && !(block.number === 0 && opts.firstConfig)) {
    findings.push({ kind: 'blockSignature', block: block.number, detail: 'the block carries no orderer signature' });
  }
  for (const s of block.signatures.signatures) {
    const id = msps.identity(s.creator.mspId, s.creator.certPem, blockTime);
    if (typeof id === 'string') {
      findings.push({ kind: 'blockSignature', block: block.number, detail: `orderer identity: ${id}` });
      continue;
    }
    signatures++;
    if (!verifyMessage(id.key, Buffer.concat([block.signatures.value, s.signatureHeader, header]), s.signature)) {
      findings.push({ kind: 'blockSignature', block: block.number, detail: 'the orderer signature does not verify' });
    }
  }

  for (const tx of block.transactions) {
    const at = { block: block.number, tx: tx.index, txId: tx.txId };
    // Genesis config from configtxgen is unsigned; any other envelope must be signed.
    const unsignedGenesis = block.number === 0 && tx.type === 'CONFIG' && !tx.signature.length && !tx.creator.certPem;
    if (!unsignedGenesis) {
      const id = msps.identity(tx.creator.mspId, tx.creator.certPem, tx.timestamp);
      if (typeof id === 'string') {
        findings.push({ kind: 'creator', ...at, detail: id });
      } else {
        signatures++;
        if (!verifyMessage(id.key, tx.payload, tx.signature)) {
          findings.push({ kind: 'creator', ...at, detail: 'the creator signature over the payload does not verify' });
        }
      }
    }
    if (tx.type !== 'ENDORSER_TRANSACTION') continue;
    const expectedTxId = createHash('sha256').update(tx.nonce).update(tx.creator.bytes).digest('hex');
    if (expectedTxId !== tx.txId) findings.push({ kind: 'txId', ...at, detail: 'tx id is not sha256(nonce || creator)', expected: expectedTxId, actual: tx.txId });
    for (const [i, a] of tx.actions.entries()) {
      const ph = createHash('sha256').update(tx.channelHeader).update(tx.signatureHeader).update(a.proposalPayload).digest();
      if (!ph.equals(Buffer.from(a.proposalHash))) {
        findings.push({ kind: 'proposalHash', ...at, detail: `action ${i}: the endorsed response names another proposal` });
      }
      if (!a.endorsements.length) findings.push({ kind: 'endorsement', ...at, detail: `action ${i} has no endorsement` });
      for (const e of a.endorsements) {
        const id = msps.identity(e.endorser.mspId, e.endorser.certPem, tx.timestamp);
        if (typeof id === 'string') {
          findings.push({ kind: 'endorsement', ...at, detail: `endorser: ${id}` });
          continue;
        }
        if (!/OU=peer/.test(id.cert.subject)) {
          findings.push({ kind: 'endorsement', ...at, detail: `endorser ${id.cert.subject.replace(/\n/g, ', ')} is not a peer` });
        }
        signatures++;
        if (!verifyMessage(id.key, Buffer.concat([a.proposalResponsePayload, e.endorser.bytes]), e.signature)) {
          findings.push({ kind: 'endorsement', ...at, detail: `the endorsement by ${e.endorser.mspId} does not verify` });
        }
      }
    }
  }
  return { findings, signatures };
}

/** For worker threads: decode and check raw block bytes. */
export function checkSignaturesOfBytes(bytes: Uint8Array, msps: MspRegistry, opts: { firstConfig: boolean }): SignatureResult {
  return checkSignatures(decodeBlock(bytes), msps, opts);
}
