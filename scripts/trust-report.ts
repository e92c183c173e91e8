/**
 * MC-Dropout figures of a shipped classifier on its test split: accuracy of the mean
 * prediction, mean predictive entropy and mutual information on right and wrong
 * predictions, and how well each measure ranks the errors (AUROC).
 *   npx tsx scripts/trust-report.ts models/surface-classifier .tmp/demo-data/surface-classifier [samples]
 */
import { Predictor, auroc, itemsOf, listLabelledFolder, mcDropout, preparedBatches } from '@xai-qc/core';
import type { Tensor } from '@xai-qc/core';

/** Stacks [n_i, C, H, W] batches into one [sum n_i, C, H, W] tensor. */
function concatBatches(parts: readonly Tensor<'float32'>[]): Tensor<'float32'> {
  const n = parts.reduce((a, t) => a + t.dims[0], 0);
  const data = new Float32Array(parts.reduce((a, t) => a + t.data.length, 0));
  let offset = 0;
  for (const t of parts) {
    data.set(t.data, offset);
    offset += t.data.length;
  }
  return { dtype: 'float32', dims: [n, ...parts[0].dims.slice(1)], data };
}

const [dir, data, samplesArg] = process.argv.slice(2);
// Images are prepared exactly as the card says (the one preprocessing path), test split only.
const predictor = await Predictor.load(`${dir}/model.onnx`);
const card = predictor.card;
const folder = await listLabelledFolder(data, card);
const batches: Tensor<'float32'>[] = [];
const labels: number[] = [];
for await (const b of preparedBatches(predictor, folder, itemsOf(folder, 'test'))) {
  batches.push(b.tensor);
  labels.push(...b.items.map((item) => item.label));
}
const x = concatBatches(batches);
const r = await mcDropout(predictor.model, x, { input: predictor.inputName, output: predictor.outputName, samples: Number(samplesArg ?? 30), seed: 0, temperature: card.calibration?.temperature });
const samples = labels.map((label) => ({ label }));
const wrong: number[] = samples.map((s, i) => (r.predicted[i] !== s.label ? 1 : 0));
const mean = (a: ArrayLike<number>, pick: (i: number) => boolean): number => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (pick(i)) { s += a[i]; n++; }
  return n ? s / n : NaN;
};
const m = r.measures;
const out = {
  model: card.name,
  images: samples.length,
  samples: r.samples,
  accuracyOfMean: 1 - wrong.reduce((a, v) => a + v, 0) / wrong.length,
  errors: wrong.reduce((a, v) => a + v, 0),
  predictiveEntropy: { correct: mean(m.predictiveEntropy, (i) => !wrong[i]), wrong: mean(m.predictiveEntropy, (i) => wrong[i] === 1) },
  mutualInformation: { correct: mean(m.mutualInformation, (i) => !wrong[i]), wrong: mean(m.mutualInformation, (i) => wrong[i] === 1) },
  errorAuroc: wrong.some(Boolean) ? { predictiveEntropy: auroc(wrong, m.predictiveEntropy), mutualInformation: auroc(wrong, m.mutualInformation) } : 'no errors on the test split',
};
console.log(JSON.stringify(out, null, 2));
