/**
 * A PatchCore detector's single-graph export (model.onnx) is differentiable end to end:
 * backbone, patch features, the nearest-neighbour Scan over the memory bank, the arg-max
 * patch picked with GatherElements and its reweighting, and the score's normalisation. Its
 * input gradient is checked against central differences of the image score at a handful of
 * pixels. The detector is fitted here as the PatchCore demo detector was (it shipped as
 * models/surface-anomaly until that became a detector trained on simulated defects): the
 * demo surface classifier's trunk as backbone, 400 generated 64 px surfaces (seed 11, 30 %
 * with defects), default settings.
 *
 * The score is piecewise smooth: it switches branch where a patch's nearest bank row, the
 * arg-max patch or the normalisation branch changes, and the backbone's ReLUs bend it. The
 * test perturbs only where none of the discrete choices changes (it checks the nearest row
 * of every patch and the arg-max patch at x + h and x - h, and fails, rather than passing
 * vacuously, if a step would cross one) and uses h = 4e-3 in the normalised input domain
 * (1/255 of the pixel range is 0.0157 there). The model runs in float32, so the raw score
 * (~4.7) carries rounding noise of ~1e-5 that moves with the input; over 2h that is up to
 * ~2e-3 (measured: 1.6e-3 at a pixel whose gradient is ~3e-4). The ReLU bends and the
 * curvature within +-h add an O(h) relative error (measured: at most 1.1e-3 of the six
 * largest gradients, 1.3 to 2.0). Hence |analytic - numeric| <= 3e-3 + 5e-3 |numeric|:
 * a wrong or missing gradient path (a factor, a sign, a misrouted patch, the reweighting
 * term left out) fails it at the largest-gradient pixels, which are always among those
 * checked. A batch of two images must give each image the gradient it gets alone (up to
 * kernel rounding, 1e-4 of the largest gradient).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateDataset } from '../src/data/generate-dataset.ts';
import { trainAnomaly } from '../src/models/anomaly/train-anomaly.ts';
import { GradientSession } from '../src/autodiff/gradient.ts';
import type { Model } from '../src/onnx/ir.ts';
import { loadModelFile, saveModel } from '../src/onnx/model-io.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import { normalRng } from '../src/testing/index.ts';
import { explainImage } from '../src/explain/explain-image.ts';
import { anomalyTarget } from '../src/explain/image-target.ts';
import { integratedGradients } from '../src/explain/methods/integrated-gradients.ts';
import { ModelFunction } from '../src/explain/model-function.ts';
import { Predictor } from '../src/models/predictor.ts';
import { scratchedSurface as surface } from '../src/testing/scratched-surface.ts';

const BACKBONE = join(import.meta.dirname, '..', '..', '..', 'models', 'surface-classifier', 'model.onnx');
const H = 4e-3;

let dir: string;
let MODEL: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-patchcore-gradient-'));
  await generateDataset({ kind: 'surface', format: 'anomaly', count: 400, seed: 11, size: 64, defectRate: 0.3, out: join(dir, 'data') });
  await trainAnomaly({ data: join(dir, 'data'), out: join(dir, 'detector'), backbone: BACKBONE, size: 64, evaluateTest: false });
  MODEL = join(dir, 'detector', 'model.onnx');
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The detector with the discrete choices (nearest bank rows, arg-max patch) exposed as outputs. */
function probe(model: Model): { model: Model; choices: string[] } {
  const scan = model.graph.nodes.find((n) => n.opType === 'Scan');
  const argmax = model.graph.nodes.find((n) => n.opType === 'ArgMax');
  expect(scan && argmax, 'the detector has a Scan and an ArgMax').toBeTruthy();
  const choices = [scan!.outputs[1], argmax!.outputs[0]];
  return { model: { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...choices.map((name) => ({ name }))] } }, choices };
}

function perturbed(x: Tensor, i: number, h: number): Tensor {
  const data = (x.data as Float32Array).slice();
  data[i] += h;
  return tensor('float32', x.dims, data);
}

