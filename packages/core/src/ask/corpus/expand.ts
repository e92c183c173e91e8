/**
 * Expands the templates of `templates.ts` into labelled questions, deterministically for a
 * seed. Every fifth template of an intent (index % 5 === 2) goes to the held-out split
 * whole, so held-out accuracy measures phrasings the classifier never saw.
 */
import { uniformRng } from '../../util/random.ts';
import type { AskIntent } from '../types.ts';
import { CLASS_FILLS, INTENT_TEMPLATES, NEUTRAL_SUFFIXES, PREFIXES, REGION_FILLS, SUFFIXES, WHEN_FILLS } from './templates.ts';

/** One labelled question of the corpus. */
export interface CorpusQuestion {
  text: string;
  intent: AskIntent;
  /** `intent#index` of the template it came from */
  template: string;
  split: 'train' | 'heldout';
}

/** Options of {@link expandCorpus}. */
export interface ExpandCorpusOptions {
  /** Seed of the slot fills and wrappers (default 7). */
  seed?: number;
  /** Variants drawn per template before de-duplication (default 8). */
  variants?: number;
}

/** Whether template `index` of an intent is held out. */
export function isHeldOutTemplate(index: number): boolean {
  return index % 5 === 2;
}

/**
 * All questions of the corpus: `variants` draws per template of prefix, suffix and slot
 * fills, duplicates removed, in a stable order.
 */
export function expandCorpus(options: ExpandCorpusOptions = {}): CorpusQuestion[] {
  const rand = uniformRng(options.seed ?? 7);
  const variants = options.variants ?? 8;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const out: CorpusQuestion[] = [];
  const seen = new Set<string>();
  for (const [intent, templates] of Object.entries(INTENT_TEMPLATES) as [AskIntent, readonly string[]][]) {
    templates.forEach((template, index) => {
      for (let v = 0; v < variants; v++) {
        const cls = pick(CLASS_FILLS);
        let cls2 = pick(CLASS_FILLS);
        if (cls2 === cls) cls2 = CLASS_FILLS[(CLASS_FILLS.indexOf(cls) + 3) % CLASS_FILLS.length];
        const body = template
          .replace('{cls}', cls)
          .replace('{cls2}', cls2)
          .replace('{region}', pick(REGION_FILLS))
          .replace('{when}', pick(WHEN_FILLS));
        const suffix = pick(intent === 'unknown' ? NEUTRAL_SUFFIXES : SUFFIXES);
        let text = `${pick(PREFIXES)}${body}${suffix}`;
        if (rand() < 0.5) text = text.charAt(0).toUpperCase() + text.slice(1);
        const key = text.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ text, intent, template: `${intent}#${index}`, split: isHeldOutTemplate(index) ? 'heldout' : 'train' });
      }
    });
  }
  return out;
}
