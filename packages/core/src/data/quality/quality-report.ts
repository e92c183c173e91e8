/**
 * The dataset quality report: counts per class and split, sizes and formats, exact
 * duplicates (same SHA-256), near duplicates (perceptual hash within a Hamming distance),
 * duplicates across splits (leakage), corrupt files, per-class outliers in brightness, blur
 * and size (robust z-scores), and label balance, each check with a level.
 *
 * Levels: exact duplicates warn (error when copies carry different labels); near duplicates
 * warn; any leakage is an error (a test image seen in training inflates every figure);
 * corrupt files and outliers warn; balance warns (error when a class has no image).
 * Cost: O(n log n) plus the near-duplicate search (near-duplicates.ts).
 */
import type { Split } from '../split.ts';
import { DEFAULT_SPLIT_RATIOS, stratifiedSplit } from '../split.ts';
import { groupByHammingDistance } from './near-duplicates.ts';
import type {
  BalanceFinding,
  DatasetQualityReport,
  ExactDuplicateGroup,
  LeakageFinding,
  NearDuplicateGroup,
  OutlierFinding,
  OutlierMetric,
  QualityCheck,
  QualityItem,
  QualityLevel,
  QualityMember,
  QualityOptions,
} from './quality.types.ts';
import { medianOf, robustZScores, ROBUST_Z_THRESHOLD } from './robust-outliers.ts';

const SPLITS: readonly Split[] = ['train', 'val', 'test'];
const LEVEL_ORDER: readonly QualityLevel[] = ['ok', 'warning', 'error'];

function uniqueSorted<T extends string>(values: Iterable<T>): T[] {
  return [...new Set(values)].sort();
}

