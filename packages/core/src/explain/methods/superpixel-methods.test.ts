/**
 * LIME and Kernel SHAP against known answers: on a linear model the value of coalition z
 * is exactly linear in z, so the Shapley values are phi_j = sum_{i in j} w_i (x_i - fill_i)
 * and LIME without a penalty recovers them; on a small network over the superpixel sums
 * the exact values are checked against an independent brute force over player orders.
 */
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { Model } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel } from '../../testing/explain-models.ts';
import { emptyModel } from '../../testing/model-factory.ts';
import { normalRng, uniformRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import type { Superpixels } from '../superpixels/slic.ts';
import { scalarTarget } from '../target.ts';
import { kernelShap } from './kernel-shap.ts';
import { lime } from './lime.ts';

const C = 3;
const H = 12;
const W = 12;
const plane = H * W;

/** `rows` x `cols` rectangular blocks as superpixels. */
function blocks(rows: number, cols: number): Superpixels {
  const labels = Int32Array.from({ length: plane }, (_, i) => Math.floor((Math.floor(i / W) * rows) / H) * cols + Math.floor(((i % W) * cols) / W));
  return { width: W, height: H, labels, count: rows * cols };
}

/**
 * f(x) = v^T relu(A r + b), r_j = sum over superpixel j of sum_c a_c x_c: a one-hidden-layer
 * network of the superpixel sums, so coalitions interact.
 */
function segmentNetwork(sp: Superpixels, hidden: number, seed: number): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', C, H, W] }]);
  const u = uniformRng(seed);
  const m = sp.count;
  const a = [0.5, -0.3, 0.8];
  const k1 = new Float32Array(m * C * plane);
  for (let j = 0; j < m; j++) for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) if (sp.labels[p] === j) k1[(j * C + c) * plane + p] = a[c] / 10;
  const r = b.op1('Conv', ['x', b.constant(tensor('float32', [m, C, H, W], k1), 'k1')]);
  const w2 = Float32Array.from({ length: hidden * m }, () => u() * 2 - 1);
  const b2 = Float32Array.from({ length: hidden }, () => u() - 0.5);
  const h = b.op1('Relu', [b.op1('Conv', [r, b.constant(tensor('float32', [hidden, m, 1, 1], w2), 'w2'), b.constant(tensor('float32', [hidden], b2), 'b2')])]);
  const w3 = Float32Array.from({ length: hidden }, () => u() * 2 - 1);
  b.op('Conv', [h, b.constant(tensor('float32', [1, hidden, 1, 1], w3), 'w3')], {}, { outputNames: ['y'] });
  model.graph.outputs = [{ name: 'y', dtype: 'float32', shape: ['N', 1, 1, 1] }];
  return model;
}

const rng = normalRng(12);
const x = tensor('float32', [1, C, H, W], Float32Array.from({ length: C * plane }, () => rng()));
const w = Float32Array.from({ length: C * plane }, () => rng());
const linear = ModelFunction.create(linearModel({ channels: C, height: H, width: W }, w, 0.3), { input: 'x', target: scalarTarget('y') });
const six = blocks(2, 3);

/** phi_j = sum_{i in j} w_i (x_i - mean of x over superpixel j in channel c). */
function linearPhi(sp: Superpixels): number[] {
  const phi = new Array<number>(sp.count).fill(0);
  for (let c = 0; c < C; c++) {
    const sum = new Array<number>(sp.count).fill(0);
    const size = new Array<number>(sp.count).fill(0);
    for (let p = 0; p < plane; p++) {
      sum[sp.labels[p]] += x.data[c * plane + p];
      size[sp.labels[p]]++;
    }
    for (let p = 0; p < plane; p++) {
      const j = sp.labels[p];
      phi[j] += w[c * plane + p] * (x.data[c * plane + p] - sum[j] / size[j]);
    }
  }
  return phi;
}

/** Shapley values by brute force: f on every coalition image (fill 0) built here, averaged over all player orders. */
async function bruteForceShapley(f: ModelFunction, sp: Superpixels): Promise<number[]> {
  const m = sp.count;
  const images = new Float32Array(2 ** m * C * plane);
  for (let mask = 0; mask < 2 ** m; mask++) {
    for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) if (mask & (1 << sp.labels[p])) images[(mask * C + c) * plane + p] = x.data[c * plane + p];
  }
  const v = await f.values(tensor('float32', [2 ** m, C, H, W], images));
  const phi = new Array<number>(m).fill(0);
  let orders = 0;
  const walk = (mask: number, order: number[]): void => {
    if (order.length === m) {
      orders++;
      let s = 0;
      for (const i of order) {
        phi[i] += v[s | (1 << i)] - v[s];
        s |= 1 << i;
      }
      return;
    }
    for (let i = 0; i < m; i++) if (!(mask & (1 << i))) walk(mask | (1 << i), [...order, i]);
  };
  walk(0, []);
  return phi.map((p) => p / orders);
}

