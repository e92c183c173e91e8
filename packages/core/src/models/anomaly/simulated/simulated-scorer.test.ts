import { describe, expect, it } from 'vitest';
import { saveModel, topologicalOrder } from '../../../onnx/model-io.ts';
import { tensor } from '../../../onnx/tensor.ts';
import { createSession } from '../../../runtime/session.ts';
import { simulatedUnet } from '../../../train/anomaly/simulated-unet.ts';
import { GradientSession } from '../../../autodiff/gradient.ts';
import { PROBABILITY_OUTPUT, SimulatedScorer, withTestTimeFlips, withTestTimeViews, wrapNetwork } from './simulated-scorer.ts';
import { SessionCache } from '../../../runtime/session.ts';

// A non-square input, so that a flip of the wrong axis would not even have the right shape.
const [H, W] = [12, 20];
const network = wrapNetwork(simulatedUnet({ width: 4, depth: 2, seed: 7 }, 12, 20, false).model, H, W, [12, 20]);

function flip(data: Float32Array, n: number, c: number, fx: boolean, fy: boolean): Float32Array {
  const out = new Float32Array(data.length);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) out[p * H * W + y * W + x] = data[p * H * W + (fy ? H - 1 - y : y) * W + (fx ? W - 1 - x : x)];
    }
  }
  return out;
}