function byPath<T extends { path: string }>(list: T[]): T[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function orderedSplits(values: Iterable<Split>): Split[] {
  const set = new Set(values);
  return SPLITS.filter((s) => set.has(s));
}

function spread(values: readonly number[]): { min: number; max: number; median: number } {
  if (values.length === 0) return { min: 0, max: 0, median: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, median: medianOf(values) };
}

function outliersOf(members: readonly QualityMember[], items: readonly QualityItem[], idx: readonly number[], zMax: number): OutlierFinding[] {
  const metrics: [OutlierMetric, (it: QualityItem) => number, (v: number) => number][] = [
    ['brightness', (it) => it.signals.meanGray, (v) => v],
    // Sharpness spans orders of magnitude between scenes, so it is compared on a log scale.
    ['blur', (it) => it.signals.laplacianVariance, (v) => Math.log10(1 + v)],
    ['size', (it) => it.signals.width * it.signals.height, (v) => v],
  ];
  const out: OutlierFinding[] = [];
  for (const [metric, value, scale] of metrics) {
    const raw = idx.map((i) => value(items[i]));
    const { z } = robustZScores(raw.map(scale));
    const median = medianOf(raw);
    z.forEach((zi, k) => {
      if (Math.abs(zi) > zMax) out.push({ ...members[idx[k]], metric, value: raw[k], median, z: zi, direction: zi < 0 ? 'low' : 'high' });
    });
  }
  return out;
}

/**
 * Builds the quality report of `items` (one per usable image).
 * @param items the dataset's decoded images: path, label, content hash, format, {@link datasetImageSignals}, optional own split
 * @param options thresholds and the split seed, defaults in {@link QualityOptions}
 */
export function datasetQualityReport(items: readonly QualityItem[], options: QualityOptions = {}): DatasetQualityReport {
  const seed = options.seed ?? 0;
  const ratios = options.ratios ?? { ...DEFAULT_SPLIT_RATIOS };
  const hash = options.hash ?? 'phash';
  const maxHashDistance = options.maxHashDistance ?? 6;
  const outlierZ = options.outlierZ ?? ROBUST_Z_THRESHOLD;
  const minClassSizeForOutliers = options.minClassSizeForOutliers ?? 5;
  const balanceRatio = options.balanceRatio ?? 0.1;
  const minImagesPerClass = options.minImagesPerClass ?? 10;

  const own = items.length > 0 && items.every((it) => it.split !== undefined);
  const drawn = own ? undefined : stratifiedSplit(items.map((it) => ({ key: it.path, label: it.label })), seed, ratios);
  const members: QualityMember[] = items.map((it) => ({ path: it.path, label: it.label, split: own ? (it.split as Split) : (drawn?.get(it.path) as Split) }));

  const classes = uniqueSorted([...(options.classes ?? []), ...items.map((it) => it.label)]);
  const countsPerClass: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  const countsPerSplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const countsPerClassAndSplit: Record<string, Record<Split, number>> = Object.fromEntries(classes.map((c) => [c, { train: 0, val: 0, test: 0 }]));
  const formats: Record<string, number> = {};
  const sizeCounts = new Map<string, { width: number; height: number; count: number }>();
  members.forEach((m, i) => {
    countsPerClass[m.label]++;
    countsPerSplit[m.split]++;
    countsPerClassAndSplit[m.label][m.split]++;
    formats[items[i].format] = (formats[items[i].format] ?? 0) + 1;
    const { width, height } = items[i].signals;
    const key = `${width}x${height}`;
    const s = sizeCounts.get(key) ?? { width, height, count: 0 };
    s.count++;
    sizeCounts.set(key, s);
  });

  const bySha = new Map<string, number[]>();
  items.forEach((it, i) => bySha.set(it.sha256, [...(bySha.get(it.sha256) ?? []), i]));
  const exactDuplicates: ExactDuplicateGroup[] = [...bySha.entries()]
    .filter(([, idx]) => idx.length > 1)
    .map(([sha256, idx]) => ({ sha256, members: byPath(idx.map((i) => members[i])), labels: uniqueSorted(idx.map((i) => members[i].label)), splits: orderedSplits(idx.map((i) => members[i].split)) }))
    .sort((a, b) => (a.members[0].path < b.members[0].path ? -1 : 1));

  const hashes = items.map((it) => (hash === 'phash' ? it.signals.pHash : it.signals.dHash));
  const nearDuplicates: NearDuplicateGroup[] = groupByHammingDistance(hashes, maxHashDistance, (i, j) => items[i].sha256 === items[j].sha256).map((g) => {
    const ms = byPath(g.members.map((m) => ({ ...members[m.index], distance: m.distance })));
    return { hash, members: ms, labels: uniqueSorted(ms.map((m) => m.label)), splits: orderedSplits(ms.map((m) => m.split)) };
  });

  const leakage: LeakageFinding[] = [
    ...exactDuplicates.filter((g) => g.splits.length > 1).map((g) => ({ kind: 'exact' as const, splits: g.splits, members: g.members })),
    ...nearDuplicates.filter((g) => g.splits.length > 1).map((g) => ({ kind: 'near' as const, splits: g.splits, members: g.members.map(({ distance: _d, ...m }) => m) })),
  ];

  const outliers: OutlierFinding[] = [];
  for (const label of classes) {
    const idx = members.flatMap((m, i) => (m.label === label ? [i] : []));
    if (idx.length >= minClassSizeForOutliers) outliers.push(...outliersOf(members, items, idx, outlierZ));
  }

  const balance: BalanceFinding[] = [];
  const largest = Math.max(0, ...Object.values(countsPerClass));
  for (const label of classes) {
    const count = countsPerClass[label];
    if (count === 0) balance.push({ rule: 'empty', label, count, message: `class ${label} has no image` });
    else if (count < balanceRatio * largest) balance.push({ rule: 'ratio', label, count, message: `class ${label} has ${count} image(s), under ${balanceRatio * 100} % of the largest class (${largest})` });
    else if (count < minImagesPerClass) balance.push({ rule: 'minimum', label, count, message: `class ${label} has ${count} image(s), fewer than ${minImagesPerClass}` });
  }

  const corrupt = [...(options.corrupt ?? [])].map((c) => ({ path: c.path, reason: c.reason }));
  const level = (n: number, worse: boolean, bad: QualityLevel = 'warning'): QualityLevel => (n === 0 ? 'ok' : worse ? 'error' : bad);
  const checks: Record<QualityCheck, { level: QualityLevel; count: number }> = {
    exactDuplicates: { level: level(exactDuplicates.length, exactDuplicates.some((g) => g.labels.length > 1)), count: exactDuplicates.length },
    nearDuplicates: { level: level(nearDuplicates.length, false), count: nearDuplicates.length },
    leakage: { level: level(leakage.length, true), count: leakage.length },
    corrupt: { level: level(corrupt.length, false), count: corrupt.length },
    outliers: { level: level(outliers.length, false), count: outliers.length },
    balance: { level: level(balance.length, balance.some((b) => b.rule === 'empty')), count: balance.length },
  };
  const overall = Object.values(checks).reduce<QualityLevel>((w, c) => (LEVEL_ORDER.indexOf(c.level) > LEVEL_ORDER.indexOf(w) ? c.level : w), 'ok');

  return {
    images: items.length,
    classes,
    split: own ? { source: 'dataset', seed: null, ratios: null } : { source: 'drawn', seed, ratios: { ...ratios } },
    countsPerClass,
    countsPerSplit,
    countsPerClassAndSplit,
    sizes: {
      width: spread(items.map((it) => it.signals.width)),
      height: spread(items.map((it) => it.signals.height)),
      distinct: [...sizeCounts.values()].sort((a, b) => b.count - a.count || a.width - b.width || a.height - b.height).slice(0, 20),
    },
    formats,
    exactDuplicates,
    nearDuplicates,
    leakage,
    corrupt,
    outliers,
    balance,
    thresholds: { hash, maxHashDistance, outlierZ, minClassSizeForOutliers, balanceRatio, minImagesPerClass },
    summary: { level: overall, checks },
  };
}
