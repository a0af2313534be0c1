/**
 * The block header bytes Fabric hashes: the ASN.1 DER SEQUENCE { INTEGER number,
 * OCTET STRING previous_hash, OCTET STRING data_hash } (protoutil.BlockHeaderBytes).
 */
import { createHash } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derUnsigned(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}

export function blockHeaderBytes(number: bigint | number, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  const body = Buffer.concat([
    tlv(0x02, derUnsigned(BigInt(number))),
    tlv(0x04, Buffer.from(previousHash)),
    tlv(0x04, Buffer.from(dataHash)),
  ]);
  return tlv(0x30, body);
}

/** SHA-256 of the header bytes: what the next block names as its previous_hash. */
export function blockHeaderHash(number: bigint | number, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return createHash('sha256')
    .update(blockHeaderBytes(number, previousHash, dataHash))
    .digest();
}

/** SHA-256 of the concatenated envelopes (protoutil.BlockDataHash). */
export function blockDataHash(data: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const d of data) h.update(d);
  return h.digest();
}
