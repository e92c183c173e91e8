/**
 * The review queue's search params (reason, uncertainty policy, the open item) and the
 * reviewer's draft decision turned into the body of `POST /inspections/{id}/reviews`.
 */
import { encodeRle } from './mask-codec.ts';
import type { Mask, Rle } from './mask-codec.ts';

/** Why an inspection is in the queue, in queue order (as the server names them). */
export const QUEUE_REASONS = ['referred', 'uncertain', 'audit', 'confident-sample'] as const;
/** A queue reason. */
export type QueueReason = (typeof QUEUE_REASONS)[number];
/** Active-learning scores the queue can rank by. */
export const STRATEGIES = ['entropy', 'margin', 'least-confidence', 'bald'] as const;
/** An active-learning score. */
export type Strategy = (typeof STRATEGIES)[number];

/** The review queue's search params. */
export interface QueueSearch {
  reason?: QueueReason;
  strategy?: Strategy;
  /** Uncertainty score (0..1) from which an inspection counts as uncertain; server default 0.5. */
  uncertainMin?: number;
  /** Also list items another reviewer holds. */
  includeClaimed?: boolean;
  /** The open item's inspection id. */
  item?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses raw search params, dropping what is not valid. */
export function parseQueueSearch(raw: Record<string, unknown>): QueueSearch {
  const out: QueueSearch = {};
  if (typeof raw.reason === 'string' && (QUEUE_REASONS as readonly string[]).includes(raw.reason)) out.reason = raw.reason as QueueReason;
  if (typeof raw.strategy === 'string' && (STRATEGIES as readonly string[]).includes(raw.strategy)) out.strategy = raw.strategy as Strategy;
  const u = typeof raw.uncertainMin === 'number' ? raw.uncertainMin : typeof raw.uncertainMin === 'string' && raw.uncertainMin.trim() !== '' ? Number(raw.uncertainMin) : NaN;
  if (Number.isFinite(u) && u >= 0 && u <= 1) out.uncertainMin = u;
  if (raw.includeClaimed === true || raw.includeClaimed === 'true') out.includeClaimed = true;
  if (typeof raw.item === 'string' && UUID.test(raw.item)) out.item = raw.item;
  return out;
}

/** Reasons a reviewer gives for rejecting the model's answer. */
export const REJECT_REASONS = ['Not a defect (false alarm)', 'Missed defect', 'Wrong class', 'Wrong region', 'Image unusable', 'Other (see comment)'] as const;

/** Labels that name the good part, tried in order when a pass needs a label the model did not give. */
const GOOD_NAMES = /^(good|ok|okay|normal|pass|background|no[-_ ]?defect|none)$/i;

/** What the review needs of the inspection. */
export interface PredictionForReview {
  verdict: 'pass' | 'reject';
  label: string;
  labels: string[];
  probabilities: number[];
}

/**
 * The label to propose for `verdict`: the model's label when the verdict agrees; for a pass,
 * the good label (good, ok, normal, background, ...); for a reject, the likeliest label other
 * than the model's (pass) label.
 */
export function proposedLabel(p: PredictionForReview, verdict: 'pass' | 'reject'): string {
  if (verdict === p.verdict) return p.label;
  if (verdict === 'pass') return p.labels.find((l) => GOOD_NAMES.test(l)) ?? p.labels[0] ?? p.label;
  let best: string | undefined;
  let bestP = -1;
  p.labels.forEach((l, k) => {
    if (l !== p.label && !GOOD_NAMES.test(l) && (p.probabilities[k] ?? 0) > bestP) {
      best = l;
      bestP = p.probabilities[k] ?? 0;
    }
  });
  return best ?? p.labels.find((l) => l !== p.label) ?? p.label;
}

/** The reviewer's decision as edited in the page. */
export interface Draft {
  verdict: 'pass' | 'reject';
  label: string;
  /** Why the model's verdict is rejected (required when the verdict differs from the model's). */
  reason: string;
  comment: string;
}

/** A fresh draft: the model's answer. */
export function initialDraft(p: PredictionForReview): Draft {
  return { verdict: p.verdict, label: p.label, reason: '', comment: '' };
}

/** The body of `POST /inspections/{id}/reviews`. */
export interface ReviewBody {
  verdict: 'pass' | 'reject';
  label?: string;
  mask?: { rle: Rle };
  boxes?: { label: string; box: [number, number, number, number] }[];
  comment?: string;
}

/** True when the draft disagrees with the model's verdict (a reason is then required). */
export function rejectsVerdict(p: PredictionForReview, d: Pick<Draft, 'verdict'>): boolean {
  return d.verdict !== p.verdict;
}

/** What is missing before the draft can be sent, as a sentence; null when it can be sent. */
export function draftProblem(p: PredictionForReview, d: Draft): string | null {
  if (!p.labels.includes(d.label)) return 'Choose the true class.';
  if (rejectsVerdict(p, d) && !d.reason) return 'Give a reason for rejecting the model\u2019s verdict.';
  return null;
}

/**
 * The review body for a draft: the label always (explicit is safer than the server's
 * default), the mask as COCO RLE when the model segments or the reviewer painted, the model's
 * boxes when the reviewer confirms a detector's reject as it stands, and the reason and
 * comment as one comment.
 */
export function reviewBody(p: PredictionForReview & { boxes: { label: string; box: [number, number, number, number] }[] }, d: Draft, mask: Mask | null): ReviewBody {
  const body: ReviewBody = { verdict: d.verdict, label: d.label };
  if (mask) body.mask = { rle: encodeRle(mask) };
  if (d.verdict === 'reject' && d.verdict === p.verdict && d.label === p.label && p.boxes.length) body.boxes = p.boxes;
  const comment = [d.reason ? `Reason: ${d.reason}.` : '', d.comment.trim()].filter(Boolean).join(' ');
  if (comment) body.comment = comment.slice(0, 4000);
  return body;
}
