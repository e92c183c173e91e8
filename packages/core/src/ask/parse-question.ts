/**
 * Understanding a question: its intent by the trained classifier (`intent-classifier.ts`),
 * its slots by rules (`slots.ts`). A question the classifier places out of the domain, or
 * places nowhere with confidence, gets the intent `unknown`.
 */
import { defaultIntentClassifier } from './intent-classifier.ts';
import { parseSlots } from './slots.ts';
import type { AskIntent, ParsedQuestion } from './types.ts';

/**
 * Below this probability of the best intent a question is `unknown`. Chosen on the
 * held-out split: most wrongly placed held-out questions score below it, few right ones do.
 */
export const MIN_INTENT_CONFIDENCE = 0.35;

/** Options of {@link parseQuestion}. */
export interface ParseQuestionOptions {
  /** The reference time of relative dates ("yesterday"); default the current time. */
  now?: Date;
}

/**
 * Parses a question about an inspection.
 * @param text the question as asked
 * @param labels the model's labels; class names in the question are matched against them
 * @returns the intent with its probability, the next intents, and the slots (class names
 *   as the model spells them, regions, an inclusive UTC date range)
 */
export function parseQuestion(text: string, labels: string[], options: ParseQuestionOptions = {}): ParsedQuestion {
  const now = options.now ?? new Date();
  const slots = parseSlots(text, labels, now);
  if (!/[a-z]/i.test(text)) return { text, intent: 'unknown', confidence: 1, alternatives: [], slots };
  const ranked = defaultIntentClassifier().predict(text, labels);
  const best = ranked[0];
  const alternatives = ranked
    .filter((r): r is { intent: Exclude<AskIntent, 'unknown'>; p: number } => r.intent !== 'unknown' && r !== best)
    .slice(0, 3);
  if (best.intent === 'unknown' || best.p < MIN_INTENT_CONFIDENCE) {
    const unknownP = ranked.find((r) => r.intent === 'unknown')?.p ?? 0;
    return { text, intent: 'unknown', confidence: best.intent === 'unknown' ? best.p : unknownP, alternatives: ranked.filter((r): r is { intent: Exclude<AskIntent, 'unknown'>; p: number } => r.intent !== 'unknown').slice(0, 3), slots };
  }
  return { text, intent: best.intent, confidence: best.p, alternatives, slots };
}
