/** `xaiqc uncertainty`: MC-Dropout or deep-ensemble uncertainty of one image. */
import { readFile } from 'node:fs/promises';
import { Predictor, decodeImage, ensembleImages, mcDropoutImages } from '@xai-qc/core';
import type { StochasticPrediction } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';

function summary(p: StochasticPrediction, labels: string[]): Record<string, unknown> {
  const m = p.measures;
  if (p.spatial.length === 0) {
    return {
      probabilities: Object.fromEntries(labels.map((l, j) => [l, m.mean[j]])),
      predicted: labels[p.predicted[0]],
      variance: Object.fromEntries(labels.map((l, j) => [l, m.variance[j]])),
      predictiveEntropy: m.predictiveEntropy[0],
      expectedEntropy: m.expectedEntropy[0],
      mutualInformation: m.mutualInformation[0],
      disagreement: p.disagreement[0],
    };
  }
  const n = m.predictiveEntropy.length;
  const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  const max = (a: Float64Array): number => a.reduce((s, v) => Math.max(s, v), -Infinity);
  return {
    pixels: n,
    meanPredictiveEntropy: mean(m.predictiveEntropy),
    maxPredictiveEntropy: max(m.predictiveEntropy),
    meanMutualInformation: mean(m.mutualInformation),
    maxMutualInformation: max(m.mutualInformation),
    meanDisagreement: mean(p.disagreement),
  };
}

export const uncertaintyCommand: Command = {
  name: 'uncertainty',
  summary: 'MC-Dropout or deep-ensemble uncertainty of one image',
  help: `Usage: xaiqc uncertainty --model M.onnx [--model M2.onnx ...] --image I --method mc-dropout|ensemble
                         [--samples N] [--seed S] [--json]

mc-dropout: keeps the model's Dropout layers on and averages --samples (default 30)
seeded stochastic passes. ensemble: averages the given models (two or more, same labels).
Reports mean probabilities, per-class variance, predictive entropy, expected entropy,
mutual information (BALD) and disagreement; per-pixel summaries for segmenters. Each
model's card (model_card.yaml beside it) gives preprocessing, labels and temperature.
Progress (stochastic passes or ensemble members) is a bar on a terminal and JSON lines
otherwise, on stderr.`,
  options: {
    model: { type: 'string', multiple: true },
    image: { type: 'string' },
    method: { type: 'string' },
    samples: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const models = (values.model as string[] | undefined) ?? [];
    if (models.length === 0) throw new UsageError('--model is required');
    const method = required(values, 'method');
    if (method !== 'mc-dropout' && method !== 'ensemble') throw new UsageError('--method must be mc-dropout or ensemble');
    if (method === 'mc-dropout' && models.length !== 1) throw new UsageError('mc-dropout takes exactly one --model');
    const image = await decodeImage(await readFile(required(values, 'image')));
    const predictors = await Promise.all(models.map((m) => Predictor.load(m)));
    const progress = progressFor(io, 'uncertainty');
    let result: StochasticPrediction;
    try {
      if (method === 'mc-dropout') {
        result = await mcDropoutImages(predictors[0], [image], {
          samples: intOption(values, 'samples', 30), seed: intOption(values, 'seed', 0), onProgress: (done, total) => progress.update('passes', done, total),
        });
      } else {
        result = await ensembleImages(predictors, [image], { onProgress: (done, total) => progress.update('members', done, total) });
      }
    } finally {
      progress.end();
    }
    const s = { method, samples: result.samples, ...summary(result, predictors[0].card.labels) };
    io.out(values.json ? JSON.stringify(s, null, 2) : Object.entries(s).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n'));
    return 0;
  },
};
