/**
 * The dataset quality report as a page shows it: the checks in a fixed order with a title,
 * their level and a sentence that says what was found and what to do.
 */
import type { components } from '@xai-qc/client';

/** The quality report of a dataset. */
export type QualityReport = components['schemas']['DatasetQualityReport'];
/** A check's level. */
export type QualityLevel = 'ok' | 'warning' | 'error';

/** One check as a row. */
export interface QualityCheckRow {
  key: keyof QualityReport['summary']['checks'];
  title: string;
  level: QualityLevel;
  count: number;
  sentence: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The checks of a report in display order, each with a sentence. */
export function qualityChecks(report: QualityReport): QualityCheckRow[] {
  const c = report.summary.checks;
  const conflicts = report.exactDuplicates.filter((g) => g.labels.length > 1).length;
  return [
    {
      key: 'leakage',
      title: 'Leakage across splits',
      ...c.leakage,
      sentence: c.leakage.count ? `${plural(c.leakage.count, 'duplicate group')} spread over train, validation or test: test figures would be too good. Remove the copies.` : 'No image appears in two splits.',
    },
    {
      key: 'exactDuplicates',
      title: 'Exact duplicates',
      ...c.exactDuplicates,
      sentence: c.exactDuplicates.count
        ? `${plural(c.exactDuplicates.count, 'group')} of identical files${conflicts ? `, ${plural(conflicts, 'group')} with different labels` : ''}.`
        : 'No identical files.',
    },
    {
      key: 'nearDuplicates',
      title: 'Near duplicates',
      ...c.nearDuplicates,
      sentence: c.nearDuplicates.count ? `${plural(c.nearDuplicates.count, 'group')} of images that look almost the same (${report.thresholds.hash}, distance up to ${report.thresholds.maxHashDistance}).` : 'No near-identical images.',
    },
    {
      key: 'corrupt',
      title: 'Corrupt files',
      ...c.corrupt,
      sentence: c.corrupt.count ? `${plural(c.corrupt.count, 'file')} could not be decoded and were left out.` : 'Every image decodes.',
    },
    {
      key: 'outliers',
      title: 'Outliers',
      ...c.outliers,
      sentence: c.outliers.count ? `${plural(c.outliers.count, 'image')} far from their class in brightness, blur or size (robust z above ${report.thresholds.outlierZ}).` : 'No image stands out from its class.',
    },
    {
      key: 'balance',
      title: 'Label balance',
      ...c.balance,
      sentence: c.balance.count ? report.balance.map((b) => b.message).join(' ') : 'Classes are balanced enough.',
    },
  ];
}

/** Counts per class and split as rows (class, train, val, test, total), largest class first. */
export function classSplitRows(report: QualityReport): { label: string; train: number; val: number; test: number; total: number }[] {
  return report.classes
    .map((label) => {
      const s = report.countsPerClassAndSplit[label] ?? { train: 0, val: 0, test: 0 };
      return { label, ...s, total: report.countsPerClass[label] ?? s.train + s.val + s.test };
    })
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}

/** Words for a level. */
export const LEVEL_WORD: Record<QualityLevel, string> = { ok: 'ok', warning: 'warning', error: 'problem' };