describe('gradient of a PatchCore detector', () => {
  it('matches central differences of the image score at the largest-gradient and random pixels', async () => {
    const model = await loadModelFile(MODEL);
    const rng = normalRng(12);
    const n = 3 * 64 * 64;
    // A textured surface in the normalised domain (the card's mean 0.5, std 0.25).
    const x = tensor('float32', [1, 3, 64, 64], Array.from({ length: n }, (_, i) => 0.6 * Math.sin(i * 0.071) + 0.5 * rng()));
    const { model: withChoices, choices } = probe(model);
    const session = await createSession(saveModel(withChoices));
    try {
      const run = async (input: Tensor): Promise<Record<string, Tensor>> => session.run({ input }, ['raw_score', 'score', ...choices]);
      const base = await run(x);
      const score = (base.score.data as Float32Array)[0];
      // Inside the normalisation's linear pieces, away from the clip at 0 and 1.
      expect(score).toBeGreaterThan(0.05);
      expect(score).toBeLessThan(0.95);

      for (const of of ['raw_score', 'score']) {
        const gs = await GradientSession.create(model, { of, wrt: ['input'] });
        const { value, grads } = await gs.run({ input: x });
        expect((value.data as Float32Array)[0]).toBeCloseTo((base[of].data as Float32Array)[0], 5);
        const g = grads.input.data as Float32Array;
        const byMagnitude = [...g.keys()].sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]));
        const pixels = [...byMagnitude.slice(0, 6), ...Array.from({ length: 4 }, () => Math.floor(Math.abs(rng()) * 1e6) % n)];
        for (const i of pixels) {
          const plus = await run(perturbed(x, i, H));
          const minus = await run(perturbed(x, i, -H));
          for (const c of choices) {
            expect(Array.from(plus[c].data as BigInt64Array), `${c} changes at pixel ${i} + h`).toEqual(Array.from(base[c].data as BigInt64Array));
            expect(Array.from(minus[c].data as BigInt64Array), `${c} changes at pixel ${i} - h`).toEqual(Array.from(base[c].data as BigInt64Array));
          }
          const numeric = ((plus[of].data as Float32Array)[0] - (minus[of].data as Float32Array)[0]) / (2 * H);
          expect(Math.abs(g[i] - numeric), `${of} pixel ${i}: analytic ${g[i]}, numeric ${numeric}`).toBeLessThanOrEqual(3e-3 + 5e-3 * Math.abs(numeric));
        }
        // The largest gradient is not vanishing: the score does depend on the pixels.
        expect(Math.abs(g[byMagnitude[0]])).toBeGreaterThan(1e-2);

        // In a batch (the Scan runs over images), each image gets its own gradient.
        const other = Float32Array.from(x.data as Float32Array, (v, i) => v * 0.8 + 0.3 * Math.cos(i * 0.013));
        const batch = tensor('float32', [2, 3, 64, 64], [...(x.data as Float32Array), ...other]);
        const both = (await gs.run({ input: batch })).grads.input.data as Float32Array;
        const alone = (await gs.run({ input: tensor('float32', [1, 3, 64, 64], other) })).grads.input.data as Float32Array;
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(both[i] - g[i]), Math.abs(both[n + i] - alone[i]));
        expect(worst).toBeLessThan(1e-4 * Math.abs(g[byMagnitude[0]]));
      }
    } finally {
      await session.release();
    }
  }, 120_000);
});

describe('explanations of a PatchCore detector', () => {
  it('satisfies Integrated Gradients completeness within 1% at 32 steps, and Grad-CAM takes the deepest feature layer', async () => {
    const predictor = await Predictor.load(MODEL);
    const target = anomalyTarget(predictor.model.graph.outputs.map((o) => o.name), predictor.outputName);
    const f = ModelFunction.create(predictor.model, { input: predictor.inputName, target: target.target });
    const x = predictor.prepare([surface(20)]).tensor;
    // Baseline: the same surface without the scratch. The score is a minimum over bank patches and a
    // maximum over image patches, so the integrand is piecewise smooth and the error shrinks with the steps.
    const clean = predictor.prepare([surface()]).tensor;
    const at = (steps: number) => integratedGradients.explain({ x, f, seed: 0 }, { steps, baseline: clean });
    const coarse = await at(16);
    const fine = await at(32);
    const e = fine.extras as { score: number; baselineScore: number; relativeCompletenessError: number; completenessError: number };
    expect(e.score - e.baselineScore).toBeGreaterThan(10);
    expect(e.relativeCompletenessError).toBeLessThan(0.01);
    expect(e.completenessError).toBeLessThan((coarse.extras as { completenessError: number }).completenessError);

    const r = await explainImage(predictor, surface(20), { methods: ['anomalymap', 'gradcam'] });
    expect(r.summary.decision).toMatchObject({ verdict: 'reject', scoreKind: 'anomaly score' });
    // The card's training.layers: layer2.1.relu and layer3.1.relu of the backbone.
    expect(r.summary.layer).toBe('layer3.1.relu');
  }, 120_000);
});
