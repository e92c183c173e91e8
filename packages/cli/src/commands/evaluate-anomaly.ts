/** `xaiqc evaluate` for anomaly detectors: image AUROC, pixel AUROC, PRO and F1 at the chosen threshold. */
import { evaluateAnomalyFolder } from '@xai-qc/core';
import type { CliIO } from '../command.ts';
import { progressFor, stepProgress } from '../progress.ts';

const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));

/** Evaluates the anomaly detector of `modelPath` on `dataDir` and prints the figures. */
export async function runAnomalyEvaluation(modelPath: string, dataDir: string, split: 'all' | 'train' | 'val' | 'test', cardPath: string | undefined, json: boolean, io: CliIO): Promise<number> {
  // The folder is scored in one call, so progress is its start and its end.
  const progress = progressFor(io, 'evaluate');
  const steps = stepProgress(progress, 'anomaly', ['score']);
  steps.step('score');
  let r: Awaited<ReturnType<typeof evaluateAnomalyFolder>>;
  try {
    r = await evaluateAnomalyFolder(modelPath, dataDir, split, cardPath);
    steps.done();
  } finally {
    progress.end();
  }
  if (json) {
    io.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const rep = r.report;
  io.out(`anomaly on ${split} split, ${rep.count.good} good + ${rep.count.defect} defect images, dataset ${r.datasetHash.slice(0, 12)}${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}`);
  io.out(`image AUROC ${fmt(rep.imageAuroc)}  pixel AUROC ${fmt(rep.pixelAuroc)}  PRO ${fmt(rep.pro)}`);
  io.out(`at the threshold: F1 ${fmt(rep.f1)}  precision ${fmt(rep.precision)}  recall ${fmt(rep.recall)}  false-reject rate ${fmt(rep.falseRejectRate)}  escape rate ${fmt(rep.escapeRate)}  pixel F1 ${fmt(rep.pixelF1)}`);
  for (const n of rep.notes) io.out(`note: ${n}`);
  io.out(`note: ${r.fitOverlap.note}`);
  return 0;
}
