/**
 * The evaluation set: for each demo model, synthetic images with exact ground truth (class,
 * mask) and one question per applicable subtask, worded by a seeded draw from
 * `questions.ts`. Half of the images of a defect domain are good; defect images cycle
 * through the domain's defect classes. Same seed, same set.
 */
import { createRng, generateSample, hashSeed, SYNTHETIC_SPECS } from '@xai-qc/core';
import type { AskSubtask, SyntheticKind, SyntheticSample } from '@xai-qc/core';
import { CELL_PHRASINGS, DEFECT_PHRASINGS } from './questions.ts';
import type { Phrasing } from './questions.ts';

/** A demo model under evaluation. */
export interface EvalModel {
  name: string;
  kind: SyntheticKind;
  runner: 'predictor' | 'anomaly';
  /** subtasks asked of this model (the others do not apply to what it outputs) */
  subtasks: readonly AskSubtask[];
}

/**
 * The demo models and their subtasks. The surface classifier only says good or defect, so it
 * is not asked the type, location, description or cause; the cell classifier judges no
 * defects (every image is a cell), so it is not asked presence, location or cause; the
 * anomaly detector locates but does not name defects.
 */
export const EVAL_MODELS: readonly EvalModel[] = [
  { name: 'surface-classifier', kind: 'surface', runner: 'predictor', subtasks: ['present', 'confidence', 'explanation'] },
  { name: 'surface-segmenter', kind: 'surface', runner: 'predictor', subtasks: ['present', 'type', 'location', 'description', 'cause', 'confidence', 'explanation'] },
  { name: 'weld-segmenter', kind: 'radiograph', runner: 'predictor', subtasks: ['present', 'type', 'location', 'description', 'cause', 'confidence', 'explanation'] },
  { name: 'cell-classifier', kind: 'cells', runner: 'predictor', subtasks: ['type', 'description', 'confidence', 'explanation'] },
  { name: 'surface-anomaly', kind: 'surface', runner: 'anomaly', subtasks: ['present', 'location', 'confidence', 'explanation'] },
];

/** Subtasks asked only about defective images (or, for cells, every image). */
const NEEDS_DEFECT = new Set<AskSubtask>(['type', 'location', 'description', 'cause']);

/** One image with its ground truth. */
export interface EvalImage {
  index: number;
  sample: SyntheticSample;
  defective: boolean;
  /** centroids [x, y] of the ground-truth instances of the image's label (defect images) */
  points?: [number, number][];
  /** whether explanation maps are computed for it (half the images, good and defective alike, to bound the runtime) */
  explain: boolean;
}

/** One question about an image. */
export interface EvalQuestion {
  image: number;
  subtask: AskSubtask;
  text: string;
  good: boolean;
}

/** Centroids of the pixels of each instance of `label` (inside its box, of its class id). */
function instanceCentroids(sample: SyntheticSample, label: string): [number, number][] {
  const { width } = sample.mask;
  const out: [number, number][] = [];
  for (const inst of sample.instances.filter((i) => i.type === label)) {
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = inst.box.y0; y < inst.box.y1; y++) {
      for (let x = inst.box.x0; x < inst.box.x1; x++) {
        if (sample.mask.data[y * width + x] === inst.classId) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      }
    }
    if (n) out.push([sx / n, sy / n]);
  }
  return out;
}

/** Images and questions of one model. */
export function generateModelSet(model: EvalModel, seed: number, count: number, size = 64): { images: EvalImage[]; questions: EvalQuestion[] } {
  const spec = SYNTHETIC_SPECS[model.kind];
  const defects = spec.labels.filter((l) => l !== spec.goodLabel);
  const rng = createRng(hashSeed(seed, model.name, 'questions'));
  const images: EvalImage[] = [];
  const questions: EvalQuestion[] = [];
  for (let i = 0; i < count; i++) {
    const label = spec.goodLabel !== null && i % 2 === 0 ? spec.goodLabel : defects[Math.floor(i / (spec.goodLabel !== null ? 2 : 1)) % defects.length];
    const sample = generateSample(model.kind, { seed: hashSeed(seed, model.name, i), width: size, height: size, label });
    const defective = spec.goodLabel === null ? true : sample.label !== spec.goodLabel;
    const image: EvalImage = { index: i, sample, defective, explain: i % 4 < 2 };
    if (defective && spec.goodLabel !== null) image.points = instanceCentroids(sample, sample.label);
    images.push(image);
    const phrasings = model.kind === 'cells' ? CELL_PHRASINGS : DEFECT_PHRASINGS;
    for (const subtask of model.subtasks) {
      if (NEEDS_DEFECT.has(subtask) && (!defective || (subtask === 'location' && !image.points?.length))) continue;
      if (subtask === 'explanation' && !image.explain) continue;
      const list = phrasings[subtask] as readonly Phrasing[];
      const p = rng.pick(list);
      questions.push({ image: i, subtask, text: p.text.replace('{cls}', sample.label.replace(/_/g, ' ')), good: p.good ?? false });
    }
  }
  return { images, questions };
}
