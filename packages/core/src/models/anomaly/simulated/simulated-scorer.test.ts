import { describe, expect, it } from 'vitest';
import { saveModel } from '../../../onnx/model-io.ts';
import { tensor } from '../../../onnx/tensor.ts';
import { createSession } from '../../../runtime/session.ts';
import { simulatedUnet } from '../../../train/anomaly/simulated-unet.ts';
import { PROBABILITY_OUTPUT, SimulatedScorer, withTestTimeFlips, wrapNetwork } from './simulated-scorer.ts';
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

describe('withTestTimeFlips', () => {
  const n = 2;
  const x = Float32Array.from({ length: n * 3 * H * W }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
  const run = async (model: typeof network, data: Float32Array): Promise<Float32Array> => {
    const session = await createSession(saveModel(model));
    try {
      const out = await session.run({ input: tensor('float32', [n, 3, H, W], data) }, [PROBABILITY_OUTPUT]);
      expect(out[PROBABILITY_OUTPUT].dims).toEqual([n, 1, H, W]);
      return out[PROBABILITY_OUTPUT].data as Float32Array;
    } finally {
      await session.release();
    }
  };

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
