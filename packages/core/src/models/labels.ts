/** Which of a card's labels are defects. */
import type { ModelCard } from './card.schema.ts';

/** Index of each label that is not a good label (the defect classes). */
export function defectIndices(card: Pick<ModelCard, 'labels' | 'goodLabels'>): number[] {
  return card.labels.map((l, i) => (card.goodLabels.includes(l) ? -1 : i)).filter((i) => i >= 0);
}

/** `['good']` when a label is 'good', else `fallback` (the background label, or none). */
export function goodOrElse(labels: readonly string[], fallback: readonly string[]): string[] {
  return labels.includes('good') ? ['good'] : [...fallback];
}
