/**
 * Plain tensors shared by every module of the engine: a dtype, dims and a typed array
 * in row-major (C) order. They are independent of ONNX Runtime so that core code can
 * build, inspect and serialise them without a session.
 */
import { XqcError } from '../errors.ts';

/** Element types the engine understands (names as ONNX Runtime's JavaScript API spells them). */
export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

/** The typed array that stores each dtype (float16/bfloat16 keep their raw 16-bit patterns). */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
  string: string[];
}

/** Storage of any tensor. */
export type TensorData = DTypeArrayMap[DType];

/** A dense tensor: `data.length === product(dims)`, row-major. */
export interface Tensor<D extends DType = DType> {
  dtype: D;
  dims: number[];
  data: DTypeArrayMap[D];
}

/** Floating dtypes, the only ones gradients flow through. */
export const FLOAT_DTYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);

/** ONNX TensorProto.DataType codes and the dtypes they stand for. */
export const ONNX_DTYPE_CODES: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

const CODE_OF: Record<string, number> = Object.fromEntries(
  Object.entries(ONNX_DTYPE_CODES).map(([code, dt]) => [dt, Number(code)]),
);

/** The ONNX TensorProto.DataType code of `dtype`. */
export function onnxDTypeCode(dtype: DType): number {
  const code = CODE_OF[dtype];
  if (code === undefined) throw new XqcError('XQC_DTYPE_UNSUPPORTED', `dtype ${dtype} has no ONNX code`);
  return code;
}

/** The dtype of ONNX TensorProto.DataType `code`. */
export function dtypeFromOnnxCode(code: number): DType {
  const dt = ONNX_DTYPE_CODES[code];
  if (dt === undefined) throw new XqcError('XQC_DTYPE_UNSUPPORTED', `ONNX data type ${code} is not supported`);
  return dt;
}

/** Bytes per element of `dtype` (strings have no fixed size and return 0). */
export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
    case 'float32':
    case 'int32':
    case 'uint32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
    case 'uint16':
      return 2;
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    case 'string':
      return 0;
  }
}

/** Product of `dims` (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A zero-filled typed array of `dtype` with `n` elements. */
export function allocate<D extends DType>(dtype: D, n: number): DTypeArrayMap[D] {
  const make = (): TensorData => {
    switch (dtype) {
      case 'float32':
        return new Float32Array(n);
      case 'float64':
        return new Float64Array(n);
      case 'float16':
      case 'bfloat16':
      case 'uint16':
        return new Uint16Array(n);
      case 'int8':
        return new Int8Array(n);
      case 'uint8':
      case 'bool':
        return new Uint8Array(n);
      case 'int16':
        return new Int16Array(n);
      case 'int32':
        return new Int32Array(n);
      case 'uint32':
        return new Uint32Array(n);
      case 'int64':
        return new BigInt64Array(n);
      case 'uint64':
        return new BigUint64Array(n);
      case 'string':
        return new Array<string>(n).fill('');
    }
    throw new XqcError('XQC_DTYPE_UNSUPPORTED', `unknown dtype ${String(dtype)}`);
  };
  return make() as DTypeArrayMap[D];
}

/** A typed array of `dtype` viewing a copy of little-endian `bytes` (copied so it is aligned). */
export function fromBytes<D extends DType>(dtype: D, bytes: Uint8Array): DTypeArrayMap[D] {
  const width = bytesPerElement(dtype);
  if (width === 0) throw new XqcError('XQC_DTYPE_UNSUPPORTED', 'string tensors have no raw byte form');
  if (bytes.byteLength % width !== 0) {
    throw new XqcError('XQC_MODEL_INVALID', `raw data of ${bytes.byteLength} bytes is not a multiple of ${width} for ${dtype}`);
  }
  const out = allocate(dtype, bytes.byteLength / width) as Exclude<TensorData, string[]>;
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out as DTypeArrayMap[D];
}

/** The little-endian bytes of a numeric tensor's data (a view, not a copy). */
export function toBytes(data: TensorData): Uint8Array {
  if (Array.isArray(data)) throw new XqcError('XQC_DTYPE_UNSUPPORTED', 'string tensors have no raw byte form');
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Creates a tensor, checking that `data.length` matches `dims`. */
export function tensor<D extends DType>(dtype: D, dims: readonly number[], data?: DTypeArrayMap[D] | ArrayLike<number>): Tensor<D> {
  const n = sizeOf(dims);
  let store: DTypeArrayMap[D];
  if (data === undefined) store = allocate(dtype, n);
  else if (isTypedFor(dtype, data)) store = data as DTypeArrayMap[D];
  else store = fill(dtype, data as ArrayLike<number>);
  if (store.length !== n) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `tensor of dims [${dims.join(',')}] needs ${n} elements, got ${store.length}`);
  }
  return { dtype, dims: [...dims], data: store };
}

function isTypedFor(dtype: DType, data: unknown): boolean {
  const probe = allocate(dtype, 0) as unknown as object;
  return Object.getPrototypeOf(probe) === Object.getPrototypeOf(data);
}

function fill<D extends DType>(dtype: D, values: ArrayLike<number>): DTypeArrayMap[D] {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]));
  } else if (Array.isArray(out)) {
    for (let i = 0; i < values.length; i++) out[i] = String(values[i]);
  } else {
    (out as Float64Array).set(values);
  }
  return out;
}

/** Numeric values of a tensor as plain numbers (int64 converted with Number()). */
export function toNumbers(t: Tensor): number[] {
  const d = t.data;
  if (Array.isArray(d)) throw new XqcError('XQC_DTYPE_UNSUPPORTED', 'string tensor has no numeric values');
  const out = new Array<number>(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  return out;
}

/** A float32 or float64 tensor as Float64Array values (copy). */
export function toFloat64(t: Tensor): Float64Array {
  const d = t.data;
  if (Array.isArray(d)) throw new XqcError('XQC_DTYPE_UNSUPPORTED', 'string tensor has no numeric values');
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]);
  return out;
}

/** Converts a numeric tensor to `dtype` (truncating toward zero for integer targets). */
export function castTensor<D extends DType>(t: Tensor, dtype: D): Tensor<D> {
  if (t.dtype === dtype) return t as Tensor<D>;
  return tensor(dtype, t.dims, toNumbers(t));
}
