/**
 * MC-Dropout figures of a shipped classifier on its test split: accuracy of the mean
 * prediction, mean predictive entropy and mutual information on right and wrong
 * predictions, and how well each measure ranks the errors (AUROC).
 *   npx tsx scripts/trust-report.ts models/surface-classifier .tmp/demo-data/surface-classifier [samples]
 */
import { auroc, imagesToNchw, loadForEvaluation, mcDropout } from '@xai-qc/core';

const [dir, data, samplesArg] = process.argv.slice(2);
const { model, card, samples } = await loadForEvaluation(`${dir}/model.onnx`, data, 'test');
const x = imagesToNchw(samples.map((s) => s.image), { order: 'rgb', mean: card.input.mean, std: card.input.std });
const r = await mcDropout(model, x, { input: 'input', output: 'logits', samples: Number(samplesArg ?? 30), seed: 0, temperature: card.calibration?.temperature });
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
