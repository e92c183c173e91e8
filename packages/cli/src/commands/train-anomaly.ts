/** The `--task anomaly` branch of `xaiqc train`: PatchCore from good images only. */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { trainAnomaly } from '@xai-qc/core';
import type { SplitRatios } from '@xai-qc/core';
import type { CliIO } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';
import { codeVersion } from '../version.ts';

/** The default backbone: the shipped demo surface classifier, when the checkout has it. */
export const DEFAULT_BACKBONE = fileURLToPath(new URL('../../../../models/surface-classifier/model.onnx', import.meta.url));

/** Options `xaiqc train` accepts for anomaly runs (merged into the command's options). */
export const ANOMALY_TRAIN_OPTIONS = {
  backbone: { type: 'string' },
  layers: { type: 'string' },
  coreset: { type: 'string' },
  quantile: { type: 'string' },
  score: { type: 'string' },
  dim: { type: 'string' },
} as const;

/** Help lines of the anomaly options. */
export const ANOMALY_TRAIN_HELP = `Anomaly (PatchCore, data in anomalib's folder layout ROOT/good/, ROOT/<defect>/,
ROOT/masks/<defect>/): fits a memory bank of patch features of good images only.
  xaiqc train --task anomaly --data DIR --out DIR [--backbone M.onnx] [--layers a,b]
              [--coreset 0.1] [--size PX] [--seed S] [--quantile 0.99] [--score reweighted|max]
              [--dim N] [--val-split F] [--test-split F] [--batch N] [--threads N]
              [--name NAME] [--json]
  --backbone    ONNX CNN (default models/surface-classifier/model.onnx when present)
  --layers      feature layers by value name (default: the two deepest stages of stride <= 16)
  --coreset     share of training patches kept in the bank (default 0.1)
  --quantile    quantile of good validation scores for the thresholds (default 0.99;
                F1-optimal instead when the dataset has defect images)
  --val-split, --test-split   shares of each label for the thresholds and the test figures
                (defaults 0.15, 0.15); --test-split 0 fits the bank on every good image
                but the validation share, for a separate test folder
Writes features.onnx, bank.npy, anomaly.json, model.onnx (the whole detector as one graph,
outputs score, anomaly_map, raw_score), model_card.yaml and run.json, which records the
SHA-256 of every image used in fitting so that evaluate can tell held-out figures from
optimistic ones. Images of another size are resized to the input size and the run says
how many.`;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function fraction(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new UsageError(`--${name} must be a number in (0, 1]`);
  return n;
}

function positive(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = intOption(values, name, 0);
  if (n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : v.toFixed(4));

/** Runs `xaiqc train --task anomaly`. */
export async function runAnomalyTraining(values: Record<string, unknown>, io: CliIO, ratios?: SplitRatios): Promise<number> {
  let backbone = values.backbone as string | undefined;
  if (!backbone) {
    if (!(await exists(DEFAULT_BACKBONE))) throw new UsageError('--backbone is required: the default backbone models/surface-classifier/model.onnx is not in this checkout');
    backbone = DEFAULT_BACKBONE;
  }
  const score = values.score as string | undefined;
  if (score !== undefined && score !== 'reweighted' && score !== 'max') throw new UsageError('--score must be reweighted or max');
  const layers = values.layers === undefined ? undefined : String(values.layers).split(',').map((s) => s.trim()).filter(Boolean);
  if (layers && layers.length === 0) throw new UsageError('--layers needs at least one value name');
  const threads = positive(values, 'threads');
  const progress = progressFor(io, 'train');
  const record = await trainAnomaly({
    data: required(values, 'data'),
    out: required(values, 'out'),
    backbone,
    name: values.name as string | undefined,
    layers,
    coreset: fraction(values, 'coreset'),
    quantile: fraction(values, 'quantile'),
    size: positive(values, 'size'),
    seed: intOption(values, 'seed', 0),
    ratios,
    imageScore: score as 'max' | undefined,
    dim: positive(values, 'dim'),
    batchSize: positive(values, 'batch'),
    session: threads ? { intraOpThreads: threads } : undefined,
    codeVersion: codeVersion(),
    onProgress: (phase, done, total) => progress.update(phase, done, total),
  }).finally(() => progress.end());
  if (values.json) {
    io.out(JSON.stringify(record, null, 2));
    return 0;
  }
  const t = record.thresholds;
  io.out(`run ${record.id}: bank of ${record.bank.size} patches from ${record.bank.sourcePatches} (coreset ${record.params.coreset}), layers ${record.backbone.layers.join(', ')}, ${record.seconds.total.toFixed(1)} s`);
  io.out(`thresholds: image ${t.image.value.toPrecision(5)} (${t.image.source}), pixel ${t.pixel.value.toPrecision(5)} (${t.pixel.source})`);
  const r = record.test;
  if (!r) io.out('test: no test split; measure the detector on a separate folder with xaiqc evaluate --split all');
  else io.out(`test: image AUROC ${fmt(r.imageAuroc)}  pixel AUROC ${fmt(r.pixelAuroc)}  PRO ${fmt(r.pro)}  F1 ${fmt(r.f1)}  false-reject rate ${fmt(r.falseRejectRate)}`);
  for (const w of record.warnings) io.out(`warning: ${w}`);
  if (record.dataset.skipped.length) io.out(`skipped ${record.dataset.skipped.length} file(s): ${record.dataset.skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join('; ')}`);
  return 0;
}
