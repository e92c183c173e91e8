/** `xaiqc drift`: does a folder of current images differ from a reference folder, as the model sees them? */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { IMAGE_EXTENSIONS, PooledEmbedder, Predictor, XqcError, decodeImage, driftReport, imageSignals, isXqcError } from '@xai-qc/core';
import type { DriftReport, DriftWindow, ImageU8 } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, required } from '../command.ts';
import { progressFor } from '../progress.ts';
import type { Progress } from '../progress.ts';

/** Longest side images are decoded at (larger ones are shrunk while decoding): bounds memory and time, and puts sharpness on one scale. */
export const DRIFT_MAX_SIDE = 512;
/** Default largest number of images read from each folder. */
export const DRIFT_DEFAULT_MAX_IMAGES = 1000;
const BATCH = 16;
const SCALARS = ['brightness', 'contrast', 'sharpness', 'saturation', 'width', 'height', 'defectScore'] as const;

/** Image files under `dir`, any depth, sorted by path; hidden entries are skipped. */
async function listImages(dir: string, what: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      throw new XqcError('XQC_IO', `cannot list the ${what} folder ${d}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** At most `max` of `files`, evenly spaced through the sorted list (all of them when there are few enough). */
function spread(files: string[], max: number): string[] {
  if (files.length <= max) return files;
  return Array.from({ length: max }, (_, i) => files[Math.floor((i * files.length) / max)]);
}

interface Embedding {
  /** `layer NAME` or `class probabilities`. */
  source: string;
  dim: number;
  embed(images: ImageU8[], probabilities: number[][]): Promise<number[]>;
}

function chooseEmbedding(predictor: Predictor, notes: string[]): Embedding {
  const { card } = predictor;
  try {
    const embedder = PooledEmbedder.create(predictor.model, { size: [card.input.height, card.input.width], layer: card.explain.layer });
    return {
      source: `layer ${embedder.layer.name}`,
      dim: embedder.dim,
      embed: async (images) => Array.from(await embedder.embed(predictor.prepare(images).tensor)),
    };
  } catch (e) {
    if (!isXqcError(e)) throw e;
    notes.push(`embedding: no pooled layer (${e.message}); the class probabilities are the embedding`);
    return { source: 'class probabilities', dim: card.labels.length, embed: async (_images, probabilities) => probabilities.flat() };
  }
}

/** Decodes, measures, predicts and embeds every file of one folder in batches; undecodable files are skipped with a note. */
async function readWindow(files: string[], what: string, predictor: Predictor, embedding: Embedding, notes: string[], progress: Progress): Promise<DriftWindow & { count: number }> {
  const scalars: Record<string, number[]> = Object.fromEntries(SCALARS.map((s) => [s, [] as number[]]));
  const predictedClass: number[] = [];
  const embeddings: number[] = [];
  let skipped = 0;
  for (let start = 0; start < files.length; start += BATCH) {
    const images: ImageU8[] = [];
    for (const path of files.slice(start, start + BATCH)) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new XqcError('XQC_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      try {
        images.push(await decodeImage(bytes, { maxSide: DRIFT_MAX_SIDE }));
      } catch (e) {
        if (!isXqcError(e, 'XQC_IMAGE_INVALID')) throw e;
        skipped++;
      }
    }
    if (images.length) {
      const { predictions } = await predictor.predict(images, BATCH);
      for (let i = 0; i < images.length; i++) {
        const s = imageSignals(images[i]);
        for (const k of SCALARS) scalars[k].push(k === 'defectScore' ? predictions[i].defectProbability : s[k]);
        predictedClass.push(predictions[i].classIndex);
      }
      embeddings.push(...(await embedding.embed(images, predictions.map((p) => p.probabilities))));
    }
    progress.update(what, Math.min(files.length, start + BATCH), files.length);
  }
  if (skipped) notes.push(`${what}: ${skipped} of ${files.length} files could not be decoded and were skipped`);
  if (predictedClass.length === 0) throw new XqcError('XQC_DATASET_INVALID', `no image in the ${what} folder could be decoded (${files.length} files tried)`);
  return { scalars, predictedClass, embeddings, count: predictedClass.length };
}

function formatStatistic(v: number): string {
  return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function printTable(r: DriftReport, io: { out(line: string): void }): void {
  const rows = r.signals.map((s) => [
    s.signal,
    s.test,
    formatStatistic(s.statistic),
    s.adjustedPValue !== undefined ? `p ${formatStatistic(s.adjustedPValue)}` : `AUC > ${s.threshold}`,
    s.level,
  ]);
  const head = ['signal', 'test', 'statistic', 'p (Holm) / threshold', 'level'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const row of [head, ...rows]) io.out(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'compare a current image folder with a reference folder: image, score, class-mix and embedding drift',
  help: `Usage: xaiqc drift --model DIR/model.onnx --reference DIR --current DIR [--card PATH] [--max-images N] [--json]

Reads the image files of each folder at any depth (labels and layout do not matter; at
most N per folder, default ${DRIFT_DEFAULT_MAX_IMAGES}, evenly spaced through the sorted paths), decodes
each once with its longer side shrunk to at most ${DRIFT_MAX_SIDE}, and records per image: brightness
(mean BT.601 luma), contrast (luma std), sharpness (variance of the 3x3 Laplacian of the
luma), saturation (mean HSV saturation), width and height (after the shrink), the model's
defect score and predicted class, and a pooled embedding (global average of the card's
explain.layer, else of the deepest spatial activation; the class probabilities when the
model has none). The card defaults to DIR/model_card.yaml beside the model.
Tests: two-sample Kolmogorov-Smirnov per scalar (PSI and Wasserstein distance / reference
std reported for information in --json), chi-squared on the predicted-class mix, and the
domain-classifier test on the embeddings (drift when the out-of-fold AUC > 0.55; skipped
with fewer than 5 images a side). The KS and chi-squared p-values are Holm-corrected
together; a signal is drift at corrected p < 0.05 and possible at p < 0.1. The overall
level is the worst signal's. Prints a table (signal, test, statistic, corrected p or
threshold, level) and the overall level, or with --json the whole report:
{ level, referenceCount, currentCount, adjustment, embedding, signals: [{ signal, test,
statistic, pValue, adjustedPValue | threshold, level, psi, wassersteinNormalized }], notes }.
Exit status 0 whatever the level; 1 when a folder is missing (XQC_IO) or holds no
decodable image (XQC_DATASET_INVALID); 2 for a bad command line.`,
  options: {
    model: { type: 'string' },
    card: { type: 'string' },
    reference: { type: 'string' },
    current: { type: 'string' },
    'max-images': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _p, io) {
    const modelPath = required(values, 'model');
    const referenceDir = required(values, 'reference');
    const currentDir = required(values, 'current');
    const rawMax = values['max-images'] as string | undefined;
    const maxImages = rawMax === undefined ? DRIFT_DEFAULT_MAX_IMAGES : Number(rawMax);
    if (!Number.isInteger(maxImages) || maxImages < 1) throw new UsageError(`--max-images must be an integer >= 1, got '${rawMax}'`);
    const lists: string[][] = [];
    for (const [dir, what] of [
      [referenceDir, 'reference'],
      [currentDir, 'current'],
    ] as const) {
      const files = await listImages(dir, what);
      if (files.length === 0) {
        throw new XqcError('XQC_DATASET_INVALID', `the ${what} folder ${dir} holds no image files (${[...IMAGE_EXTENSIONS].join(', ')})`);
      }
      lists.push(spread(files, maxImages));
    }
    const predictor = await Predictor.load(modelPath, (values.card as string | undefined) ?? join(dirname(modelPath), 'model_card.yaml'));
    const notes: string[] = [];
    const embedding = chooseEmbedding(predictor, notes);
    const progress = progressFor(io, 'drift');
    let reference: DriftWindow;
    let current: DriftWindow;
    try {
      reference = await readWindow(lists[0], 'reference', predictor, embedding, notes, progress);
      current = await readWindow(lists[1], 'current', predictor, embedding, notes, progress);
    } finally {
      progress.end();
    }
    const report = driftReport(reference, current, { embeddingDim: embedding.dim, classCount: predictor.card.labels.length });
    report.notes.unshift(...notes);
    if (values.json) {
      io.out(JSON.stringify({ ...report, embedding: { source: embedding.source, dim: embedding.dim } }, null, 2));
      return 0;
    }
    io.out(`reference ${report.referenceCount} images, current ${report.currentCount} images; embedding: ${embedding.source} (${embedding.dim} values)`);
    printTable(report, io);
    for (const note of report.notes) io.out(`note: ${note}`);
    io.out(`overall: ${report.level}`);
    return 0;
  },
};
