/**
 * Finite-difference checking of gradient graphs: compares the analytic vector-Jacobian
 * product d<c, f(x)>/dx from the autodiff with central differences
 * (F(x + h e_i) - F(x - h e_i)) / 2h of F(x) = <c, f(x)>, element by element.
 */
import { GradientSession } from '../autodiff/gradient.ts';
import { XqcError } from '../errors.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { tensor, toFloat64 } from '../onnx/tensor.ts';
import { SessionCache } from '../runtime/session.ts';
import { normalRng } from '../util/random.ts';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  model: Model;
  /** Values of every graph input (wrt initializers are fed too, defaulting to their value). */
  feeds: Record<string, Tensor>;
  of: string;
  /** Graph inputs or initializers to check. */
  wrt: string[];
  /** Step h (default 1e-6 for float64, 1e-2 for float32). */
  eps?: number;
  /** Relative tolerance (default 1e-5 float64, 2e-2 float32). */
  rtol?: number;
  /** Absolute tolerance (default 1e-7 float64, 2e-3 float32). */
  atol?: number;
  /** Check at most this many elements per wrt value, picked at random (default 64). */
  maxElements?: number;
  seed?: number;
}

/** Outcome of one check. */
export interface GradCheckResult {
  ok: boolean;
  checked: number;
  maxAbsError: number;
  /** Worst mismatches, for the failure message. */
  failures: { wrt: string; index: number; analytic: number; numeric: number }[];
}

const cache = new SessionCache(256);

/** A tensor of standard normal values. */
export function randn(dtype: 'float32' | 'float64', dims: number[], rng: () => number, scale = 1, offset = 0): Tensor {
  const n = dims.reduce((a, d) => a * d, 1);
  return tensor(dtype, dims, Array.from({ length: n }, () => offset + scale * rng()));
}

/** Runs the finite-difference check; never throws on mismatch (see {@link expectGradientsClose}). */
export async function gradCheck(o: GradCheckOptions): Promise<GradCheckResult> {
  const rng = normalRng(o.seed ?? 7);
  const g = o.model.graph;
  // Values to perturb must be plain graph inputs: onnxruntime-node ignores feeds for
  // initializers, even ones listed as graph inputs. Move such initializers out.
  const inits = new Map(g.initializers);
  const fwdModel: Model = { ...o.model, graph: { ...g, inputs: [...g.inputs], initializers: inits, outputs: [{ name: o.of }] } };
  const feeds: Record<string, Tensor> = { ...o.feeds };
  for (const name of new Set([...o.wrt, ...g.inputs.map((i) => i.name)])) {
    const init = inits.get(name);
    if (!init) continue;
    if (!fwdModel.graph.inputs.some((i) => i.name === name)) fwdModel.graph.inputs.push({ name, dtype: init.dtype, shape: [...init.dims] });
    inits.delete(name);
    feeds[name] ??= init;
  }
  for (const w of o.wrt) if (!feeds[w]) throw new XqcError('XQC_INVALID_ARGUMENT', `gradCheck: no value for wrt '${w}'`);
  const fwd = await cache.get(saveModel(fwdModel));
  const base = (await fwd.run(feeds, [o.of]))[o.of];
  const isF64 = base.dtype === 'float64';
  const c = randn(isF64 ? 'float64' : 'float32', base.dims, rng);
  const cv = toFloat64(c);
  const F = async (f: Record<string, Tensor>): Promise<number> => {
    const y = toFloat64((await fwd.run(f, [o.of]))[o.of]);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += cv[i] * y[i];
    return s;
  };

  const gs = await GradientSession.create(fwdModel, { of: o.of, wrt: o.wrt }, { cache });
  const { grads } = await gs.run(feeds, c);

  const eps = o.eps ?? (isF64 ? 1e-6 : 1e-2);
  const rtol = o.rtol ?? (isF64 ? 1e-5 : 2e-2);
  const atol = o.atol ?? (isF64 ? 1e-7 : 2e-3);
  const failures: GradCheckResult['failures'] = [];
  let checked = 0;
  let maxAbsError = 0;
  for (const w of o.wrt) {
    const x = feeds[w];
    const analytic = toFloat64(grads[w]);
    if (analytic.length !== x.data.length) {
      throw new XqcError('XQC_SHAPE_MISMATCH', `gradient of '${w}' has ${analytic.length} values, input has ${x.data.length}`);
    }
    const n = x.data.length;
    const limit = Math.min(n, o.maxElements ?? 64);
    const picks = limit === n ? [...Array(n).keys()] : pick(n, limit, rng);
    for (const i of picks) {
      const plus = perturb(x, i, eps);
      const minus = perturb(x, i, -eps);
      const numeric = ((await F({ ...feeds, [w]: plus })) - (await F({ ...feeds, [w]: minus }))) / (2 * eps);
      const a = analytic[i];
      const err = Math.abs(a - numeric);
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
      if (!(err <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) failures.push({ wrt: w, index: i, analytic: a, numeric });
    }
  }
  return { ok: failures.length === 0, checked, maxAbsError, failures: failures.slice(0, 8) };
}

/** {@link gradCheck}, throwing an error that lists the worst mismatches. */
export async function expectGradientsClose(o: GradCheckOptions): Promise<GradCheckResult> {
  const r = await gradCheck(o);
  if (!r.ok) {
    const lines = r.failures.map((f) => `${f.wrt}[${f.index}]: analytic ${f.analytic} vs numeric ${f.numeric}`);
    throw new Error(`gradient check failed (${r.failures.length}+ of ${r.checked}):\n${lines.join('\n')}`);
  }
  return r;
}

function perturb(x: Tensor, i: number, h: number): Tensor {
  const data = (x.data as Float64Array).slice();
  data[i] += h;
  return { dtype: x.dtype, dims: x.dims, data };
}

function pick(n: number, k: number, rng: () => number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(Math.min(n - 1, Math.floor(Math.abs(rng() * 1e6)) % n));
  return [...chosen];
}
