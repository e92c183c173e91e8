/**
 * Scoring of answers against reference answers, for `npm run eval:ask` (scripts/eval-ask.ts).
 * Every rule reads the short answer the way a person would read its first words, so a
 * right fact buried in the evidence does not count. The rules, per subtask:
 * - present: the short answer starts with "Yes" or "No"; it must equal the reference.
 * - type: the first of the model's labels named in the short answer (spoken forms and
 *   synonyms count) must be the reference class.
 * - location: the first region named in the short answer must be the grid cell of one of
 *   the reference points (the centroids of the ground-truth defects of the image's class),
 *   or a neighbouring cell when the point lies within `tolerance` (share of the image side,
 *   default 0.05) of that cell's border.
 * - description, cause: the first label named must be the reference class and, when the
 *   knowledge base was available, a cited passage must mention the class.
 * - confidence: the short answer must state the model's probability (a percentage within
 *   one point of it) and say "unsure" exactly when the reference is unsure.
 * - explanation: the short answer must give the verdict ("rejected" or "passed"; for a
 *   model that judges no defects, verdict null, the first label named must be the
 *   reference label instead) and name first the grid region with the most heatmap mass
 *   (reference), when there is a map.
 */
import { GRID_REGIONS } from './geometry.ts';
import { matchClassNames, matchRegions, spokenForms } from './slots.ts';
import type { Answer, ImageRegion } from './types.ts';

/** The evaluated subtasks: MMAD's five, plus confidence and explanation. */
export const ASK_SUBTASKS = ['present', 'type', 'location', 'description', 'cause', 'confidence', 'explanation'] as const;
/** One subtask. */
export type AskSubtask = (typeof ASK_SUBTASKS)[number];

/** A reference answer, from the generator's ground truth or (confidence, explanation) from the model's own outputs. */
export type AskReference =
  | { subtask: 'present'; answer: 'yes' | 'no' }
  | { subtask: 'type'; label: string }
  | { subtask: 'location'; points: [number, number][]; image: { width: number; height: number }; tolerance?: number }
  | { subtask: 'description' | 'cause'; label: string; kbAvailable: boolean }
  | { subtask: 'confidence'; probability: number; unsure: boolean }
  | { subtask: 'explanation'; verdict: 'pass' | 'reject' | null; label?: string; region: Exclude<ImageRegion, 'edge'> | null };

/** A scored answer. */
export interface AskScore {
  correct: boolean;
  /** what was read from the answer, or why it failed */
  detail: string;
}

/** "yes" or "no" when the text starts with it. */
export function leadingYesNo(text: string): 'yes' | 'no' | undefined {
  const m = /^\s*(yes|no)\b/i.exec(text);
  return m ? (m[1].toLowerCase() as 'yes' | 'no') : undefined;
}

/** The first grid region named in a text ("edge" skipped). */
export function firstRegion(text: string): Exclude<ImageRegion, 'edge'> | undefined {
  return matchRegions(text).find((r): r is Exclude<ImageRegion, 'edge'> => r !== 'edge');
}

/** Whether `point` lies in the grid cell of `region`, the cell widened by `tolerance` of each image side. */
export function pointInRegion(point: readonly [number, number], region: Exclude<ImageRegion, 'edge'>, image: { width: number; height: number }, tolerance = 0): boolean {
  const i = GRID_REGIONS.indexOf(region);
  const col = i % 3;
  const row = Math.floor(i / 3);
  const x = point[0] / image.width;
  const y = point[1] / image.height;
  return x >= col / 3 - tolerance && x <= (col + 1) / 3 + tolerance && y >= row / 3 - tolerance && y <= (row + 1) / 3 + tolerance;
}

function mentions(text: string, label: string): boolean {
  return matchClassNames(text, [label]).length > 0 || spokenForms(label).some((f) => text.toLowerCase().includes(f));
}

/**
 * Scores one answer.
 * @param answer the answer to score
 * @param ref its reference
 * @param labels the model's labels (what a class name in the short answer is matched against)
 * @param passages text of the passages the answer cites, by passage id (description, cause)
 */
export function scoreAnswer(answer: Pick<Answer, 'short' | 'citations'>, ref: AskReference, labels: readonly string[], passages: ReadonlyMap<string, string> = new Map()): AskScore {
  const short = answer.short;
  switch (ref.subtask) {
    case 'present': {
      const got = leadingYesNo(short);
      return { correct: got === ref.answer, detail: `read ${got ?? 'neither yes nor no'}, expected ${ref.answer}` };
    }
    case 'type': {
      const got = matchClassNames(short, labels)[0];
      return { correct: got === ref.label, detail: `read ${got ?? 'no class'}, expected ${ref.label}` };
    }
    case 'location': {
      const got = firstRegion(short);
      const correct = got !== undefined && ref.points.some((p) => pointInRegion(p, got, ref.image, ref.tolerance ?? 0.05));
      return { correct, detail: `read ${got ?? 'no region'}, reference points ${ref.points.map((p) => `(${p.map((v) => v.toFixed(1)).join(', ')})`).join(' ')}` };
    }
    case 'description':
    case 'cause': {
      const got = matchClassNames(short, labels)[0];
      if (got !== ref.label) return { correct: false, detail: `read ${got ?? 'no class'}, expected ${ref.label}` };
      if (!ref.kbAvailable) return { correct: true, detail: `read ${got}; no knowledge base` };
      const cited = answer.citations.filter((c) => c.kind === 'kb').some((c) => mentions(`${c.label} ${passages.get(c.ref) ?? ''}`, ref.label));
      return { correct: cited, detail: cited ? `read ${got}, a cited passage covers it` : `read ${got}, but no cited passage mentions ${ref.label}` };
    }
    case 'confidence': {
      const stated = [...short.matchAll(/(\d+(?:\.\d+)?)%/g)].map((m) => Number(m[1]));
      const want = ref.probability * 100;
      const states = stated.some((v) => Math.abs(v - want) <= 1);
      const saysUnsure = /\bunsure\b/i.test(short);
      return { correct: states && saysUnsure === ref.unsure, detail: `stated ${stated.join(', ') || 'no percentage'} (want ${want.toFixed(1)}), ${saysUnsure ? 'says' : 'does not say'} unsure (want ${ref.unsure ? 'unsure' : 'sure'})` };
    }
    case 'explanation': {
      const verdict = /\brejected\b/i.test(short) ? 'reject' : /\bpassed\b/i.test(short) ? 'pass' : null;
      const label = matchClassNames(short, labels)[0];
      const region = firstRegion(short) ?? null;
      const decision = ref.verdict !== null ? verdict === ref.verdict : label === ref.label;
      const correct = decision && (ref.region === null || region === ref.region);
      return { correct, detail: `read ${ref.verdict !== null ? (verdict ?? 'no verdict') : (label ?? 'no label')} and ${region ?? 'no region'}, expected ${ref.verdict ?? ref.label} and ${ref.region ?? 'any region'}` };
    }
  }
}