/** The network's defect probability for `n` images of `h x w`, its output shape checked. */
async function runNetwork(model: typeof network, data: Float32Array, n: number, h: number, w: number): Promise<Float32Array> {
  const session = await createSession(saveModel(model));
  try {
    const out = await session.run({ input: tensor('float32', [n, 3, h, w], data) }, [PROBABILITY_OUTPUT]);
    expect(out[PROBABILITY_OUTPUT].dims).toEqual([n, 1, h, w]);
    return out[PROBABILITY_OUTPUT].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('withTestTimeFlips', () => {
  const n = 2;
  const x = Float32Array.from({ length: n * 3 * H * W }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
  const run = (model: typeof network, data: Float32Array): Promise<Float32Array> => runNetwork(model, data, n, H, W);

  it.each([
    [2, [[false, false], [true, false]]],
    [4, [[false, false], [true, false], [false, true], [true, true]]],
  ] as const)('averages the maps of %i mirrored copies, each flipped back', async (flips, ways) => {
    const expected = new Float32Array(n * H * W);
    for (const [fx, fy] of ways) {
      const p = flip(await run(network, flip(x, n, 3, fx, fy)), n, 1, fx, fy);
      for (let i = 0; i < p.length; i++) expected[i] += p[i] / ways.length;
    }
    const got = await run(withTestTimeFlips(network, flips), x);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-6);
    // And the averaging changes the map: the network alone is not mirror-symmetric.
    const plain = await run(network, x);
    expect(plain.some((v, i) => Math.abs(v - got[i]) > 1e-4)).toBe(true);
  });

  it('returns a copy for 1 and refuses other counts and other graphs', async () => {
    const same = withTestTimeFlips(network, 1);
    expect(same).not.toBe(network);
    expect(Array.from(await run(same, x))).toEqual(Array.from(await run(network, x)));
    expect(() => withTestTimeFlips(network, 3 as never)).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
    const renamed = { ...network, graph: { ...network.graph, outputs: [{ ...network.graph.outputs[0], name: 'other' }] } };
    expect(() => withTestTimeFlips(renamed, 2)).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY' }));
  });

  it('cuts a batch into runs of at most eight copies and scores it as one run would', async () => {
    const flipped = withTestTimeFlips(network, 4);
    const cache = new SessionCache(2);
    const spec = { network: flipped, inputName: 'input', size: [H, W] as [number, number], sigma: 1, topK: 3 };
    const chunked = await SimulatedScorer.create({ ...spec, flips: 4 }, { cache });
    const whole = await SimulatedScorer.create(spec, { cache });
    const five = Float32Array.from({ length: 5 * 3 * H * W }, (_, i) => Math.cos(i * 0.11));
    const input = tensor('float32', [5, 3, H, W], five);
    const a = await chunked.score(input);
    const b = await whole.score(input);
    expect(a.patchScores.length).toBe(5 * H * W);
    let worst = 0;
    for (let i = 0; i < a.patchScores.length; i++) worst = Math.max(worst, Math.abs(a.patchScores[i] - b.patchScores[i]));
    expect(worst).toBeLessThan(1e-6);
    a.scores.forEach((v, i) => expect(v).toBeCloseTo(b.scores[i], 6));
    cache.clear();
  });
});

describe('withTestTimeViews with the half-scale view', () => {
  const n = 2;
  const run = (model: typeof network, data: Float32Array, h: number, w: number, batch = n): Promise<Float32Array> => runNetwork(model, data, batch, h, w);

  /** The half-scale map of each image, computed here: box 2x2, mirror mosaic (edge-padded), the network, folded back, bilinear (half_pixel) to h x w. */
  async function halfScaleMaps(net: typeof network, x: Float32Array, h: number, w: number): Promise<Float32Array> {
    const [hh, hw] = [Math.floor(h / 2), Math.floor(w / 2)];
    const mosaic = new Float32Array(n * 3 * h * w);
    for (let p = 0; p < n * 3; p++) {
      const at = (y: number, xx: number): number => x[p * h * w + y * w + xx];
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          // Mosaic position -> half-image position (mirrored in the right and bottom quadrants; the edge pad repeats the last row or column).
          const my = Math.min(y, 2 * hh - 1);
          const mx = Math.min(xx, 2 * hw - 1);
          const sy = my < hh ? my : 2 * hh - 1 - my;
          const sx = mx < hw ? mx : 2 * hw - 1 - mx;
          mosaic[p * h * w + y * w + xx] = (at(2 * sy, 2 * sx) + at(2 * sy, 2 * sx + 1) + at(2 * sy + 1, 2 * sx) + at(2 * sy + 1, 2 * sx + 1)) / 4;
        }
      }
    }
    const m = await run(net, mosaic, h, w);
    const out = new Float32Array(n * h * w);
    const scaleOf = (side: number, half: number): number => Math.fround(side === 2 * half ? 2 : (side + 0.25) / half);
    const [sy, sx] = [scaleOf(h, hh), scaleOf(w, hw)];
    for (let i = 0; i < n; i++) {
      const q = (y: number, xx: number): number => {
        const v = (yy: number, xq: number): number => m[i * h * w + yy * w + xq];
        return (v(y, xx) + v(y, 2 * hw - 1 - xx) + v(2 * hh - 1 - y, xx) + v(2 * hh - 1 - y, 2 * hw - 1 - xx)) / 4;
      };
      for (let y = 0; y < h; y++) {
        const fy = Math.min(hh - 1, Math.max(0, (y + 0.5) / sy - 0.5));
        const [y0, ay] = [Math.floor(fy), fy - Math.floor(fy)];
        const y1 = Math.min(hh - 1, y0 + 1);
        for (let xx = 0; xx < w; xx++) {
          const fx = Math.min(hw - 1, Math.max(0, (xx + 0.5) / sx - 0.5));
          const [x0, ax] = [Math.floor(fx), fx - Math.floor(fx)];
          const x1 = Math.min(hw - 1, x0 + 1);
          out[i * h * w + y * w + xx] = (1 - ay) * ((1 - ax) * q(y0, x0) + ax * q(y0, x1)) + ay * ((1 - ax) * q(y1, x0) + ax * q(y1, x1));
        }
      }
    }
    return out;
  }

  it.each([
    [12, 20, [12, 20], 4],
    [13, 21, [16, 24], 2],
    [12, 20, [12, 20], 1],
  ] as const)('on %ix%i (U-Net at %j, %i flips) is the geometric mean of the flipped map and the half-scale map', async (h, w, padded, flips) => {
    const net = wrapNetwork(simulatedUnet({ width: 4, depth: 2, seed: 3 }, padded[0], padded[1], false).model, h, w, [padded[0], padded[1]]);
    const x = Float32Array.from({ length: n * 3 * h * w }, (_, i) => Math.sin(i * 0.29) + ((i * 7919) % 11) / 11);
    const full = await run(withTestTimeFlips(net, flips), x, h, w);
    const half = await halfScaleMaps(net, x, h, w);
    const got = await run(withTestTimeViews(net, { flips, halfScale: true }), x, h, w);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - Math.sqrt(full[i] * half[i] + 1e-12)));
    expect(worst).toBeLessThan(1e-5);
    // The half scale changes the map.
    expect(full.some((v, i) => Math.abs(v - got[i]) > 1e-3)).toBe(true);
  });

  it('has the input gradient of the views, for gradient explanations', async () => {
    const [h, w] = [12, 20];
    const net = withTestTimeViews(wrapNetwork(simulatedUnet({ width: 4, depth: 2, seed: 3 }, h, w, false).model, h, w, [h, w]), { flips: 2, halfScale: true });
    // In topological order, as a saved and reloaded model is (the wrappers append the nodes that read `input`).
    const sorted = { ...net, graph: { ...net.graph, nodes: topologicalOrder(net.graph) } };
    const cache = new SessionCache(2);
    const gs = await GradientSession.create(sorted, { of: PROBABILITY_OUTPUT, wrt: ['input'] }, { cache });
    const x = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.cos(i * 0.41));
    const { grads } = await gs.run({ input: tensor('float32', [1, 3, h, w], x) }, tensor('float32', [1, 1, h, w], new Float32Array(h * w).fill(1)));
    const g = grads.input.data as Float32Array;
    expect(g.length).toBe(3 * h * w);
    expect(g.every(Number.isFinite)).toBe(true);
    // Against a central difference along one direction. The step is small because the U-Net is
    // piecewise linear (ReLU, MaxPool): a step of 1e-3 already crosses kinks and reads 20 % off.
    const v = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 1.7));
    const c = Float32Array.from({ length: h * w }, (_, i) => 1 + Math.sin(i * 0.3));
    const weighted = await GradientSession.create(sorted, { of: PROBABILITY_OUTPUT, wrt: ['input'] }, { cache });
    const analytic = (await weighted.run({ input: tensor('float32', [1, 3, h, w], x) }, tensor('float32', [1, 1, h, w], c))).grads.input.data as Float32Array;
    const eps = 1e-4;
    const at = async (sign: number): Promise<number> => (await runNetwork(net, x.map((xi, i) => xi + sign * eps * v[i]), 1, h, w)).reduce((a, p, i) => a + p * c[i], 0);
    const numeric = ((await at(1)) - (await at(-1))) / (2 * eps);
    const along = analytic.reduce((a, gi, i) => a + gi * v[i], 0);
    expect(Math.abs(numeric)).toBeGreaterThan(0.1);
    expect(Math.abs(along - numeric)).toBeLessThan(0.05 * Math.abs(numeric));
    cache.clear();
  });

  it('refuses an input under 2x2', () => {
    const tiny = { ...network, graph: { ...network.graph, inputs: [{ ...network.graph.inputs[0], shape: ['N', 3, 1, 4] }] } };
    expect(() => withTestTimeViews(tiny, { flips: 1, halfScale: true })).toThrow(expect.objectContaining({ code: 'XQC_ANOMALY', message: expect.stringContaining('at least 2x2') }));
  });
});
