/**
 * The `--task anomaly` branch of `xaiqc train`: from good images only, PatchCore
 * (`--method patchcore`, the default), the simulated-defect detector (`--method simulated`),
 * both in one detector (`--method combined`) or the best of the three on a validation set
 * (`--method auto`), through core's `trainAnomalyMethod`.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ANOMALY_METHOD_CHOICES, DEFAULT_AUTO_BUDGET_SECONDS, DEFAULT_COMBINED_BUDGET_SECONDS, trainAnomalyMethod } from '@xai-qc/core';
import type { AnomalyMethodChoice, AnomalyMethodRun, SplitRatios } from '@xai-qc/core';
import type { CliIO } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';
import { codeVersion } from '../version.ts';

/** The default backbone: the shipped demo surface classifier, when the checkout has it. */
export const DEFAULT_BACKBONE = fileURLToPath(new URL('../../../../models/surface-classifier/model.onnx', import.meta.url));

/** Options `xaiqc train` accepts for anomaly runs (merged into the command's options). */
export const ANOMALY_TRAIN_OPTIONS = {
  method: { type: 'string' },
  'time-budget': { type: 'string' },
  backbone: { type: 'string' },
  layers: { type: 'string' },
  coreset: { type: 'string' },
  quantile: { type: 'string' },
  score: { type: 'string' },
  dim: { type: 'string' },
} as const;

/** Help lines of the anomaly options. */
export const ANOMALY_TRAIN_HELP = `Anomaly (data in anomalib's folder layout ROOT/good/, ROOT/<defect>/, ROOT/masks/<defect>/
or ground_truth/<defect>/<stem>_mask.png): learns from good images only.
  xaiqc train --task anomaly --data DIR --out DIR [--method patchcore|simulated|combined|auto]
              [--time-budget SECONDS] [--backbone M.onnx] [--layers a,b]
              [--coreset 0.1] [--size PX] [--seed S] [--quantile 0.99] [--score reweighted|max]
              [--dim N] [--val-split F] [--test-split F] [--batch N] [--threads N]
              [--name NAME] [--json]
  --method      patchcore (default): a memory bank of backbone patch features, fits in
                seconds to minutes; simulated: a small U-Net trained from scratch to find
                defects simulated on the good images, until --time-budget (the weights of
                its last quarter averaged, its map averaged over the image's four flips);
                combined: both in one detector (OUT/patchcore/, OUT/simulated/), image
                score the mean of PatchCore's z-score and that of where both maps agree, map
                the network's; auto: PatchCore and simulated, and their combination, the one
                with the better image AUROC on the validation split (its labelled defects,
                else its good images with simulated defects) is kept (combined only when it
                beats both), and run.json records the figures and why (choice)
  --time-budget seconds for --method simulated (its whole fit, default 600), combined (the
                whole run, default ${DEFAULT_COMBINED_BUDGET_SECONDS}: PatchCore first, the network gets the rest less
                15 % for fusion and test figures) or auto (the whole run, default ${DEFAULT_AUTO_BUDGET_SECONDS}:
                PatchCore first, the simulated method gets the rest less a reserve for
                scoring it); progress shows the time left
  --backbone    PatchCore's ONNX CNN (default models/surface-classifier/model.onnx when present)
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
how many. --method combined writes anomaly.json (format xai-qc.combined), model_card.yaml
and run.json beside the two part folders, and no top-level model.onnx (the parts take
inputs of different sizes; evaluate it with --model OUT/anomaly.json).`;

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

/** PatchCore's own options: refused with `--method simulated`, which has no backbone or bank. */
const PATCHCORE_ONLY = ['backbone', 'layers', 'coreset', 'score', 'dim'] as const;

/** `--method`: one of core's choices (default patchcore). */
export function methodOption(values: Record<string, unknown>): AnomalyMethodChoice {
  const v = values.method;
  if (v === undefined) return 'patchcore';
  if (!ANOMALY_METHOD_CHOICES.includes(v as AnomalyMethodChoice)) throw new UsageError(`--method must be ${ANOMALY_METHOD_CHOICES.slice(0, -1).join(', ')} or ${ANOMALY_METHOD_CHOICES[ANOMALY_METHOD_CHOICES.length - 1]}, got '${String(v)}'`);
  return v as AnomalyMethodChoice;
}

