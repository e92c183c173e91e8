import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import type { DType, Tensor } from '../onnx/tensor.ts';
import { tensor } from '../onnx/tensor.ts';
import { readNpy, readNpyFile, writeNpy, writeNpyFile } from './npy.ts';
import { formatNpyHeader } from './npy-header.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/npy/', import.meta.url));
const fixture = (name: string): Promise<Uint8Array> => readFile(join(FIXTURES, name));

function expectCode(fn: () => unknown, code: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isXqcError(caught), `expected an XqcError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  expect((caught as Error).message).toMatch(pattern);
}

/** A copy of `bytes` with the ASCII header text `from` replaced by `to` (same length). */
function patchHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf(from);
  expect(at).toBeGreaterThan(0);
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(to, 'latin1'), at);
  return out;
}

describe('readNpy on files written by numpy', () => {
  it('reads float32 2x3', async () => {
    const t = readNpy(await fixture('f4_2x3.npy'));
    expect(t.dtype).toBe('float32');
    expect(t.dims).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
  });

  it('reads a 0-d float64 scalar', async () => {
    const t = readNpy(await fixture('f8_scalar.npy'));
    expect(t).toEqual({ dtype: 'float64', dims: [], data: Float64Array.of(3.25) });
  });

  it('reads int64 beyond 2^53 exactly', async () => {
    const t = readNpy(await fixture('i8_vec.npy'));
    expect(t.dtype).toBe('int64');
    expect(Array.from(t.data as BigInt64Array)).toEqual([-(2n ** 40n), -1n, 0n, 7n, 2n ** 62n]);
  });

  it('reads int32, uint8 and bool', async () => {
    const i4 = readNpy(await fixture('i4_2x2x2.npy'));
    expect(i4.dims).toEqual([2, 2, 2]);
    expect(Array.from(i4.data as Int32Array)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3]);
    expect(readNpy(await fixture('u1_3.npy'))).toEqual({ dtype: 'uint8', dims: [3], data: Uint8Array.of(0, 128, 255) });
    expect(readNpy(await fixture('b1_2x2.npy'))).toEqual({ dtype: 'bool', dims: [2, 2], data: Uint8Array.of(1, 0, 0, 1) });
  });

  it('reads a 0-length array', async () => {
    const t = readNpy(await fixture('f4_0x3.npy'));
    expect(t.dims).toEqual([0, 3]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data.length).toBe(0);
  });

  it('reads format versions 2.0 and 3.0', async () => {
    for (const name of ['f4_v2.npy', 'f4_v3.npy']) {
      const bytes = await fixture(name);
      expect(bytes[6]).toBe(name === 'f4_v2.npy' ? 2 : 3);
      expect(readNpy(bytes)).toEqual({ dtype: 'float32', dims: [2], data: Float32Array.of(1.5, -2) });
    }
  });

  it('rejects big-endian and Fortran-ordered data with XQC_NPY_INVALID', async () => {
    const big = await fixture('f4_big_endian.npy');
    expectCode(() => readNpy(big), 'XQC_NPY_INVALID', /big-endian/);
    const fortran = await fixture('f4_fortran.npy');
    expectCode(() => readNpy(fortran), 'XQC_NPY_INVALID', /Fortran/);
  });

  it('writes byte-identical files to np.save', async () => {
    for (const name of (await readdir(FIXTURES)).filter((n) => /^(f4_2x3|f8_scalar|i8_vec|i4_2x2x2|u1_3|b1_2x2|f4_0x3)\.npy$/.test(n))) {
      const bytes = await fixture(name);
      expect(Buffer.from(writeNpy(readNpy(bytes))).equals(Buffer.from(bytes)), name).toBe(true);
    }
  });
});

describe('writeNpy then readNpy', () => {
  const cases: [DType, ArrayLike<number>][] = [
    ['float32', [1.5, -0.25, 3e-8, 65504, -1e30, 0]],
    ['float64', [Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, 0, 1, -1]],
    ['float16', [0x3c00, 0xc000, 0, 0x7bff, 1, 2]],
    ['int8', [-128, 127, 0, 1, -1, 5]],
    ['uint8', [0, 255, 1, 2, 3, 4]],
    ['int16', [-32768, 32767, 0, 1, 2, 3]],
    ['uint16', [65535, 0, 1, 2, 3, 4]],
    ['int32', [-2147483648, 2147483647, 0, 1, 2, 3]],
    ['uint32', [4294967295, 0, 1, 2, 3, 4]],
    ['int64', [-5, 4, 0, 1, 2, 3]],
    ['uint64', [0, 9, 1, 2, 3, 4]],
    ['bool', [1, 0, 0, 1, 1, 0]],
  ];
  for (const [dtype, values] of cases) {
    it(`round-trips ${dtype} over shapes (2,3), (6,), (3,1,2)`, () => {
      for (const dims of [[2, 3], [6], [3, 1, 2]]) {
        const t = tensor(dtype, dims, values);
        const back = readNpy(writeNpy(t));
        expect(back).toEqual(t);
        expect(back.data).not.toBe(t.data);
      }
    });
  }

  it('round-trips int64 values beyond 2^53 and extremes', () => {
    const data = BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n);
    expect(readNpy(writeNpy({ dtype: 'int64', dims: [3], data })).data).toEqual(data);
  });

  it('round-trips scalars and 0-length shapes', () => {
    for (const t of [
      tensor('float32', [], [2.5]),
      tensor('int32', [0], []),
      tensor('float64', [4, 0, 2], []),
      tensor('bool', [0], []),
    ]) {
      expect(readNpy(writeNpy(t))).toEqual(t);
    }
  });

  it('keeps NaN and infinities', () => {
    const back = readNpy(writeNpy(tensor('float32', [3], [NaN, Infinity, -Infinity]))).data as Float32Array;
    expect(Number.isNaN(back[0])).toBe(true);
    expect(back[1]).toBe(Infinity);
    expect(back[2]).toBe(-Infinity);
  });

  it('reads from a Uint8Array that is a view at an odd offset', () => {
    const bytes = writeNpy(tensor('float64', [2], [1.25, -7]));
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    expect(readNpy(host.subarray(3)).data).toEqual(Float64Array.of(1.25, -7));
  });

  it('aligns the data to 64 bytes and switches to version 2.0 for huge headers', () => {
    for (const dims of [[], [1], [7, 11], [123456789, 0]]) {
      const bytes = writeNpy(tensor('uint8', dims));
      const headerLength = bytes[8] | (bytes[9] << 8);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[6]).toBe(1);
    }
    const manyDims = new Array(30000).fill(1);
    const header = formatNpyHeader('<f4', manyDims);
    expect(header[6]).toBe(2);
    expect(header.length % 64).toBe(0);
    const t = readNpy(writeNpy(tensor('float32', manyDims, [4])));
    expect(t.dims.length).toBe(30000);
    expect(t.data).toEqual(Float32Array.of(4));
  });

  it('normalises bool bytes to 0 and 1', () => {
    const bytes = writeNpy({ dtype: 'bool', dims: [3], data: Uint8Array.of(0, 7, 255) });
    expect(Array.from(bytes.subarray(bytes.length - 3))).toEqual([0, 1, 1]);
  });

  it('rejects dtypes numpy cannot hold and inconsistent tensors', () => {
    const bf16: Tensor = { dtype: 'bfloat16', dims: [1], data: Uint16Array.of(0) };
    expectCode(() => writeNpy(bf16), 'XQC_DTYPE_UNSUPPORTED', /bfloat16/);
    expectCode(() => writeNpy({ dtype: 'string', dims: [1], data: ['a'] }), 'XQC_DTYPE_UNSUPPORTED', /string/);
    expectCode(() => writeNpy({ dtype: 'float32', dims: [2, 2], data: new Float32Array(3) }), 'XQC_SHAPE_MISMATCH', /needs 4/);
    expectCode(() => writeNpy({ dtype: 'float32', dims: [-1], data: new Float32Array(0) }), 'XQC_INVALID_ARGUMENT', /-1/);
  });
});

describe('readNpy on malformed input', () => {
  const good = writeNpy(tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]));

  it('rejects a missing magic string and short input', () => {
    expectCode(() => readNpy(new TextEncoder().encode('PK\x03\x04 not numpy at all')), 'XQC_NPY_INVALID', /magic/);
    expectCode(() => readNpy(good.subarray(0, 8)), 'XQC_NPY_INVALID', /too short/);
  });

  it('rejects unknown versions and a header longer than the file', () => {
    const v9 = Uint8Array.from(good);
    v9[6] = 9;
    expectCode(() => readNpy(v9), 'XQC_NPY_INVALID', /version 9\.0/);
    expectCode(() => readNpy(good.subarray(0, 40)), 'XQC_NPY_INVALID', /header claims/);
  });

  it('rejects truncated and over-long data', () => {
    expectCode(() => readNpy(good.subarray(0, good.length - 1)), 'XQC_NPY_INVALID', /truncated: .* needs 24 bytes, found 23/);
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expectCode(() => readNpy(longer), 'XQC_NPY_INVALID', /trailing bytes/);
  });

  it('rejects malformed header dicts', () => {
    expectCode(() => readNpy(patchHeader(good, "'descr'", "'dEscr'")), 'XQC_NPY_INVALID', /keys must be exactly/);
    expectCode(() => readNpy(patchHeader(good, 'False', 'Nope!')), 'XQC_NPY_INVALID', /unexpected/);
    expectCode(() => readNpy(patchHeader(good, '(2, 3)', '(2, x)')), 'XQC_NPY_INVALID', /non-negative integers/);
    expectCode(() => readNpy(patchHeader(good, '(2, 3)', '(2; 3)')), 'XQC_NPY_INVALID', /expected '\)'/);
    expectCode(() => readNpy(patchHeader(good, '{', '[')), 'XQC_NPY_INVALID', /expected '\{'/);
    expectCode(() => readNpy(patchHeader(good, "'<f4'", "'<c8'")), 'XQC_NPY_INVALID', /dtype '<c8' is not supported/);
    expectCode(() => readNpy(patchHeader(good, "'<f4'", "[('a'")), 'XQC_NPY_INVALID', /structured/);
    expectCode(() => readNpy(patchHeader(good, ', }', ', x')), 'XQC_NPY_INVALID', /malformed/);
  });

  it('accepts one-byte dtypes with any byte-order mark and Fortran order of a 1-D array', () => {
    const u1 = writeNpy(tensor('uint8', [2], [3, 4]));
    expect(readNpy(patchHeader(u1, "'|u1'", "'>u1'")).data).toEqual(Uint8Array.of(3, 4));
    expect(readNpy(patchHeader(u1, 'False', 'True ')).data).toEqual(Uint8Array.of(3, 4));
  });
});

describe('readNpyFile and writeNpyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xqc-npy-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically, leaves no temporary file and reads back', async () => {
    const path = join(dir, 'a.npy');
    const t = tensor('int32', [2, 2], [1, -2, 3, -4]);
    await writeNpyFile(path, t);
    await writeNpyFile(path, tensor('int32', [1], [9]));
    expect(await readNpyFile(path)).toEqual(tensor('int32', [1], [9]));
    expect(await readdir(dir)).toEqual(['a.npy']);
  });

  it('reports XQC_IO for unreadable or unwritable paths and names the file of a bad one', async () => {
    await expect(readNpyFile(join(dir, 'missing.npy'))).rejects.toMatchObject({ code: 'XQC_IO' });
    const bad = join(dir, 'bad.npy');
    await writeFile(bad, 'not numpy');
    const under = join(bad, 'x.npy');
    await expect(writeNpyFile(under, tensor('uint8', [1], [1]))).rejects.toMatchObject({ code: 'XQC_IO', message: expect.stringContaining(under) });
    await expect(readNpyFile(bad)).rejects.toMatchObject({ code: 'XQC_NPY_INVALID', message: expect.stringContaining(bad) });
    expect((await readdir(dir)).sort()).toEqual(['a.npy', 'bad.npy']);
  });
});
