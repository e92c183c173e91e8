/** `xaiqc calibrate`: temperature scaling, calibration figures, conformal sets and referral for a classifier. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { calibrateClassifier, writeModelCard } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { intOption, required } from '../command.ts';

async function atomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'fit temperature scaling, write reliability diagrams and conformal figures, update the card',
  help: `Usage: xaiqc calibrate --model DIR/model.onnx --data DIR --out DIR [--bins N] [--alpha A]
                       [--target-error R] [--card PATH] [--no-update-card] [--json]

Fits the temperature T on the dataset's validation split (Newton in log T on the NLL),
then measures on the test split, before and after: accuracy, ECE (equal-width and
equal-mass bins), MCE, adaptive and classwise ECE, Brier, NLL and AURC. Calibrates split-
conformal APS sets at miscoverage --alpha (default 0.1) on the validation split and
reports their coverage and size on the test split, and fits the referral rule (refer when
the set is not a single label or 1 - max probability exceeds a threshold chosen for
--target-error, default 0.02, among accepted items).
Writes DIR/calibration.json and reliability-before/after .svg and .png, and records T and
the ECE in the model card (unless --no-update-card, or the fit did not converge inside
T in [0.01, 100], as happens when the validation split is classified perfectly).`,
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    bins: { type: 'string' },
    alpha: { type: 'string' },
    'target-error': { type: 'string' },
    card: { type: 'string' },
    'no-update-card': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const modelPath = required(values, 'model');
    const out = required(values, 'out');
    const cardPath = (values.card as string | undefined) ?? join(dirname(modelPath), 'model_card.yaml');
    const { card, report } = await calibrateClassifier(modelPath, required(values, 'data'), {
      bins: intOption(values, 'bins', 15),
      alpha: values.alpha === undefined ? undefined : Number(values.alpha),
      targetErrorRate: values['target-error'] === undefined ? undefined : Number(values['target-error']),
      cardPath,
    });
    await mkdir(out, { recursive: true });
    const { images, ...figures } = report;
    await atomic(join(out, 'reliability-before.svg'), images.beforeSvg);
    await atomic(join(out, 'reliability-after.svg'), images.afterSvg);
    await atomic(join(out, 'reliability-before.png'), images.beforePng);
    await atomic(join(out, 'reliability-after.png'), images.afterPng);
    await atomic(join(out, 'calibration.json'), JSON.stringify(figures, null, 2));
    // A temperature at the edge of the allowed range (e.g. a validation split the model
    // classifies perfectly drives T to 0) is not a calibration worth shipping.
    const update = !values['no-update-card'] && report.fit.converged;
    if (update) await writeModelCard(cardPath, card);
    else if (!values['no-update-card']) io.err(`xaiqc calibrate: T = ${report.fit.temperature} did not converge inside the allowed range; the card was not updated`);
    if (values.json) io.out(JSON.stringify(figures, null, 2));
    else {
      const f = (x: number): string => x.toFixed(4);
      io.out(`T = ${report.fit.temperature.toFixed(4)} (fitted on ${report.validationCount} validation images, ${report.fit.iterations} Newton steps)`);
      io.out(`test (${report.testCount}): ECE ${f(report.before.ece)} -> ${f(report.after.ece)}, NLL ${f(report.before.nll)} -> ${f(report.after.nll)}, Brier ${f(report.before.brier)} -> ${f(report.after.brier)}`);
      io.out(`conformal APS alpha ${report.conformal.alpha}: coverage ${f(report.conformal.coverage)}, mean set size ${report.conformal.averageSetSize.toFixed(3)}`);
      io.out(`referral: threshold ${report.referral.uncertaintyThreshold.toFixed(4)}, test referral rate ${f(report.referral.testReferralRate)}, accepted error ${f(report.referral.testAcceptedErrorRate)}`);
    }
    return 0;
  },
};
