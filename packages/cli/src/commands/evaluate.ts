/** `xaiqc evaluate`: figures of a model on a dataset folder. */
import { dirname, join } from 'node:path';
import { classifierTrust, evaluateFolder, readModelCard, taskAdapter } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, required } from '../command.ts';
import { progressFor } from '../progress.ts';
import { runAnomalyEvaluation } from './evaluate-anomaly.ts';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'evaluate a model on a dataset folder (accuracy, per-class P/R/F1, IoU, Dice)',
  help: `Usage: xaiqc evaluate --model DIR/model.onnx --data DIR [--split all|train|val|test] [--card PATH] [--json]

Classifiers: accuracy, macro F1, per-class precision/recall/F1, the confusion matrix,
calibration at the card's temperature (ECE, MCE, adaptive/classwise ECE, Brier, NLL,
AURC) and APS conformal coverage: sets calibrated on the folder's validation split,
coverage measured only on the evaluated images outside it (with --split all, the train
and test images; with --split val, none, and the output says so).
Segmenters: IoU and Dice per class (dataset-level pixel counts), mean IoU/Dice, Dice of
the defect classes and pixel accuracy. The card (default DIR/model_card.yaml) gives the
input size, normalisation and label order; the split is the dataset's seeded split.
Anomaly detectors (card task anomaly, data in the anomaly folder layout): image AUROC,
pixel AUROC and PRO (area under the per-region overlap curve up to FPR 0.3, at model
resolution), and F1, precision, recall, false-reject and escape rates and pixel F1 at the
detector's thresholds, with a note saying how many evaluated images the detector was
fitted on (by the image hashes its run.json records, else the card's dataset hash): figures
on a folder it never saw are held out, figures on its own train or val images optimistic.
The split is drawn with the seed and shares the card records from training.
Progress (images through the model; for classifiers a second pass for the calibration
figures) is a bar on a terminal and JSON lines otherwise, on stderr.`,
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    split: { type: 'string' },
    card: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const split = (values.split as string | undefined) ?? 'all';
    if (!['all', 'train', 'val', 'test'].includes(split)) throw new UsageError('--split must be all, train, val or test');
    const modelPath = required(values, 'model');
    const dataDir = required(values, 'data');
    const cardPath = values.card as string | undefined;
    const card = await readModelCard(cardPath ?? join(dirname(modelPath), 'model_card.yaml'));
    if (!taskAdapter(card.task).predictsFromOutput) return runAnomalyEvaluation(modelPath, dataDir, split as 'all', cardPath, values.json === true, io);
    const progress = progressFor(io, 'evaluate');
    let r: Awaited<ReturnType<typeof evaluateFolder>>;
    let trust: Awaited<ReturnType<typeof classifierTrust>> | undefined;
    try {
      r = await evaluateFolder(modelPath, dataDir, split as 'all', cardPath, { onProgress: (done, total) => progress.update('images', done, total) });
      trust = taskAdapter(r.task).datasetLayout === 'classification'
        ? await classifierTrust(modelPath, dataDir, split as 'all', { cardPath, onProgress: (_stage, done, total) => progress.update('calibration', done, total) })
        : undefined;
    } finally {
      progress.end();
    }
    if (values.json) {
      io.out(JSON.stringify({ ...r, trust }, null, 2));
      return 0;
    }
    const rep = r.report;
    io.out(`${r.task} on ${split} split, ${rep.count} images, dataset ${r.datasetHash.slice(0, 12)}${r.skipped.length ? `, ${r.skipped.length} skipped` : ''}`);
    if ('accuracy' in rep) {
      io.out(`accuracy ${rep.accuracy.toFixed(4)}  macro F1 ${rep.macroF1.toFixed(4)}`);
      for (const c of rep.perClass) io.out(`  ${c.label.padEnd(16)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  n ${c.support}`);
      if (trust) {
        const c = trust.calibration;
        io.out(`calibration (T = ${trust.temperature.toFixed(3)}): ECE ${c.ece.toFixed(4)}  MCE ${c.mce.toFixed(4)}  Brier ${c.brier.toFixed(4)}  NLL ${c.nll.toFixed(4)}  AURC ${c.aurc.toFixed(4)}`);
        const cf = trust.conformal;
        const figures = cf.coverage === null || cf.averageSetSize === null ? 'coverage not measured' : `coverage ${cf.coverage.toFixed(4)}, mean set size ${cf.averageSetSize.toFixed(3)}`;
        io.out(`conformal APS alpha ${cf.alpha}: ${figures} (calibrated on ${cf.calibrationCount} validation images, measured on ${cf.measuredCount} others)`);
        if (cf.note) io.out(`note: ${cf.note}`);
      }
    } else {
      io.out(`defect Dice ${rep.defectDice.toFixed(4)}  mean IoU ${rep.meanIou.toFixed(4)}  mean Dice ${rep.meanDice.toFixed(4)}  pixel acc ${rep.pixelAccuracy.toFixed(4)}`);
      for (const c of rep.perClass) io.out(`  ${c.label.padEnd(16)} IoU ${c.iou.toFixed(3)}  Dice ${c.dice.toFixed(3)}`);
    }
    return 0;
  },
};
