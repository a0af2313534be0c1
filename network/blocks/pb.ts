/**
 * A small protobuf writer for the few Fabric messages built on every transaction
 * (proposal headers, read-write sets, proposal response payloads, envelopes).
 * It writes exactly the bytes google-protobuf's generated serializers write for the
 * same values — fields in field-number order, proto3 defaults (0, false, '', empty
 * bytes) omitted, set sub-messages always written, repeated bytes written even when
 * empty, strings in google-protobuf's own UTF-16 → UTF-8 conversion — without building
 * a message object per field first.
 *
 * One scratch buffer is reused: every encoding runs synchronously from start to
 * `finish()`, which copies the result out (see `finish` for where to). Checked against
 * the generated classes byte for byte on random messages, including odd strings
 * (unpaired surrogates), negative numbers and empty fields.
 */

let scratch = new Uint8Array(64 * 1024);
let scratchBusy = false;

export class PbWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly ownsScratch: boolean;
  private released = false;

  constructor() {
    if (!scratchBusy) {
      scratchBusy = true;
      this.ownsScratch = true;
      this.buf = scratch;
    } else {
      this.ownsScratch = false;
      this.buf = new Uint8Array(4096);
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    if (this.ownsScratch) scratch = next;
  }

  /** An unsigned varint of a non-negative integer below 2^53. */
  private varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }

  private tag(field: number, wire: 0 | 2): void {
    this.varint(field * 8 + wire);
  }

  /** int32 and int64: negative values as 10-byte two's complement varints, as google-protobuf writes them. */
  int(field: number, v: number): this {
    if (v === 0) return this;
    if (!Number.isSafeInteger(v)) throw new RangeError(`integer field ${field}: ${v} is not a safe integer`);
    this.tag(field, 0);
    if (v > 0) {
      this.varint(v);
      return this;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }

  uint64(field: number, v: number): this {
    if (v === 0) return this;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`uint64 field ${field}: ${v} is not a safe non-negative integer`);
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  bool(field: number, v: boolean): this {
    if (!v) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  /** A singular bytes field: omitted when empty. */
  bytes(field: number, v: Uint8Array): this {
    if (v.length === 0) return this;
    return this.repeatedBytes(field, v);
  }

  /** One element of a repeated bytes field: written even when empty. */
  repeatedBytes(field: number, v: Uint8Array): this {
    this.tag(field, 2);
    this.varint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  string(field: number, s: string): this {
    if (s.length === 0) return this;
    this.tag(field, 2);
    if (isAscii(s)) {
      this.varint(s.length);
      this.ensure(s.length);
      const b = this.buf;
      for (let i = 0; i < s.length; i++) b[this.pos++] = s.charCodeAt(i);
    } else {
      const bytes = utf8Jspb(s);
      this.varint(bytes.length);
      this.ensure(bytes.length);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    return this;
  }

  /** A set sub-message (written even when empty), its fields written by `body`. */
  message(field: number, body: (w: this) => void): this {
    this.tag(field, 2);
    // Reserve the longest length prefix we can need, then close the gap.
    this.ensure(5);
    const at = this.pos;
    this.pos += 5;
    body(this);
    const len = this.pos - at - 5;
    const lenSize = varintSize(len);
    if (lenSize < 5) this.buf.copyWithin(at + lenSize, at + 5, this.pos);
    this.pos -= 5 - lenSize;
    let v = len;
    let i = at;
    while (v > 0x7f) {
      this.buf[i++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[i] = v;
    return this;
  }

  /**
   * The bytes written (the writer is done after this). Small results are views into a
   * shared slab, as Node's Buffer pool does, since a fresh ArrayBuffer per message costs
   * more than encoding it; use `own()` where the bytes must have an ArrayBuffer to
   * themselves (e.g. before posting them to another thread).
   */
  finish(): Uint8Array {
    const out = alloc(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.release();
    return out;
  }

  /** Give the scratch buffer back (idempotent). */
  release(): void {
    if (this.ownsScratch && !this.released) scratchBusy = false;
    this.released = true;
  }
}

/** Encode one message with `body`; the scratch buffer is given back even if `body` throws. */
export function encode(body: (w: PbWriter) => void): Uint8Array {
  const w = new PbWriter();
  try {
    body(w);
    return w.finish();
  } finally {
    w.release();
  }
}

const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_ALLOC = 8 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

function alloc(n: number): Uint8Array {
  if (n > SLAB_MAX_ALLOC) return new Uint8Array(n);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7;
  return out;
}

/** `bytes` itself when it spans its whole ArrayBuffer, else a copy that does. */
export function own(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}

function varintSize(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * google-protobuf's string encoding (jspb.BinaryEncoder#writeString), kept exactly —
 * including what it does with unpaired surrogates — so that bytes never differ.
 */
function utf8Jspb(s: string): Uint8Array {
  const out: number[] = [];
  for (let c = 0; c < s.length; c++) {
    let d = s.charCodeAt(c);
    if (d < 128) out.push(d);
    else if (d < 2048) out.push((d >> 6) | 192, (d & 63) | 128);
    else if (d >= 55296 && d <= 56319 && c + 1 < s.length) {
      const f = s.charCodeAt(c + 1);
      if (f >= 56320 && f <= 57343) {
        d = 1024 * (d - 55296) + f - 56320 + 65536;
        out.push((d >> 18) | 240, ((d >> 12) & 63) | 128, ((d >> 6) & 63) | 128, (d & 63) | 128);
        c++;
      }
    } else out.push((d >> 12) | 224, ((d >> 6) & 63) | 128, (d & 63) | 128);
  }
  return Uint8Array.from(out);
}