/** `--time-budget`: a positive number of seconds, only for the methods that take one. */
export function timeBudgetOption(values: Record<string, unknown>, method: AnomalyMethodChoice): number | undefined {
  const v = values['time-budget'];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--time-budget must be a positive number of seconds, got '${String(v)}'`);
  if (method === 'patchcore') throw new UsageError("--time-budget applies to --method simulated, combined or auto; PatchCore's fit takes no budget");
  return n;
}

const fmtSeconds = (s: number): string => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/** Runs `xaiqc train --task anomaly`. */
export async function runAnomalyTraining(values: Record<string, unknown>, io: CliIO, ratios?: SplitRatios): Promise<number> {
  const method = methodOption(values);
  const timeBudgetSeconds = timeBudgetOption(values, method);
  if (method === 'simulated') {
    const given = PATCHCORE_ONLY.filter((k) => values[k] !== undefined);
    if (given.length > 0) throw new UsageError(`--${given[0]} applies to PatchCore (--method patchcore or auto), not to --method simulated`);
  }
  let backbone = values.backbone as string | undefined;
  if (!backbone && method !== 'simulated') {
    if (!(await exists(DEFAULT_BACKBONE))) throw new UsageError('--backbone is required: the default backbone models/surface-classifier/model.onnx is not in this checkout');
    backbone = DEFAULT_BACKBONE;
  }
  const score = values.score as string | undefined;
  if (score !== undefined && score !== 'reweighted' && score !== 'max') throw new UsageError('--score must be reweighted or max');
  const layers = values.layers === undefined ? undefined : String(values.layers).split(',').map((s) => s.trim()).filter(Boolean);
  if (layers && layers.length === 0) throw new UsageError('--layers needs at least one value name');
  const threads = positive(values, 'threads');
  const size = positive(values, 'size');
  const batchSize = positive(values, 'batch');
  const session = threads ? { intraOpThreads: threads } : undefined;
  const progress = progressFor(io, 'train');
  const run = await trainAnomalyMethod({
    method,
    data: required(values, 'data'),
    out: required(values, 'out'),
    name: values.name as string | undefined,
    seed: intOption(values, 'seed', 0),
    ratios,
    quantile: fraction(values, 'quantile'),
    timeBudgetSeconds,
    patchcore: {
      backbone,
      layers,
      coreset: fraction(values, 'coreset'),
      size,
      imageScore: score as 'max' | undefined,
      dim: positive(values, 'dim'),
      batchSize,
      session,
    },
    simulated: { size, batchSize, threads },
    autoCandidates: ['patchcore', 'simulated', 'combined'],
    codeVersion: codeVersion(),
    onProgress: (e) => {
      const fields: Record<string, string | number> = method === 'auto' || method === 'combined' ? { method: e.method } : {};
      if (e.remainingSeconds !== undefined && Number.isFinite(e.remainingSeconds)) fields.left_s = Math.max(0, Math.round(e.remainingSeconds));
      progress.update(e.phase, e.done, e.total, fields);
    },
  }).finally(() => progress.end());
  if (values.json) {
    io.out(JSON.stringify(run.record, null, 2));
    return 0;
  }
  printRun(run, io);
  return 0;
}

function printRun(run: AnomalyMethodRun, io: CliIO): void {
  const choice = run.record.choice;
  if (choice) {
    io.out(`method auto chose ${choice.chosen}: ${choice.reason}`);
    const v = choice.validation;
    io.out(`validation: ${v.good} good + ${v.defect} ${v.source} defect images; ${choice.candidates.map((c) => (c.fitted ? `${c.method} fitted in ${fmtSeconds(c.fitSeconds ?? 0)}, image AUROC ${fmt(c.imageAuroc)}, pixel AUROC ${fmt(c.pixelAuroc)}` : `${c.method} not fitted`)).join('; ')}; ${fmtSeconds(choice.budget.usedSeconds)} of ${fmtSeconds(choice.budget.seconds)}`);
  }
  if (run.method === 'combined') {
    const r = run.record;
    const f = r.fusion;
    io.out(`run ${r.id}: combined detector at ${r.params.size[1]}x${r.params.size[0]}: PatchCore bank of ${r.parts.patchcore.bankSize} patches (${fmtSeconds(r.parts.patchcore.seconds)}), simulated ${r.parts.simulated.steps} steps (stopped by ${r.parts.simulated.stoppedBy}; ${fmtSeconds(r.parts.simulated.seconds)}); z-scores from ${f.good} good validation images (PatchCore mean ${f.patchcore.mean.toPrecision(4)} sd ${f.patchcore.std.toPrecision(4)}, ${f.imageScore === 'mean-z-agreement' ? 'agreement' : 'simulated'} mean ${f.simulated.mean.toPrecision(4)} sd ${f.simulated.std.toPrecision(4)}), ${r.seconds.total.toFixed(1)} s`);
  } else if (run.method === 'patchcore') {
    const record = run.record;
    io.out(`run ${record.id}: bank of ${record.bank.size} patches from ${record.bank.sourcePatches} (coreset ${record.params.coreset}), layers ${record.backbone.layers.join(', ')}, ${record.seconds.total.toFixed(1)} s`);
  } else {
    const record = run.record;
    const averaged = record.training.averagedSteps > 0 ? `, weights of the last ${record.training.averagedSteps} averaged` : '';
    io.out(`run ${record.id}: simulated-defect detector at ${record.params.size[1]}x${record.params.size[0]}, ${record.training.steps} steps (stopped by ${record.training.stoppedBy}; budget ${fmtSeconds(record.params.timeBudgetSeconds)}${averaged}), map averaged over ${record.params.testTimeFlips} flip(s)${record.params.halfScale ? ' and combined with the half-scale map' : ''}, ${record.seconds.total.toFixed(1)} s`);
  }
  const record = run.record;
  const t = record.thresholds;
  io.out(`thresholds: image ${t.image.value.toPrecision(5)} (${t.image.source}), pixel ${t.pixel.value.toPrecision(5)} (${t.pixel.source})`);
  const r = record.test;
  if (!r) io.out('test: no test split; measure the detector on a separate folder with xaiqc evaluate --split all');
  else io.out(`test: image AUROC ${fmt(r.imageAuroc)}  pixel AUROC ${fmt(r.pixelAuroc)}  PRO ${fmt(r.pro)}  F1 ${fmt(r.f1)}  false-reject rate ${fmt(r.falseRejectRate)}`);
  for (const w of record.warnings) io.out(`warning: ${w}`);
  if (record.dataset.skipped.length) io.out(`skipped ${record.dataset.skipped.length} file(s): ${record.dataset.skipped.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join('; ')}`);
}
