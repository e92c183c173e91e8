import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../onnx/tensor.ts';
import type { InputSpec } from '../../card.ts';
import { preprocess } from '../../preprocess.ts';
import { normaliseScore } from '../thresholds.ts';
import { stripes } from '../stripes.test-helper.ts';
import { agreementMap, CombinedScorer, fusedNormalisation, fuseScore, MIN_PART_STD, partStats } from './combined-scorer.ts';

const simInput: InputSpec = { name: 'input', height: 64, width: 64, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const pcInput: InputSpec = { name: 'input', height: 32, width: 32, resize: 'stretch', layout: 'NCHW', color: 'gray', mean: [0.5], std: [0.25] };

/** A scorer whose image score is the mean of its input tensor, and which records the inputs it saw. */
function meanScorer(seen: Tensor[]) {
  return {
    async score(input: Tensor) {
      seen.push(input);
      const [n, c, h, w] = input.dims;
      const plane = c * h * w;
      const data = input.data as Float32Array;
      const scores = new Float64Array(n);
      const maps: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < plane; p++) s += data[i * plane + p];
        scores[i] = s / plane;
        maps.push(new Float32Array(h * w).fill(i + 1));
      }
      return { scores, maps, patchScores: new Float32Array(n * h * w) };
    },
  };
}

describe('fusion of the parts\' image scores', () => {
  it('z-scores each part by its good validation scores and averages them, as computed by hand', () => {
    // PatchCore good scores 2, 4, 6: mean 4, population sd sqrt(8/3); simulated 0.1, 0.3: mean 0.2, sd 0.1.
    const pc = partStats([2, 4, 6]);
    const sim = partStats([0.1, 0.3]);
    expect(pc.mean).toBeCloseTo(4, 12);
    expect(pc.std).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(sim).toMatchObject({ floored: false });
    expect(sim.mean).toBeCloseTo(0.2, 12);
    expect(sim.std).toBeCloseTo(0.1, 12);
    const f = { patchcore: pc, simulated: sim };
    // (8 - 4) / 1.63299 = 2.44949; (0.5 - 0.2) / 0.1 = 3; mean 2.724745.
    expect(fuseScore(8, 0.5, f)).toBeCloseTo((4 / Math.sqrt(8 / 3) + 3) / 2, 10);
    expect(fuseScore(8, 0.5, f)).toBeCloseTo(2.724745, 5);
    expect(fuseScore(4, 0.2, f)).toBeCloseTo(0, 12);
    // A part that scores every good image alike gets the floor, not a division by zero.
    expect(partStats([3, 3, 3])).toEqual({ mean: 3, std: MIN_PART_STD, floored: true });
    expect(() => partStats([])).toThrow(/at least one good validation score/);
    expect(() => partStats([1, Number.NaN])).toThrow(/not finite/);
  });

  it('agreement map: geometric mean of both z-maps where both are positive, else the smaller, as by hand', () => {
    const a = { simulatedPixel: { mean: 0.1, std: 0.1 }, patchcorePixel: { mean: 2, std: 0.5 } };
    // z simulated: 3, 3, -1, 0.5; z PatchCore: 4/3... worked out per pixel below.
    const sim = Float32Array.from([0.4, 0.4, 0, 0.15]);
    const pc = Float32Array.from([4, 1, 3, 2.5]);
    const m = agreementMap(sim, pc, a);
    expect(m[0]).toBeCloseTo(Math.sqrt(3 * 4), 5); // both positive: sqrt(3 * 4)
    expect(m[1]).toBeCloseTo(-2, 5); // PatchCore below its good mean: the smaller, -2
    expect(m[2]).toBeCloseTo(-1, 5); // the network below its good mean: -1
    expect(m[3]).toBeCloseTo(Math.sqrt(0.5 * 1), 5);
    // A strong network response where PatchCore sees nothing unusual counts for little.
    expect(agreementMap(Float32Array.from([0.9]), Float32Array.from([2.05]), a)[0]).toBeCloseTo(Math.sqrt(8 * 0.1), 4);
    expect(() => agreementMap(sim, pc.subarray(0, 3), a)).toThrow(/pixels/);
  });

  it('normalises fused scores in z-units, negative thresholds included', () => {
    expect(fusedNormalisation(2, [-1, 0, 1])).toEqual({ low: -1, threshold: 2, high: 5 });
    const n = fusedNormalisation(-0.5, [-0.2, 0.4]);
    expect(n).toEqual({ low: -1.5, threshold: -0.5, high: 0.5 });
    expect(normaliseScore(-0.5, n)).toBe(0.5);
    expect(normaliseScore(0.5, n)).toBe(1);
    expect(() => fusedNormalisation(Number.NaN, [0])).toThrow(/finite/);
  });
});

