/** `xaiqc calibrate`: temperature scaling, calibration figures, conformal sets and referral for a classifier. */
import { dirname, join } from 'node:path';
import { MIN_CALIBRATION_ITEMS, calibrateClassifier, modelCardToYaml, stageFolder, writeFileAtomic } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';
import { progressFor } from '../progress.ts';

function openUnit(values: Record<string, unknown>, name: string, dflt: number): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new UsageError(`--${name} must be a number in (0, 1), got '${String(v)}'`);
  return n;
}

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'fit temperature scaling on a validation split; write the calibrated card, reliability diagrams and conformal figures',
  help: `Usage: xaiqc calibrate --model DIR/model.onnx --data DIR --out DIR [--bins N] [--alpha A]
                       [--target-error R] [--card PATH] [--write-card] [--force] [--json]

Fits the temperature T on the dataset's validation split (Newton in log T on the NLL),
then measures on the test split, before and after: accuracy, ECE (equal-width and
equal-mass bins), MCE, adaptive and classwise ECE, Brier, NLL and AURC. Calibrates split-
conformal APS sets at miscoverage --alpha (default 0.1) on the validation split and
reports their coverage and size on the test split, and fits the referral rule (refer when
the set is not a single label or 1 - max probability exceeds a threshold chosen for
--target-error, default 0.02, among accepted items).

Writes into --out (which must be empty or absent unless --force): calibration.json,
reliability-before/after .svg and .png, and model_card.yaml, a copy of the model's card
with T and the ECE recorded. The model's own card (--card, default DIR/model_card.yaml)
is changed only with --write-card.

Refuses (exit 1, XQC_CALIBRATION_REFUSED, nothing written) a fit on fewer than
${MIN_CALIBRATION_ITEMS} validation images or on a single class, a degenerate fit (the model
classifies every validation image correctly, T at a bound of [0.01, 100] or not finite,
the NLL not lowered), and an --alpha that the validation split is too small to reach
(n >= 1/alpha - 1). docs/calibration.md explains the minimum.

Progress (validation and test images through the model, the fit, the diagrams, the
write) is a bar on a terminal and JSON lines otherwise, on stderr.`,
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    bins: { type: 'string' },
    alpha: { type: 'string' },
    'target-error': { type: 'string' },
    card: { type: 'string' },
    'write-card': { type: 'boolean' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const modelPath = required(values, 'model');
    const dataDir = required(values, 'data');
    const out = required(values, 'out');
    const bins = intOption(values, 'bins', 15);
    if (bins < 1) throw new UsageError('--bins must be a positive integer');
    const alpha = openUnit(values, 'alpha', 0.1);
    const targetErrorRate = openUnit(values, 'target-error', 0.02);
    const cardPath = (values.card as string | undefined) ?? join(dirname(modelPath), 'model_card.yaml');
    // Staged first, so a non-empty --out is refused before the work and a refusal leaves nothing.
    const staged = await stageFolder(out, { force: values.force === true });
    const progress = progressFor(io, 'calibrate');
    try {
      // calibrateClassifier refuses too few validation images, a degenerate fit and an unreachable alpha (XQC_CALIBRATION_REFUSED).
      const { card, report } = await calibrateClassifier(modelPath, dataDir, {
        bins, alpha, targetErrorRate, cardPath, onProgress: (stage, done, total) => progress.update(stage, done, total),
      });
      progress.update('write', 0, 1);
      const { images, ...figures } = report;
      const cardYaml = modelCardToYaml(card);
      await staged.sink.put('reliability-before.svg', images.beforeSvg);
      await staged.sink.put('reliability-after.svg', images.afterSvg);
      await staged.sink.put('reliability-before.png', images.beforePng);
      await staged.sink.put('reliability-after.png', images.afterPng);
      await staged.sink.put('calibration.json', `${JSON.stringify(figures, null, 2)}\n`);
      await staged.sink.put('model_card.yaml', cardYaml);
      await staged.commit();
      const outCard = join(staged.target, 'model_card.yaml');
      if (values['write-card']) await writeFileAtomic(cardPath, cardYaml);
      progress.update('write', 1, 1);
      progress.end();
      const cards = { written: outCard, modelCard: cardPath, modelCardUpdated: values['write-card'] === true };
      if (values.json) {
        io.out(JSON.stringify({ ...figures, cards }, null, 2));
        return 0;
      }
      const f = (x: number): string => x.toFixed(4);
      io.out(`T = ${report.fit.temperature.toFixed(4)} (standard error of log T ${report.fit.logTemperatureStdError.toFixed(3)}; fitted on ${report.validationCount} validation images, ${report.fit.iterations} Newton steps)`);
      io.out(`test (${report.testCount}): ECE ${f(report.before.ece)} -> ${f(report.after.ece)}, NLL ${f(report.before.nll)} -> ${f(report.after.nll)}, Brier ${f(report.before.brier)} -> ${f(report.after.brier)}`);
      io.out(`conformal APS alpha ${alpha} (calibrated on ${report.validationCount} validation images, measured on ${report.testCount} test images): coverage ${f(report.conformal.coverage)}, mean set size ${report.conformal.averageSetSize.toFixed(3)}`);
      io.out(`referral: threshold ${report.referral.uncertaintyThreshold.toFixed(4)}, test referral rate ${f(report.referral.testReferralRate)}, accepted error ${f(report.referral.testAcceptedErrorRate)}`);
      io.out(cards.modelCardUpdated ? `calibrated card: ${outCard}; also written to ${cardPath}` : `calibrated card: ${outCard} (${cardPath} unchanged; pass --write-card to update it)`);
      return 0;
    } finally {
      progress.end();
      await staged.abort();
    }
  },
};
