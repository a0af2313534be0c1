/**
 * ECDSA P-256 signatures as Fabric wants them: DER-encoded, over SHA-256, with a
 * low S value (Fabric rejects high-S signatures as malleable).
 */
import { createSign, createVerify, sign as cryptoSign, type KeyObject } from 'node:crypto';

/** Order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;

function readInt(buf: Uint8Array, at: number): { value: bigint; next: number } {
  if (buf[at] !== 0x02) throw new Error('DER: expected INTEGER');
  const len = buf[at + 1]!;
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(buf[at + 2 + i]!);
  return { value: v, next: at + 2 + len };
}

function intBytes(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return b;
}

/** r and s of a DER ECDSA signature. Throws on anything that is not a plain two-INTEGER sequence. */
export function derToRS(sig: Uint8Array): { r: bigint; s: bigint } {
  if (sig[0] !== 0x30) throw new Error('DER: expected SEQUENCE');
  let at = 2;
  if (sig[1]! & 0x80) at = 2 + (sig[1]! & 0x7f);
  const r = readInt(sig, at);
  const s = readInt(sig, r.next);
  return { r: r.value, s: s.value };
}

export function rsToDer(r: bigint, s: bigint): Buffer {
  const rb = intBytes(r);
  const sb = intBytes(s);
  const body = Buffer.concat([Buffer.from([0x02, rb.length]), rb, Buffer.from([0x02, sb.length]), sb]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Whether a DER signature has S in the lower half of the group order. */
export function isLowS(sig: Uint8Array): boolean {
  try {
    return derToRS(sig).s <= HALF_N;
  } catch {
    return false;
  }
}

/** The low-S form of a DER ECDSA signature (unchanged when it already is). */
export function toLowS(sig: Uint8Array): Buffer {
  const { r, s } = derToRS(sig);
  return s > HALF_N ? rsToDer(r, N - s) : Buffer.from(sig);
}

/** Sign `message` with ECDSA P-256 / SHA-256: DER, low-S. */
export function signMessage(privateKey: KeyObject, message: Uint8Array): Buffer {
  return toLowS(createSign('sha256').update(message).sign(privateKey));
}

/** Sign on libuv's thread pool, so that signing spreads over the cores. DER, low-S. */
export function signMessageAsync(privateKey: KeyObject, message: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    cryptoSign('sha256', message, privateKey, (err, sig) => (err ? reject(err) : resolve(toLowS(sig)))),
  );
}

/** Verify a DER ECDSA P-256 / SHA-256 signature; high-S signatures are refused, as Fabric does. */
export function verifyMessage(publicKey: KeyObject, message: Uint8Array, sig: Uint8Array): boolean {
  if (!isLowS(sig)) return false;
  try {
    return createVerify('sha256').update(message).verify(publicKey, sig);
  } catch {
    return false;
  }
}
