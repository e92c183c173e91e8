/**
 * Minimal protocol-buffers wire format: a bounds-checked reader and a chunked writer.
 * Enough for ONNX's proto2/proto3 messages; every malformed or truncated input raises
 * `XQC_MODEL_INVALID` instead of reading past the buffer.
 */
import { XqcError } from '../../errors.ts';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const TWO_32 = 4294967296;

function truncated(what: string): XqcError {
  return new XqcError('XQC_MODEL_INVALID', `ONNX protobuf is truncated or malformed (${what})`);
}

/** Sequential reader over one message's bytes. */
export class ProtoReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True while bytes remain. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** Reads a tag: `[fieldNumber, wireType]`. */
  tag(): [number, number] {
    const t = this.varint();
    const field = Math.floor(t / 8);
    if (field === 0) throw truncated('field number 0');
    return [field, t & 7];
  }

  /** Reads an unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated('varint');
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if ((b & 0x80) === 0) return (hi >>> 0) * TWO_32 + (lo >>> 0);
      shift += 7;
    }
    throw truncated('varint longer than 10 bytes');
  }

  /** Reads a varint as a signed int64 in a number (two's complement; exact within 2^53). */
  int64(): number {
    const start = this.pos;
    const u = this.varint();
    if (u < 2 ** 63) return u;
    // Negative values need exact two's complement arithmetic on all 64 bits.
    this.pos = start;
    let v = 0n;
    let shift = 0n;
    while (true) {
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, v));
  }

  /** Reads a little-endian float32. */
  float32(): number {
    if (this.pos + 4 > this.end) throw truncated('fixed32');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a little-endian float64. */
  float64(): number {
    if (this.pos + 8 > this.end) throw truncated('fixed64');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns `[start, end)` of the payload, advancing past it. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw truncated('length-delimited field runs past the end');
    this.pos = start + len;
    return [start, start + len];
  }

  /** Reads a length-delimited payload as a sub-array view (no copy). */
  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  /** Reads a length-delimited UTF-8 string. */
  string(): string {
    return DECODER.decode(this.bytes());
  }

  /** Reads a sub-message reader over a length-delimited payload. */
  sub(): ProtoReader {
    const [s, e] = this.span();
    return new ProtoReader(this.buf, s, e);
  }

  /** Skips one field of `wireType`, returning the raw bytes it occupied (tag excluded). */
  skip(wireType: number): Uint8Array {
    const start = this.pos;
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        break;
      case WIRE_I64:
        if (this.pos + 8 > this.end) throw truncated('fixed64');
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.span();
        break;
      case WIRE_I32:
        if (this.pos + 4 > this.end) throw truncated('fixed32');
        this.pos += 4;
        break;
      default:
        throw truncated(`wire type ${wireType}`);
    }
    return this.buf.subarray(start, this.pos);
  }

  /**
   * Reads one occurrence of a repeated numeric field, which proto3 writers pack into a
   * length-delimited run and proto2 writers emit one element at a time; appends to `out`.
   */
  repeated(wireType: number, read: () => number, out: number[]): void {
    if (wireType !== WIRE_LEN) {
      out.push(read());
      return;
    }
    const [s, e] = this.span();
    this.pos = s;
    while (this.pos < e) out.push(read());
    if (this.pos !== e) throw truncated('packed field');
  }
}

const DECODER = new TextDecoder('utf-8', { fatal: false });
const ENCODER = new TextEncoder();

/** Writer that collects chunks and concatenates once, so nested messages are never re-copied. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  length = 0;

  private flushScratch(): void {
    if (this.scratch.length > 0) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.length += this.scratch.length;
      this.scratch = [];
    }
  }

  private pushVarint(v: number): void {
    let lo = v >>> 0;
    let hi = Math.floor(v / TWO_32) >>> 0;
    while (hi > 0 || lo > 0x7f) {
      this.scratch.push((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.scratch.push(lo);
  }

  /** Writes a tag. */
  tag(field: number, wireType: number): this {
    this.pushVarint(field * 8 + wireType);
    return this;
  }

  /** Writes an unsigned varint (0 <= v < 2^53). */
  uvarint(v: number): this {
    this.pushVarint(v);
    return this;
  }

  /** Writes a signed int64 varint (negative numbers as 10-byte two's complement). */
  int64(v: number): this {
    if (v >= 0) {
      this.pushVarint(Math.min(v, Number.MAX_SAFE_INTEGER));
      return this;
    }
    let u = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    for (let i = 0; i < 9; i++) {
      this.scratch.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.scratch.push(Number(u));
    return this;
  }

  /** Writes a float32. */
  float32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.scratch.push(x);
    return this;
  }

  /** Writes length-delimited raw bytes (kept by reference until `finish`). */
  bytes(b: Uint8Array): this {
    this.pushVarint(b.length);
    this.flushScratch();
    if (b.length > 0) {
      this.chunks.push(b);
      this.length += b.length;
    }
    return this;
  }

  /** Writes a length-delimited UTF-8 string. */
  string(s: string): this {
    return this.bytes(ENCODER.encode(s));
  }

  /** Writes a nested message produced by `child`. */
  message(child: ProtoWriter): this {
    child.flushScratch();
    this.pushVarint(child.length);
    this.flushScratch();
    for (const c of child.chunks) this.chunks.push(c);
    this.length += child.length;
    return this;
  }

  /** Appends bytes verbatim (no length prefix). */
  raw(b: Uint8Array): this {
    this.flushScratch();
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }

  /** The whole encoded message. */
  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
