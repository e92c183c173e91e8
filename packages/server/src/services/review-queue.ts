/**
 * Which inspections the review queue shows and in what order (pure functions, no IO).
 *
 * An unreviewed inspection is in the queue for the first reason that applies:
 * 1. `referred`: the referral rule sent it (conformal set of more than one label, or
 *    uncertainty above the card's threshold; stored as `inspections.referred`);
 * 2. `uncertain`: its uncertainty score under the policy's strategy is at least
 *    `uncertainMin` (active learning: the images a label teaches the model most about);
 * 3. `audit`: a random audit sample of `auditRate` of all inspections;
 * 4. `confident-sample`: a sample of `confidentRate` of the confident ones, so the queue
 *    is not only hard cases and the labels stay representative.
 * Samples are drawn by hashing the inspection id with a salt: stable (an item never leaves
 * the queue between two reads), independent of order, and without stored state.
 *
 * Uncertainty scores, all in [0, 1] (higher = less sure), from the stored class probabilities:
 * - `entropy`: H(p) / ln K;
 * - `margin`: 1 - (p(1) - p(2)) for the two most probable classes;
 * - `least-confidence`: (1 - p(1)) * K / (K - 1);
 * - `bald`: mutual information of the MC-Dropout passes / ln K (the epistemic part), when the
 *   inspection has MC-Dropout figures; otherwise the entropy score.
 */
import { createHash } from 'node:crypto';

/** An active-learning score. */
export type UncertaintyStrategy = 'entropy' | 'margin' | 'least-confidence' | 'bald';

/** Every strategy. */
export const UNCERTAINTY_STRATEGIES: readonly UncertaintyStrategy[] = ['entropy', 'margin', 'least-confidence', 'bald'];

/** Why an inspection is in the queue, in queue order. */
export type QueueReason = 'referred' | 'uncertain' | 'audit' | 'confident-sample';

/** Every reason, in queue order. */
export const QUEUE_REASONS: readonly QueueReason[] = ['referred', 'uncertain', 'audit', 'confident-sample'];

/** How the queue is drawn. */
export interface QueuePolicy {
  strategy: UncertaintyStrategy;
  /** Uncertainty score from which an inspection is `uncertain` (0..1). */
  uncertainMin: number;
  /** Share of all inspections drawn for the audit sample (0..1). */
  auditRate: number;
  /** Share of the confident inspections drawn each day (0..1). */
  confidentRate: number;
}

/** The defaults: entropy, 0.5, a 1 % audit sample, a 2 % confident sample. */
export const DEFAULT_QUEUE_POLICY: Readonly<QueuePolicy> = Object.freeze({ strategy: 'entropy', uncertainMin: 0.5, auditRate: 0.01, confidentRate: 0.02 });

/** What the queue needs of an inspection. */
export interface QueueCandidate {
  id: string;
  referred: boolean;
  probabilities: readonly number[];
  /** MC-Dropout mutual information in nats, when the inspection has it. */
  mutualInformation?: number;
}

/** The uncertainty score of `probabilities` under `strategy`, in [0, 1]; 0 for fewer than two classes. */
export function uncertaintyScore(strategy: UncertaintyStrategy, probabilities: readonly number[], mutualInformation?: number): number {
  const k = probabilities.length;
  if (k < 2) return 0;
  const sorted = [...probabilities].sort((a, b) => b - a);
  const clamp = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
  switch (strategy) {
    case 'margin':
      return clamp(1 - (sorted[0] - sorted[1]));
    case 'least-confidence':
      return clamp(((1 - sorted[0]) * k) / (k - 1));
    case 'bald':
      if (mutualInformation !== undefined && Number.isFinite(mutualInformation)) return clamp(mutualInformation / Math.log(k));
      return uncertaintyScore('entropy', probabilities);
    case 'entropy': {
      let h = 0;
      for (const p of probabilities) if (p > 0) h -= p * Math.log(p);
      return clamp(h / Math.log(k));
    }
  }
}

/** A stable draw in [0, 1) for `id` under `salt` (the first 48 bits of SHA-256). */
export function sampleDraw(id: string, salt: string): number {
  const digest = createHash('sha256').update(`${salt}:${id}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Why `c` is in the queue and its uncertainty score, or undefined when it is not. */
export function queueEntry(c: QueueCandidate, policy: QueuePolicy): { reason: QueueReason; uncertainty: number } | undefined {
  const uncertainty = uncertaintyScore(policy.strategy, c.probabilities, c.mutualInformation);
  if (c.referred) return { reason: 'referred', uncertainty };
  if (uncertainty >= policy.uncertainMin) return { reason: 'uncertain', uncertainty };
  if (sampleDraw(c.id, 'audit') < policy.auditRate) return { reason: 'audit', uncertainty };
  if (sampleDraw(c.id, 'confident') < policy.confidentRate) return { reason: 'confident-sample', uncertainty };
  return undefined;
}

/** Queue order: by reason, then most uncertain first, then newest first. */
export function compareQueueItems(a: { reason: QueueReason; uncertainty: number; createdAt: string; id: string }, b: typeof a): number {
  const r = QUEUE_REASONS.indexOf(a.reason) - QUEUE_REASONS.indexOf(b.reason);
  if (r !== 0) return r;
  if (a.uncertainty !== b.uncertainty) return b.uncertainty - a.uncertainty;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : 1;
}