describe('Kernel SHAP', () => {
  it('is exact on a linear model: phi_j = sum_{i in j} w_i (x_i - segment mean), by enumeration and from a partial sample', async () => {
    const expected = linearPhi(six);
    const exact = await kernelShap.explain({ x, f: linear, seed: 0 }, { segments: six });
    const sampled = await kernelShap.explain({ x, f: linear, seed: 0 }, { segments: six, exactMaxFeatures: 0, samples: 20 });
    expect(exact.extras?.exact).toBe(true);
    expect(exact.evaluations).toBe(64);
    expect(sampled.extras?.exact).toBe(false);
    expect(sampled.evaluations).toBe(22);
    for (const e of [exact, sampled]) {
      const phi = e.extras?.phi as number[];
      expected.forEach((v, j) => expect(phi[j]).toBeCloseTo(v, 3));
      expect(e.extras?.completenessError).toBeLessThan(1e-4);
      for (let p = 0; p < plane; p++) expect(e.map.data[p]).toBeCloseTo(expected[six.labels[p]], 3);
    }
  });

  it('equals brute-force Shapley values of a network over superpixel sums, and sampling converges to them', async () => {
    const five = blocks(1, 5);
    const f = ModelFunction.create(segmentNetwork(five, 6, 3), { input: 'x', target: scalarTarget('y') });
    const truth = await bruteForceShapley(f, five);
    expect(Math.max(...truth.map(Math.abs))).toBeGreaterThan(0.05);
    const exact = await kernelShap.explain({ x, f, seed: 1 }, { segments: five, fill: 0 });
    const full = await kernelShap.explain({ x, f, seed: 1 }, { segments: five, fill: 0, exactMaxFeatures: 0, samples: 30 });
    expect(full.extras?.exact).toBe(true);
    for (const e of [exact, full]) truth.forEach((t, j) => expect((e.extras?.phi as number[])[j]).toBeCloseTo(t, 4));
    const partial = await kernelShap.explain({ x, f, seed: 1 }, { segments: five, fill: 0, exactMaxFeatures: 0, samples: 16 });
    expect(partial.extras?.completenessError).toBeLessThan(1e-5);
    expect(partial.evaluations).toBe(18);
  });

  it('is deterministic for a seed when sampling and differs across seeds', async () => {
    const nine = blocks(3, 3);
    const f = ModelFunction.create(segmentNetwork(nine, 8, 5), { input: 'x', target: scalarTarget('y') });
    const run = (seed: number): Promise<number[]> =>
      kernelShap.explain({ x, f, seed }, { segments: nine, fill: 0, exactMaxFeatures: 0, samples: 100 }).then((e) => e.extras?.phi as number[]);
    const [a, b, c] = [await run(4), await run(4), await run(5)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('LIME', () => {
  it('recovers the superpixel weights of a linear model without a penalty (R^2 = 1)', async () => {
    const expected = linearPhi(six);
    const e = await lime.explain({ x, f: linear, seed: 3 }, { segments: six, samples: 200, alpha: 0 });
    const weights = e.extras?.weights as number[];
    expected.forEach((v, j) => expect(weights[j]).toBeCloseTo(v, 3));
    expect(e.extras?.r2).toBeCloseTo(1, 6);
    // The intercept is f(fill): every superpixel hidden.
    const full = expected.reduce((a, b) => a + b, 0);
    expect(e.extras?.intercept).toBeCloseTo((e.extras?.score as number) - full, 3);
    expect(e.extras?.localPrediction).toBeCloseTo(e.extras?.score as number, 3);
    for (let p = 0; p < plane; p++) expect(e.map.data[p]).toBeCloseTo(expected[six.labels[p]], 3);
    expect(e.evaluations).toBe(200);
  });

  it('shrinks the weights with the default ridge penalty and is deterministic for a seed', async () => {
    const free = await lime.explain({ x, f: linear, seed: 3 }, { segments: six, samples: 200, alpha: 0 });
    const a = await lime.explain({ x, f: linear, seed: 3 }, { segments: six, samples: 200 });
    const b = await lime.explain({ x, f: linear, seed: 3 }, { segments: six, samples: 200 });
    const c = await lime.explain({ x, f: linear, seed: 4 }, { segments: six, samples: 200 });
    const norm = (v: unknown): number => Math.hypot(...(v as number[]));
    expect(norm(a.extras?.weights)).toBeLessThan(norm(free.extras?.weights));
    expect(norm(a.extras?.weights)).toBeGreaterThan(0.8 * norm(free.extras?.weights));
    expect(a.extras?.weights).toEqual(b.extras?.weights);
    expect(a.extras?.weights).not.toEqual(c.extras?.weights);
  });
});

describe('superpixel methods with SLIC segments', () => {
  it('segment the image themselves and paint one value per superpixel', async () => {
    for (const method of [lime, kernelShap]) {
      const e = await method.explain({ x, f: linear, seed: 2 }, { nSegments: 9, samples: 60 });
      const m = e.extras?.segmentCount as number;
      expect(m).toBeGreaterThanOrEqual(4);
      expect(m).toBeLessThanOrEqual(14);
      expect(new Set(e.map.data).size).toBeLessThanOrEqual(m);
      expect(e.params.superpixels).toEqual({ nSegments: 9, compactness: 10, slicSigma: 1 });
    }
  });

  it('reject segments of the wrong size and bad parameters', async () => {
    const small: Superpixels = { width: 4, height: 4, labels: new Int32Array(16), count: 1 };
    for (const method of [lime, kernelShap]) {
      const err = await method.explain({ x, f: linear, seed: 0 }, { segments: small }).catch((e: unknown) => e);
      expect(isXqcError(err, 'XQC_SHAPE_MISMATCH')).toBe(true);
      const bad = await method.explain({ x, f: linear, seed: 0 }, { segments: six, samples: 0 }).catch((e: unknown) => e);
      expect(isXqcError(bad, 'XQC_INVALID_ARGUMENT')).toBe(true);
    }
  });
});
