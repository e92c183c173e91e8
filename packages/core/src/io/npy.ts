/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), the exchange format for goldens,
 * cached activations and explanation maps. Only little-endian, C-ordered numeric arrays
 * are supported: those are what `np.save` writes on every platform we run on, and they
 * map byte-for-byte onto JavaScript typed arrays.
 */
import { readFile } from 'node:fs/promises';
import { XqcError, isXqcError } from '../errors.ts';
import type { DType, Tensor } from '../onnx/tensor.ts';
import { bytesPerElement, fromBytes, sizeOf, toBytes } from '../onnx/tensor.ts';
import { ioError, writeFileAtomic } from './atomic-write.ts';
import { formatNpyHeader, parseNpyHeader } from './npy-header.ts';

/** numpy's type string for each dtype that has one (bfloat16 and string do not). */
const DESCR_OF: Partial<Record<DType, string>> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  bool: '|b1',
};

/** Type strings numpy writes with `|` for one-byte types; `<` and `>` are equivalent there. */
const DTYPE_OF_DESCR = new Map<string, DType>(Object.entries(DESCR_OF).map(([dt, d]) => [d, dt as DType]));

function dtypeOfDescr(descr: string): DType {
  const kind = descr.slice(1);
  const order = descr[0];
  const oneByte = DTYPE_OF_DESCR.get(`|${kind}`);
  if (oneByte && (order === '|' || order === '<' || order === '>')) return oneByte;
  const dtype = DTYPE_OF_DESCR.get(`<${kind}`);
  if (dtype && order === '>') {
    throw new XqcError('XQC_NPY_INVALID', `big-endian .npy data ('${descr}') is not supported; save it little-endian (arr.astype('<${kind}'))`);
  }
  if (dtype && order === '<') return dtype;
  throw new XqcError('XQC_NPY_INVALID', `.npy dtype '${descr}' is not supported`, {
    details: { supported: [...DTYPE_OF_DESCR.keys()] },
  });
}

/**
 * Decodes a `.npy` file held in memory into a tensor with a copy of its data.
 * Bool elements are normalised to 0/1.
 * @param bytes the whole file
 * @returns a tensor whose `dims` are the numpy shape (`[]` for a 0-d array)
 * @throws XQC_NPY_INVALID for a bad magic, header, unsupported dtype, big-endian or
 *   Fortran-ordered data, or a data section whose length does not match the shape
 */
export function readNpy(bytes: Uint8Array): Tensor {
  const header = parseNpyHeader(bytes);
  const dtype = dtypeOfDescr(header.descr);
  if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
    throw new XqcError('XQC_NPY_INVALID', `Fortran-ordered .npy data (shape (${header.shape.join(', ')})) is not supported; save it with np.ascontiguousarray`);
  }
  const count = sizeOf(header.shape);
  const expected = count * bytesPerElement(dtype);
  const available = bytes.byteLength - header.dataOffset;
  if (available !== expected) {
    const what = available < expected ? 'truncated' : 'has trailing bytes';
    throw new XqcError('XQC_NPY_INVALID', `.npy data ${what}: shape (${header.shape.join(', ')}) of ${header.descr} needs ${expected} bytes, found ${available}`);
  }
  const data = fromBytes(dtype, bytes.subarray(header.dataOffset));
  if (dtype === 'bool') {
    const flags = data as Uint8Array;
    for (let i = 0; i < flags.length; i++) flags[i] = flags[i] === 0 ? 0 : 1;
  }
  return { dtype, dims: [...header.shape], data };
}

/**
 * Encodes a tensor as a `.npy` file (version 1.0, or 2.0 for very long headers),
 * byte-identical to what `np.save` writes for the same C-ordered array.
 * @param t a numeric tensor of any dtype except bfloat16 and string
 * @throws XQC_DTYPE_UNSUPPORTED for dtypes numpy cannot hold; XQC_SHAPE_MISMATCH when
 *   `data.length` is not the product of `dims`; XQC_INVALID_ARGUMENT for a bad dim
 */
export function writeNpy(t: Tensor): Uint8Array {
  const descr = DESCR_OF[t.dtype];
  if (descr === undefined) throw new XqcError('XQC_DTYPE_UNSUPPORTED', `dtype ${t.dtype} cannot be written to .npy`);
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new XqcError('XQC_INVALID_ARGUMENT', `tensor dim ${d} is not a non-negative integer`);
  }
  const count = sizeOf(t.dims);
  if (t.data.length !== count) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `tensor of dims [${t.dims.join(',')}] needs ${count} elements, got ${t.data.length}`);
  }
  const header = formatNpyHeader(descr, t.dims);
  const body = toBytes(t.data);
  const out = new Uint8Array(header.byteLength + body.byteLength);
  out.set(header, 0);
  out.set(body, header.byteLength);
  if (t.dtype === 'bool') {
    for (let i = header.byteLength; i < out.length; i++) out[i] = out[i] === 0 ? 0 : 1;
  }
  return out;
}

/**
 * Reads a `.npy` file from disk; see {@link readNpy}.
 * @throws XQC_IO when the file cannot be read; XQC_NPY_INVALID (naming the path) when it is malformed
 */
export async function readNpyFile(path: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw ioError('read', path, cause);
  }
  try {
    return readNpy(bytes);
  } catch (e) {
    if (isXqcError(e)) throw new XqcError(e.code, `${path}: ${e.message}`, { cause: e, details: e.details ? { ...e.details } : undefined });
    throw e;
  }
}

/**
 * Writes `t` as a `.npy` file, atomically (see {@link writeFileAtomic}): readers never see
 * a half-written file.
 * @throws XQC_IO when the file cannot be written; the errors of {@link writeNpy}
 */
export async function writeNpyFile(path: string, t: Tensor): Promise<void> {
  await writeFileAtomic(path, writeNpy(t));
}
