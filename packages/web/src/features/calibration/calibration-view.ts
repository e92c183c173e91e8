/**
 * The calibration page's plain-language reading of `GET /calibration`: what the status means
 * and what to do, whether recalibrating can help now, and the change in ECE.
 */
import type { paths } from '@xai-qc/client';

/** The calibration status as the API returns it. */
export type CalibrationStatus = paths['/api/xai-qc/calibration']['get']['responses'][200]['content']['application/json'];

/** The badge tone and the sentence for a status. */
export function statusView(s: Pick<CalibrationStatus, 'status' | 'reviewed' | 'minReviews' | 'driftThreshold'> & { served?: { ece: number } | null }): { tone: 'good' | 'bad' | 'warn' | 'secondary'; label: string; sentence: string } {
  switch (s.status) {
    case 'ok':
      return { tone: 'good', label: 'Calibrated', sentence: 'The confidence the model shows matches how often it is right on the reviewed parts: a 90 % answer is right about 9 times in 10.' };
    case 'drifting':
      return {
        tone: 'bad',
        label: 'Drifting',
        sentence: `The served ECE (${pct(s.served?.ece)}) is above the drift limit (${pct(s.driftThreshold)}): the confidence shown no longer matches how often the model is right. Recalibrate on the recent reviews.`,
      };
    case 'uncalibrated':
      return { tone: 'warn', label: 'Not calibrated', sentence: 'The model card has no temperature: the probabilities are the raw network outputs and are often over-confident. Recalibrate to fit one on the reviews.' };
    case 'not enough reviews':
      return {
        tone: 'secondary',
        label: 'Not enough reviews',
        sentence: `Calibration needs at least ${s.minReviews} reviewed inspections of this version; there ${s.reviewed === 1 ? 'is' : 'are'} ${s.reviewed}. Review ${s.minReviews - s.reviewed} more in the Review queue.`,
      };
  }
}

/** Why Recalibrate cannot run now, or undefined when it can. */
export function recalibrateBlocker(opts: { isEngineer: boolean; status: Pick<CalibrationStatus, 'status' | 'reviewed' | 'minReviews'> | undefined; running: boolean }): string | undefined {
  if (!opts.isEngineer) return 'Only engineers and administrators can recalibrate a model.';
  if (!opts.status) return 'Choose a classifier first.';
  if (opts.running) return 'A recalibration is running.';
  if (opts.status.reviewed < opts.status.minReviews) return `Needs at least ${opts.status.minReviews} reviewed inspections (${opts.status.reviewed} so far).`;
  return undefined;
}

/** ECE change from before to after scaling, as "12.0 % to 3.1 %" and whether it improved. */
export function eceChange(before: number | null | undefined, after: number | null | undefined): { text: string; better: boolean | null } {
  if (before === null || before === undefined || after === null || after === undefined) return { text: '\u2013', better: null };
  return { text: `${pct(before)} to ${pct(after)}`, better: after < before ? true : after > before ? false : null };
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '\u2013' : `${(v * 100).toFixed(1)} %`;
}