describe('CombinedScorer', () => {
  it('gives PatchCore each image prepared by its own spec and fuses the scores; the map is the simulated part\'s', async () => {
    const images = [stripes(1).image, stripes(2, [30, 30, 6]).image];
    const pcSeen: Tensor[] = [];
    const simSeen: Tensor[] = [];
    const fusion = { imageScore: 'mean-z' as const, patchcore: { mean: 0.1, std: 0.5 }, simulated: { mean: -0.2, std: 2 } };
    const scorer = new CombinedScorer({ input: simInput, patchcore: { scorer: meanScorer(pcSeen), input: pcInput }, simulated: meanScorer(simSeen), fusion });
    const input = preprocess(images, simInput).tensor;
    // The prepared tensor turns back into the very images.
    const back = scorer.imagesOf(input);
    back.forEach((b, i) => expect(Buffer.from(b.data).equals(Buffer.from(images[i].data))).toBe(true));
    const parts = await scorer.partScores(input);
    const r = await scorer.score(input);
    expect(pcSeen[0].dims).toEqual([2, 1, 32, 32]);
    expect(Array.from(pcSeen[0].data as Float32Array)).toEqual(Array.from(preprocess(images, pcInput).tensor.data));
    const pcDirect = await meanScorer([]).score(preprocess(images, pcInput).tensor);
    const simDirect = await meanScorer([]).score(input);
    for (let i = 0; i < 2; i++) {
      expect(parts.patchcore[i]).toBeCloseTo(pcDirect.scores[i], 10);
      expect(parts.simulated[i]).toBeCloseTo(simDirect.scores[i], 10);
      const hand = ((pcDirect.scores[i] - 0.1) / 0.5 + (simDirect.scores[i] + 0.2) / 2) / 2;
      expect(r.scores[i]).toBeCloseTo(hand, 10);
      expect(r.maps[i][0]).toBe(i + 1);
    }
  });

  it('with mean-z-agreement takes the simulated side from the agreement of both maps at the model input', async () => {
    const images = [stripes(1).image, stripes(2, [30, 30, 6]).image];
    // Each scorer's map of image i is i + 1 everywhere; PatchCore's comes back from 32x32 to 64x64.
    const agreement = { patchcorePixel: { mean: 1, std: 2 }, simulatedPixel: { mean: 0.5, std: 0.5 }, topK: 4 };
    const fusion = { imageScore: 'mean-z-agreement' as const, patchcore: { mean: 0.1, std: 0.5 }, simulated: { mean: -0.2, std: 2 }, agreement };
    const scorer = new CombinedScorer({ input: simInput, patchcore: { scorer: meanScorer([]), input: pcInput }, simulated: meanScorer([]), fusion });
    const input = preprocess(images, simInput).tensor;
    const parts = await scorer.partScores(input);
    expect(parts.patchcoreMaps.map((m) => m.length)).toEqual([64 * 64, 64 * 64]);
    // Image 0: simulated z (1 - 0.5) / 0.5 = 1, PatchCore z (1 - 1) / 2 = 0: not both positive, so the smaller, 0.
    // Image 1: simulated z 3, PatchCore z 0.5: the geometric mean sqrt(1.5).
    const side = scorer.simulatedSide(parts);
    expect(side[0]).toBeCloseTo(0, 6);
    expect(side[1]).toBeCloseTo(Math.sqrt(1.5), 6);
    const r = await scorer.score(input);
    for (let i = 0; i < 2; i++) expect(r.scores[i]).toBeCloseTo(((parts.patchcore[i] - 0.1) / 0.5 + (side[i] + 0.2) / 2) / 2, 6);
    const { agreement: _, ...without } = fusion;
    expect(() => new CombinedScorer({ input: simInput, patchcore: { scorer: meanScorer([]), input: pcInput }, simulated: meanScorer([]), fusion: without }).simulatedSide(parts)).toThrow(/agreement statistics/);
  });

  it('refuses a gray model input', () => {
    expect(() => new CombinedScorer({ input: { ...simInput, color: 'gray', mean: [0.5], std: [0.25] }, patchcore: { scorer: meanScorer([]), input: pcInput }, simulated: meanScorer([]), fusion: { imageScore: 'mean-z', patchcore: { mean: 0, std: 1 }, simulated: { mean: 0, std: 1 } } })).toThrow(/colour/);
  });
});
