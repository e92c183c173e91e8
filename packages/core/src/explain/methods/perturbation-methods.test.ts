/**
 * Occlusion and RISE: exact answers on a linear model, most of the map on the one region
 * a region-only model looks at, seed determinism and batch-size invariance.
 */
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import { tensor } from '../../onnx/tensor.ts';
import { linearModel, regionModel } from '../../testing/explain-models.ts';
import { normalRng, uniformRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { pointingGame } from '../quality/localisation.ts';
import { scalarTarget } from '../target.ts';
import { occlusion, windowStarts } from './occlusion.ts';
import { rise, riseMasks } from './rise.ts';

const side = 16;
const plane = side * side;
const d = { channels: 3, height: side, width: side };
// A 6x5 block off-centre: 30 of 256 pixels.
const mask = Array.from({ length: plane }, (_, i) => {
  const x = i % side;
  const y = Math.floor(i / side);
  return x >= 9 && x < 14 && y >= 3 && y < 9 ? 1 : 0;
});
const maskMap = { width: side, height: side, data: mask };
const u = uniformRng(8);
const x = tensor('float32', [1, 3, side, side], Float32Array.from({ length: 3 * plane }, () => u() * 2 - 1));
const region = ModelFunction.create(regionModel(d, mask, 6, 2), { input: 'x', target: scalarTarget('y') });

/** Share of the `count` largest map values that fall inside the mask. */
function topInMask(map: Float32Array, count: number): number {
  const order = Array.from(map.keys()).sort((a, b) => map[b] - map[a]);
  return order.slice(0, count).filter((i) => mask[i]).length / count;
}

describe('occlusion', () => {
  it('places windows on a stride grid with a last window flush with the edge', () => {
    expect(windowStarts(10, 4, 3)).toEqual([0, 3, 6]);
    expect(windowStarts(10, 4, 4)).toEqual([0, 4, 6]);
    expect(windowStarts(3, 5, 1)).toEqual([0]);
  });

  it('with 1x1 windows and zero fill is sum_c w_c x_c on a linear model', async () => {
    const rng = normalRng(3);
    const w = Float32Array.from({ length: 3 * plane }, () => rng());
    const f = ModelFunction.create(linearModel(d, w, 0.2), { input: 'x', target: scalarTarget('y') });
    const e = await occlusion.explain({ x, f, seed: 0 }, { window: 1, stride: 1, fill: 'zero' });
    for (let p = 0; p < plane; p++) expect(e.map.data[p]).toBeCloseTo(w[p] * x.data[p] + w[plane + p] * x.data[plane + p] + w[2 * plane + p] * x.data[2 * plane + p], 4);
    expect(e.evaluations).toBe(plane + 1);
    // Larger windows average the drops of the windows covering each pixel: for a linear
    // model the drop of a window is the sum of its pixels' contributions.
    const big = await occlusion.explain({ x, f, seed: 0 }, { window: 4, stride: 4, fill: 'zero' });
    const block = [0, 1, 2, 3].flatMap((y) => [0, 1, 2, 3].map((xx) => y * side + xx)).reduce((s, p) => s + e.map.data[p], 0);
    expect(big.map.data[0]).toBeCloseTo(block, 4);
    expect(big.map.data[side + 2]).toBeCloseTo(block, 4);
  });

  it('puts its mass on the region a region-only model looks at', async () => {
    const e = await occlusion.explain({ x, f: region, seed: 0 }, { window: 2, stride: 1 });
    expect(topInMask(e.map.data, 30)).toBeGreaterThan(0.9);
    let outside = 0;
    let inside = 0;
    for (let p = 0; p < plane; p++) {
      if (mask[p]) inside += Math.abs(e.map.data[p]);
      else outside += Math.abs(e.map.data[p]);
    }
    // Windows straddling the border leak half their drop to the ring around the region.
    expect(inside / (inside + outside)).toBeGreaterThan(0.7);
    expect(pointingGame(e.map, maskMap).hit).toBe(true);
    expect(e.params).toEqual({ window: 2, stride: 1, fill: 'mean', blurSigma: 0.05 });
  });

  it('rejects bad windows and fills', async () => {
    const a = await occlusion.explain({ x, f: region, seed: 0 }, { window: 0 }).catch((err: unknown) => err);
    const b = await occlusion.explain({ x, f: region, seed: 0 }, { fill: 'grey' as 'zero' }).catch((err: unknown) => err);
    expect(isXqcError(a, 'XQC_INVALID_ARGUMENT')).toBe(true);
    expect(isXqcError(b, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('RISE', () => {
  it('draws smooth masks in [0, 1] that keep about p of the image', () => {
    const next = riseMasks(20, 14, 4, 0.3, uniformRng(1));
    const m = new Float32Array(280);
    let mean = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let step = 0;
    for (let k = 0; k < 400; k++) {
      next(m);
      for (let i = 0; i < m.length; i++) {
        lo = Math.min(lo, m[i]);
        hi = Math.max(hi, m[i]);
        mean += m[i] / (280 * 400);
        if (i % 20 < 19) step = Math.max(step, Math.abs(m[i + 1] - m[i]));
      }
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    expect(mean).toBeCloseTo(0.3, 1);
    // Bilinear upsampling of cells ceil(20 / 4) = 5 pixels wide: neighbours differ by at most 1/5.
    expect(step).toBeLessThanOrEqual(0.2 + 1e-6);
  });

  it("on a linear model with zero fill follows each pixel's contribution sum_c w_c x_c", async () => {
    // E[f(x M) M(p)] / p = sum_q w_q x_q E[M(q) M(p)] / p + b: dominated by q = p for small cells.
    const rng = normalRng(5);
    const w = Float32Array.from({ length: 3 * plane }, () => rng());
    const f = ModelFunction.create(linearModel(d, w, 0), { input: 'x', target: scalarTarget('y') });
    const e = await rise.explain({ x, f, seed: 1 }, { masks: 2000, grid: 16 });
    const contribution = Float32Array.from({ length: plane }, (_, p) => w[p] * x.data[p] + w[plane + p] * x.data[plane + p] + w[2 * plane + p] * x.data[2 * plane + p]);
    let num = 0;
    let da = 0;
    let db = 0;
    const ma = contribution.reduce((a, b) => a + b, 0) / plane;
    const mb = e.map.data.reduce((a, b) => a + b, 0) / plane;
    for (let p = 0; p < plane; p++) {
      num += (contribution[p] - ma) * (e.map.data[p] - mb);
      da += (contribution[p] - ma) ** 2;
      db += (e.map.data[p] - mb) ** 2;
    }
    expect(num / Math.sqrt(da * db)).toBeGreaterThan(0.6);
  });

  it('ranks the region a region-only model looks at first', async () => {
    const e = await rise.explain({ x, f: region, seed: 2 }, { masks: 1000, grid: 8 });
    expect(topInMask(e.map.data, 30)).toBeGreaterThan(0.8);
    expect(pointingGame(e.map, maskMap).hit).toBe(true);
    expect(e.evaluations).toBe(1000);
  });

  it("without centring is the paper's sum_i f_i M_i / (N p): the centred map plus the mean score times each pixel's coverage", async () => {
    const centred = await rise.explain({ x, f: region, seed: 6 }, { masks: 200 });
    const raw = await rise.explain({ x, f: region, seed: 6 }, { masks: 200, center: false });
    const mean = raw.extras?.meanMaskedScore as number;
    expect(mean).toBeGreaterThan(0);
    const next = riseMasks(side, side, 8, 0.5, uniformRng(6));
    const m = new Float32Array(plane);
    const coverage = new Float64Array(plane);
    for (let k = 0; k < 200; k++) {
      next(m);
      for (let i = 0; i < plane; i++) coverage[i] += m[i];
    }
    for (let i = 0; i < plane; i++) expect(raw.map.data[i]).toBeCloseTo(centred.map.data[i] + (mean * coverage[i]) / (200 * 0.5), 4);
    expect(raw.params.center).toBe(false);
  });

  it('is deterministic for a seed, differs across seeds, and does not depend on maxBatch', async () => {
    const chunked = ModelFunction.create(regionModel(d, mask, 6, 2), { input: 'x', target: scalarTarget('y'), maxBatch: 7 });
    const a = await rise.explain({ x, f: region, seed: 4 }, { masks: 50 });
    const b = await rise.explain({ x, f: chunked, seed: 4 }, { masks: 50 });
    const c = await rise.explain({ x, f: region, seed: 5 }, { masks: 50 });
    for (let p = 0; p < plane; p++) expect(b.map.data[p]).toBeCloseTo(a.map.data[p], 5);
    expect(Array.from(a.map.data)).not.toEqual(Array.from(c.map.data));
    const err = await rise.explain({ x, f: region, seed: 0 }, { probability: 0 }).catch((e: unknown) => e);
    expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
  });
});
