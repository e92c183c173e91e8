/**
 * Test helper: checks shape inference against ONNX Runtime. Every value of a model is
 * exposed as a graph output, the model runs once, and each inferred dtype and shape is
 * compared with the tensor the runtime produced. Symbolic dims must bind consistently
 * (one symbol, one size across all values).
 */
import { expect } from 'vitest';
import { SessionCache } from '../../runtime/session.ts';
import { singleOpModel } from '../../testing/model-factory.ts';
import type { AttrInput } from '../builder.ts';
import type { Dim, Model } from '../ir.ts';
import { saveModel } from '../model-io.ts';
import { exposeOutputs } from '../passes/expose-outputs.ts';
import { allocate, sizeOf } from '../tensor.ts';
import type { DType, Tensor } from '../tensor.ts';
import { productOf } from './dims.ts';
import type { SymbolicProduct } from './dims.ts';
import { inferTypes } from './infer.ts';
import type { InferOptions } from './infer.ts';

const cache = new SessionCache(16);

/** Options of {@link expectInferenceMatchesRuntime}. */
export interface OracleOptions extends InferOptions {
  /** Let inferred dims or ranks be unknown; known dims must still be right and symbols consistent. */
  allowUnknown?: boolean;
}

/** Deterministic feed data: small varied floats, integers cycling 0..2, alternating booleans. */
export function feed(dtype: DType, dims: number[]): Tensor {
  const n = sizeOf(dims);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    if (data instanceof BigInt64Array) data[i] = BigInt(i % 3);
    else if (dtype === 'bool') (data as Uint8Array)[i] = i % 2;
    else if (dtype === 'float32' || dtype === 'float64') (data as Float32Array)[i] = Math.sin(i * 1.7) * 2;
    else (data as Int32Array)[i] = i % 3;
  }
  return { dtype, dims, data };
}

/**
 * Runs `model` on `feeds` with every value exposed and asserts that shape inference
 * predicted each value's dtype and dims. Returns how many values were checked.
 */
export async function expectInferenceMatchesRuntime(model: Model, feeds: Record<string, Tensor>, options: OracleOptions = {}): Promise<number> {
  const env = inferTypes(model, options);
  const session = await cache.get(saveModel(exposeOutputs(model, undefined, options)), { graphOptimization: 'disabled', intraOpThreads: 1 });
  const actual = await session.run(feeds);
  const bound = new Map<string, number>();
  for (const v of model.graph.inputs) {
    v.shape?.forEach((d, k) => typeof d === 'string' && feeds[v.name] && bound.set(d, feeds[v.name].dims[k]));
  }
  const problems: string[] = [];
  const symbolic: { d: string; real: number; say: (what: string) => number }[] = [];
  for (const [name, t] of Object.entries(actual)) {
    const inferred = env.types.get(name);
    const shape: Dim[] | undefined = inferred?.shape;
    const say = (what: string): number => problems.push(`${name}: ${what}; inferred ${inferred?.dtype} [${shape?.map(String).join(',')}], actual ${t.dtype} [${t.dims.join(',')}]`);
    if (inferred?.dtype !== t.dtype) say('dtype differs');
    if (!shape) {
      if (!options.allowUnknown) say('shape unknown');
      continue;
    }
    if (shape.length !== t.dims.length) {
      say('rank differs');
      continue;
    }
    shape.forEach((d, k) => {
      const real = t.dims[k];
      if (typeof d === 'number') {
        if (d !== real) say(`dim ${k} differs`);
      } else if (typeof d === 'string') symbolic.push({ d, real, say });
      else if (!options.allowUnknown) say(`dim ${k} unknown`);
    });
  }
  // Lone symbols bind first; products such as 2*N are then evaluated from them.
  symbolic.sort((a, b) => Number(a.d.includes('*')) - Number(b.d.includes('*')));
  for (const { d, real, say } of symbolic) {
    const p = productOf([d]) as SymbolicProduct;
    const value = p.syms.every((x) => bound.has(x)) ? p.syms.reduce((acc, x) => acc * (bound.get(x) as number), p.coef) : undefined;
    if (value === undefined) bound.set(d, real);
    else if (value !== real) say(`symbolic ${d} is ${value} by the other values but ${real} here`);
  }
  expect(problems).toEqual([]);
  return Object.keys(actual).length;
}

/** A graph input of an {@link OpCase}: a static shape (float32) or a shape and dtype. */
export type CaseInput = number[] | { shape: number[]; dtype: DType };

/** One operator with attributes, checked by {@link checkOpCase}. */
export interface OpCase {
  op: string;
  /** Graph inputs, in the node's input order (constants and omitted inputs take their own positions). */
  in: CaseInput[];
  /** Constant inputs by node input position. */
  c?: Record<number, Tensor>;
  omit?: number[];
  attrs?: Record<string, AttrInput | undefined>;
  outputs?: number;
  opset?: number;
}

/** A readable label of a case for test names. */
export function caseLabel(c: OpCase): string {
  const attrs = Object.entries(c.attrs ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null && 'type' in v ? JSON.stringify((v as { value: unknown }).value) : JSON.stringify(v)}`)
    .join(' ');
  const consts = Object.entries(c.c ?? {}).map(([k, t]) => `#${k}=[${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}]`).join(' ');
  const ins = c.in.map((x) => (Array.isArray(x) ? `[${x.join(',')}]` : `${x.dtype}[${x.shape.join(',')}]`)).join(' ');
  return `${c.op}@${c.opset ?? 17} ${ins} ${consts} ${attrs}`.trim();
}

/**
 * Checks `c` twice against ONNX Runtime: with static input shapes (every dim must be
 * inferred exactly), then with each input's leading dim symbolic (dims may become
 * unknown, but known ones must be right and symbols consistent).
 */
export async function checkOpCase(c: OpCase): Promise<void> {
  const specs = c.in.map((x, i) => ({ name: `in${i}`, dtype: Array.isArray(x) ? ('float32' as DType) : x.dtype, shape: Array.isArray(x) ? x : x.shape }));
  const feeds = Object.fromEntries(specs.map((s) => [s.name, feed(s.dtype, s.shape)]));
  const build = (symbolic: boolean): Model =>
    singleOpModel({
      op: c.op,
      inputs: specs.map((s) => ({ ...s, shape: symbolic && s.shape.length > 0 ? [`S${s.shape[0]}`, ...s.shape.slice(1)] : s.shape })),
      constants: c.c,
      omitted: c.omit,
      attrs: c.attrs,
      outputs: c.outputs,
      opset: c.opset,
    });
  await expectInferenceMatchesRuntime(build(false), feeds);
  await expectInferenceMatchesRuntime(build(true), feeds, { allowUnknown: true });
}
