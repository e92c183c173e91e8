import { describe, expect, it } from 'vitest';
import type { Model } from '../../onnx/ir.ts';
import { loadModel, saveModel } from '../../onnx/model-io.ts';
import { optimizedModel } from '../../runtime/session.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { DType } from '../../onnx/tensor.ts';
import { emptyModel } from '../../testing/index.ts';
import { GradientSession } from '../gradient.ts';
import { defaultRegistry } from '../register-all.ts';
import { buildGradient } from '../vjp.ts';
import { stepScale } from './interval-mask.ts';

/** The float32 values next to v (v itself exactly representable). */
function neighbours(v: number): [number, number] {
  const f = new Float32Array([v]);
  const i = new Int32Array(f.buffer);
  const up = new Float32Array(1);
  const down = new Float32Array(1);
  const iu = new Int32Array(up.buffer);
  const id = new Int32Array(down.buffer);
  if (v === 0) return [1.401298464324817e-45, -1.401298464324817e-45];
  iu[0] = i[0] + (v > 0 ? 1 : -1);
  id[0] = i[0] + (v > 0 ? -1 : 1);
  return [up[0], down[0]];
}

describe('stepScale', () => {
  it('puts every float32 neighbour of a bound at least 1 away after scaling', () => {
    for (const v of [6, 1, -1, 0.5, 3, 1e-3, -2.5, 1000, 2 ** 20, 1.5e-30, 7e30]) {
      const k = stepScale(v);
      expect(k, `bound ${v}`).not.toBeNull();
      for (const n of neighbours(Math.fround(v))) expect(Math.abs(n - Math.fround(v)) * (k as number), `bound ${v}, neighbour ${n}`).toBeGreaterThanOrEqual(1);
      expect(Math.abs(v) * (k as number)).toBeLessThan(2 ** 26);
    }
    expect(stepScale(0)).toBe(2 ** 126);
    expect(stepScale(6)).toBe(2 ** 22);
    expect(stepScale(1e-35)).toBeNull();
  });
});

/**
 * x [N, C, 2, 2] -> Conv (identity 1x1, a constant weight) -> act -> y. The adjoint of the
 * identity Conv is exact, so dx must equal c * [lo < y < hi] to the bit.
 */
function activationModel(c: number, act: 'Relu' | 'Clip', bounds: [number, number] = [0, 6], dtype: DType = 'float32', feedWeight = false): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype, shape: ['N', c, 2, 2] }, ...(feedWeight ? [{ name: 'w', dtype, shape: [c, c, 1, 1] }] : [])]);
  const eye = new Array<number>(c * c).fill(0);
  for (let i = 0; i < c; i++) eye[i * c + i] = 1;
  const w = feedWeight ? 'w' : b.constant(tensor(dtype, [c, c, 1, 1], eye), 'eye');
  const z = b.op1('Conv', ['x', w]);
  const y = act === 'Relu' ? b.op1('Relu', [z]) : b.op1('Clip', [z, b.scalar(bounds[0], dtype), b.scalar(bounds[1], dtype)]);
  b.op('Identity', [y], {}, { outputNames: ['y'] });
  model.graph.outputs.push({ name: 'y', dtype, shape: ['N', c, 2, 2] });
  return model;
}

/** Conv nodes of the backward pass with group = channels (the mask Convs). */
function maskConvs(model: Model, c: number): number {
  const g = buildGradient(model, defaultRegistry(), { of: 'y', wrt: ['x'] });
  return g.model.graph.nodes.filter((n) => n.opType === 'Conv' && n.attributes.group?.type === 'int' && n.attributes.group.value === c).length;
}

const SMALLEST_NORMAL = 2 ** -126;

/**
 * Inputs on and next to the bounds (leaving out subnormals, the documented exception),
 * the smallest normal magnitudes, huge, negative and in-between values.
 */
function probeValues(lo: number, hi: number, n: number): Float32Array {
  const near = [...neighbours(Math.fround(lo)), ...neighbours(Math.fround(hi))].filter((v) => Math.abs(v) >= SMALLEST_NORMAL);
  const special = [lo, hi, ...near, 0, -0, SMALLEST_NORMAL, -SMALLEST_NORMAL, 3e38, -3e38, (lo + hi) / 2, hi + 1, lo - 1];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i < special.length ? special[i] : Math.sin(i * 12.9898) * (hi - lo) * 1.5 + (lo + hi) / 2;
  return out;
}

