/**
 * The `.npy` header: the magic string, the format version and the Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` that numpy writes.
 * Parsing accepts the small subset of Python literal syntax numpy produces (and older
 * numpy's `3L` longs); anything else is rejected rather than guessed at.
 */
import { XqcError } from '../errors.ts';

/** The six bytes every `.npy` file starts with. */
export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

/** numpy aligns the start of the data to this many bytes so it can be memory-mapped. */
const ARRAY_ALIGN = 64;

/** numpy leaves room for the growth axis to reach this many digits (see numpy.lib.format). */
const GROWTH_AXIS_MAX_DIGITS = 21;

/** The decoded header of a `.npy` file. */
export interface NpyHeader {
  /** numpy array-protocol type string, e.g. `<f4`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first data byte. */
  dataOffset: number;
  /** Format version `[major, minor]`. */
  version: [number, number];
}

function invalid(message: string): XqcError {
  return new XqcError('XQC_NPY_INVALID', message);
}

/**
 * Decodes the magic, version, header length and header dict at the start of `bytes`.
 * Versions 1.0 (uint16 header length, latin-1), 2.0 (uint32, latin-1) and 3.0 (uint32, UTF-8).
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.byteLength < 10) throw invalid(`.npy data of ${bytes.byteLength} bytes is too short for a header`);
  for (let i = 0; i < NPY_MAGIC.length; i++) {
    if (bytes[i] !== NPY_MAGIC[i]) throw invalid('not a .npy file: the magic string \\x93NUMPY is missing');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (minor !== 0 || major < 1 || major > 3) throw invalid(`unsupported .npy format version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start: number;
  let length: number;
  if (major === 1) {
    start = 10;
    length = view.getUint16(8, true);
  } else {
    if (bytes.byteLength < 12) throw invalid(`.npy version ${major}.0 data of ${bytes.byteLength} bytes is too short`);
    start = 12;
    length = view.getUint32(8, true);
  }
  const dataOffset = start + length;
  if (dataOffset > bytes.byteLength) {
    throw invalid(`.npy header claims ${length} bytes but only ${bytes.byteLength - start} follow`);
  }
  const raw = bytes.subarray(start, dataOffset);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: major === 3 }).decode(raw);
  const dict = parseDict(text);
  return { ...dict, dataOffset, version: [major, 0] };
}

/**
 * Encodes a header exactly as numpy 1.24 `np.save` does: sorted keys, the spare
 * growth-axis spaces, space padding to a multiple of 64 bytes and a final newline.
 * Version 1.0 unless the header needs more than 65535 bytes, then 2.0.
 */
export function formatNpyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const prefixFor = (major: number): number => NPY_MAGIC.length + 2 + (major === 1 ? 2 : 4);
  const padFor = (major: number): number => ARRAY_ALIGN - ((prefixFor(major) + dict.length + 1) % ARRAY_ALIGN);
  const major = dict.length + 1 + padFor(1) <= 0xffff ? 1 : 2;
  const headerLength = dict.length + padFor(major) + 1;
  const out = new Uint8Array(prefixFor(major) + headerLength);
  out.set(NPY_MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  const body = out.subarray(prefixFor(major));
  for (let i = 0; i < dict.length; i++) body[i] = dict.charCodeAt(i);
  body.fill(0x20, dict.length, headerLength - 1);
  body[headerLength - 1] = 0x0a;
  return out;
}

type Literal = string | boolean | number[];

/** A recursive-descent reader over the header text. */
class LiteralReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  expect(ch: string): void {
    if (this.peek() !== ch) throw invalid(`malformed .npy header: expected '${ch}' at offset ${this.pos} in ${JSON.stringify(this.text.trim())}`);
    this.pos++;
  }

  /** Consumes `ch` when it is next and says whether it did. */
  accept(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') throw invalid(`malformed .npy header: expected a string at offset ${this.pos}`);
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) throw invalid('malformed .npy header: unterminated string');
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  value(): Literal {
    const ch = this.peek();
    if (ch === "'" || ch === '"') return this.string();
    if (ch === '(') return this.tuple();
    if (ch === '[') throw invalid('structured .npy dtypes (a list descr) are not supported');
    for (const [word, v] of [['True', true], ['False', false]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    throw invalid(`malformed .npy header: unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 12))}`);
  }

  private tuple(): number[] {
    this.expect('(');
    const items: number[] = [];
    while (!this.accept(')')) {
      const m = /^(\d+)L?/.exec(this.text.slice(this.pos));
      if (!m) throw invalid(`malformed .npy header: shape entries must be non-negative integers at offset ${this.pos}`);
      this.pos += m[0].length;
      items.push(Number(m[1]));
      if (!this.accept(',')) {
        this.expect(')');
        break;
      }
    }
    return items;
  }
}

function parseDict(text: string): Pick<NpyHeader, 'descr' | 'fortranOrder' | 'shape'> {
  const r = new LiteralReader(text);
  const entries = new Map<string, Literal>();
  r.expect('{');
  while (!r.accept('}')) {
    const key = r.string();
    r.expect(':');
    if (entries.has(key)) throw invalid(`malformed .npy header: key '${key}' appears twice`);
    entries.set(key, r.value());
    if (!r.accept(',')) {
      r.expect('}');
      break;
    }
  }
  if (!r.atEnd()) throw invalid('malformed .npy header: text after the closing brace');
  const keys = [...entries.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw invalid(`malformed .npy header: keys must be exactly descr, fortran_order, shape (got ${keys || 'none'})`);
  }
  const descr = entries.get('descr');
  const fortranOrder = entries.get('fortran_order');
  const shape = entries.get('shape');
  if (typeof descr !== 'string') throw invalid("malformed .npy header: 'descr' must be a string");
  if (typeof fortranOrder !== 'boolean') throw invalid("malformed .npy header: 'fortran_order' must be True or False");
  if (!Array.isArray(shape)) throw invalid("malformed .npy header: 'shape' must be a tuple of integers");
  for (const d of shape) {
    if (!Number.isSafeInteger(d)) throw invalid(`.npy shape entry ${d} is too large`);
  }
  return { descr, fortranOrder, shape };
}