async function checkExactMask(model: Model, c: number, lo: number, hi: number, probeHi = hi): Promise<void> {
  const batch = 3;
  const n = batch * c * 4;
  const xv = probeValues(lo, probeHi, n);
  const cv = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7) * 0.25);
  const s = await GradientSession.create(model, { of: 'y', wrt: ['x'] });
  const { value, grads } = await s.run({ x: tensor('float32', [batch, c, 2, 2], xv) }, tensor('float32', [batch, c, 2, 2], cv));
  const y = value.data as Float32Array;
  const dx = grads.x.data as Float32Array;
  for (let i = 0; i < n; i++) {
    const expected = y[i] > lo && y[i] < hi ? cv[i] : 0;
    if (dx[i] !== expected) throw new Error(`element ${i}: x ${xv[i]}, y ${y[i]}: dx ${dx[i]}, expected ${expected}`);
  }
}

describe('blocked-layout activation masks', () => {
  it('ReLU6 (Clip 0..6) masks exactly, in the Conv form', async () => {
    const model = activationModel(16, 'Clip');
    expect(maskConvs(model, 16)).toBe(2);
    await checkExactMask(model, 16, 0, 6);
  });

  it('Clip with negative and fractional bounds masks exactly', async () => {
    for (const [lo, hi] of [[-1.5, 0.75], [-3, -1e-3], [0.1, 1000]] as [number, number][]) {
      const model = activationModel(32, 'Clip', [lo, hi]);
      expect(maskConvs(model, 32)).toBe(2);
      await checkExactMask(model, 32, Math.fround(lo), Math.fround(hi));
    }
  });

  it('Relu masks exactly, in the Conv form', async () => {
    const model = activationModel(16, 'Relu');
    expect(maskConvs(model, 16)).toBe(1);
    await checkExactMask(model, 16, 0, Infinity, 6);
  });

  it('gives a subnormal distance from a bound of 0 the documented fraction y * 2^126', async () => {
    const model = activationModel(16, 'Relu');
    const xv = new Float32Array(16 * 4).fill(2 ** -130);
    xv[1] = 2 ** -149;
    const s = await GradientSession.create(model, { of: 'y', wrt: ['x'] });
    const { grads } = await s.run({ x: tensor('float32', [1, 16, 2, 2], xv) }, tensor('float32', [1, 16, 2, 2], new Float32Array(64).fill(1)));
    const dx = grads.x.data as Float32Array;
    expect(dx[0]).toBe(2 ** -4);
    expect(dx[1]).toBe(2 ** -23);
  });

  it('keeps the comparison form where the Conv form would not run blocked', () => {
    const compareOps = (m: Model): number => buildGradient(m, defaultRegistry(), { of: 'y', wrt: ['x'] }).model.graph.nodes.filter((n) => n.opType === 'Greater').length;
    // channels not a multiple of 16, float64, a fed (training) weight
    expect(compareOps(activationModel(24, 'Clip'))).toBe(1);
    expect(compareOps(activationModel(16, 'Clip', [0, 6], 'float64'))).toBe(1);
    expect(compareOps(activationModel(16, 'Relu', [0, 6], 'float32', true))).toBe(1);
    expect(maskConvs(activationModel(24, 'Clip'), 24)).toBe(0);
  });
});

describe('ONNX Runtime keeps the masked backward pass in its blocked layout', () => {
  /** x [N, 3, 8, 8] -> (Conv 3x3 + ReLU6) x2 -> Conv 1x1 -> GlobalAveragePool -> Flatten: a MobileNet-like chain. */
  function chain(): Model {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }]);
    let v = 'x';
    let cin = 3;
    let seed = 1;
    const weight = (o: number, i: number, k: number): string =>
      b.constant(tensor('float32', [o, i, k, k], Float32Array.from({ length: o * i * k * k }, () => Math.sin(seed++) * 0.3)), 'w');
    for (let l = 0; l < 2; l++) {
      v = b.op1('Conv', [v, weight(32, cin, 3)], { pads: [1, 1, 1, 1] });
      v = b.op1('Clip', [v, b.scalar(0, 'float32'), b.scalar(6, 'float32')]);
      cin = 32;
    }
    v = b.op1('Conv', [v, weight(32, 32, 1)]);
    v = b.op1('GlobalAveragePool', [v]);
    b.op('Flatten', [v], {}, { outputNames: ['y'] });
    model.graph.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', 32] });
    return model;
  }

  it('no masked product reads a tensor reordered out of the blocked layout', async () => {
    const g = buildGradient(chain(), defaultRegistry(), { of: 'y', wrt: ['x'] });
    const runtime = loadModel(await optimizedModel(saveModel(g.model))).graph;
    const producer = new Map<string, string>();
    for (const n of runtime.nodes) for (const o of n.outputs) producer.set(o, n.opType);
    const muls = runtime.nodes.filter((n) => n.opType === 'Mul');
    expect(muls.length).toBeGreaterThanOrEqual(4);
    const reordered = muls.filter((n) => n.inputs.some((i) => producer.get(i) === 'ReorderOutput'));
    expect(reordered.map((n) => n.name)).toEqual([]);
  });
});
