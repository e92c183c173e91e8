/**
 * Slots of a question beyond its intent: class names of the model, image regions and a
 * date range. Rules, not learnt: a class or a date either is in the words or is not.
 */
import { normaliseText } from './text-features.ts';
import type { ImageRegion, QuestionSlots } from './types.ts';

/**
 * Spoken forms that name a class besides its own name, its plural and its spelling with
 * spaces for underscores; keyed by the class name with spaces. A synonym applies only when
 * the model has that class.
 */
export const CLASS_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  porosity: ['porous', 'pore', 'pores', 'gas pore', 'gas pores', 'blowhole', 'blowholes', 'gas pocket', 'gas pockets'],
  hole: ['pit', 'pits', 'pinhole', 'pinholes', 'perforation', 'perforations'],
  crack: ['cracked', 'cracking', 'fissure', 'fissures', 'fracture', 'fractures'],
  scratch: ['scratched', 'scuff', 'scuffs', 'scuffed', 'score mark', 'score marks'],
  spot: ['stain', 'stains', 'speck', 'specks', 'blotch', 'blotches', 'stained'],
  'lack of fusion': ['lof', 'incomplete fusion', 'unfused', 'fusion defect', 'fusion defects', 'cold lap', 'cold laps'],
  defect: ['defective', 'defects', 'flaw', 'flaws', 'faulty'],
  anomaly: ['anomalous', 'anomalies', 'abnormal', 'abnormality'],
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Words a label may be spoken as: itself with spaces, plurals, synonyms. */
export function spokenForms(label: string): string[] {
  const spoken = label.toLowerCase().replace(/[_-]+/g, ' ').trim();
  const forms = new Set([spoken, `${spoken}s`, `${spoken}es`]);
  if (spoken.endsWith('y')) forms.add(`${spoken.slice(0, -1)}ies`);
  for (const s of CLASS_SYNONYMS[spoken] ?? []) forms.add(s);
  return [...forms];
}

/**
 * The model's labels named in `text`, as the model spells them, in order of first mention.
 * Matching is on whole words after lower-casing, with underscores and hyphens as spaces.
 */
export function matchClassNames(text: string, labels: readonly string[]): string[] {
  const t = ` ${normaliseText(text).replace(/[_-]+/g, ' ')} `;
  const hits: { label: string; at: number; len: number }[] = [];
  for (const label of labels) {
    for (const form of spokenForms(label)) {
      const re = new RegExp(`(?<=[^a-z0-9])${escapeRegExp(form)}(?=[^a-z0-9])`, 'g');
      for (const m of t.matchAll(re)) hits.push({ label, at: m.index, len: form.length });
    }
  }
  // A longer phrase wins where two overlap ("lack of fusion" over a label "fusion").
  hits.sort((a, b) => a.at - b.at || b.len - a.len);
  const out: string[] = [];
  let end = -1;
  for (const h of hits) {
    if (h.at < end) continue;
    end = h.at + h.len;
    if (!out.includes(h.label)) out.push(h.label);
  }
  return out;
}

/** Region phrases, compounds first: each match is blanked before the next pattern runs. */
const REGION_PATTERNS: readonly [ImageRegion, RegExp][] = [
  ['upper left', /\b(?:upper|top) ?left\b|\bleft ?(?:upper|top)\b|\bnorth ?west\b/g],
  ['upper right', /\b(?:upper|top) ?right\b|\bright ?(?:upper|top)\b|\bnorth ?east\b/g],
  ['lower left', /\b(?:lower|bottom) ?left\b|\bleft ?(?:lower|bottom)\b|\bsouth ?west\b/g],
  ['lower right', /\b(?:lower|bottom) ?right\b|\bright ?(?:lower|bottom)\b|\bsouth ?east\b/g],
  ['centre', /\b(?:centre|center|middle|central)\b/g],
  ['top', /\btop\b(?! (?:prediction|class|label|score|1|one|3|three|5|five))|\bupper (?:part|half|side|area|region|edge)\b/g],
  ['bottom', /\bbottom\b|\blower (?:part|half|side|area|region|edge)\b/g],
  ['left', /\bleft\b/g],
  ['right', /\b(?:on|to|at|in) the right\b|\bright (?:side|half|part|edge|hand|corner|border)\b/g],
  ['edge', /\b(?:edge|edges|border|borders|rim|margin|margins|periphery|boundary)\b/g],
];

/**
 * Regions named in `text`, each once, in the order they appear (compound names win over
 * their parts). Sentences and clauses are matched apart, so that no pattern reads across
 * punctuation ("at the top. One more finding" is the top, not "top one").
 */
export function matchRegions(text: string): ImageRegion[] {
  const hits: { region: ImageRegion; at: number }[] = [];
  let offset = 0;
  for (const clause of text.split(/[.!?;:,()]+(?:\s|$)/)) {
    let t = normaliseText(clause).replace(/[_-]+/g, ' ');
    for (const [region, re] of REGION_PATTERNS) {
      t = t.replace(re, (m: string, ...rest: unknown[]) => {
        hits.push({ region, at: offset + (rest.find((x): x is number => typeof x === 'number') ?? 0) });
        return ' '.repeat(m.length);
      });
    }
    offset += t.length + 1;
  }
  const out: ImageRegion[] = [];
  for (const h of hits.sort((a, b) => a.at - b.at)) if (!out.includes(h.region)) out.push(h.region);
  return out;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAY_MS = 86_400_000;

function utcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The most recent `weekday` (0 = Sunday) on or before `today` (UTC midnight, ms). */
function lastWeekday(today: number, weekday: number): number {
  const dow = new Date(today).getUTCDay();
  return today - ((dow - weekday + 7) % 7) * DAY_MS;
}

/** The most recent month `m` (0-based) not after today's month: [first day, last day]. */
function lastMonth(today: number, m: number): [number, number] {
  const d = new Date(today);
  const year = m > d.getUTCMonth() ? d.getUTCFullYear() - 1 : d.getUTCFullYear();
  return [Date.UTC(year, m, 1), Date.UTC(year, m + 1, 1) - DAY_MS];
}

function validIso(y: number, m: number, d: number): number | undefined {
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? ms : undefined;
}

/**
 * A date range named in `text`, inclusive UTC days, relative to `now`: "today",
 * "yesterday", "this week" / "last week" (weeks start on Monday), "this month" / "last
 * month", "in November" / "since November" (the most recent November not in the future),
 * "since Monday" / "on Monday" (the most recent Monday on or before today), "last 7 days"
 * (7 days ending today), ISO dates ("on 2026-11-03", "since 2026-11-01", "from 2026-11-01
 * to 2026-11-15"). A range never ends after today. Undefined when none is named.
 */
export function parseDateRange(text: string, now: Date): { dateFrom: string; dateTo: string } | undefined {
  const t = normaliseText(text.replace(/(\d{4})-(\d{2})-(\d{2})/g, ' d$1$2$3 '));
  const today = utcDay(now);
  const range = (from: number, to: number) => ({ dateFrom: iso(from), dateTo: iso(Math.min(to, today)) });
  const isoDates = [...t.matchAll(/\bd(\d{4})(\d{2})(\d{2})\b/g)]
    .map((m) => ({ ms: validIso(Number(m[1]), Number(m[2]), Number(m[3])), at: m.index }))
    .filter((d): d is { ms: number; at: number } => d.ms !== undefined);
  if (isoDates.length >= 2) {
    const [a, b] = [isoDates[0].ms, isoDates[1].ms].sort((x, y) => x - y);
    return range(a, b);
  }
  if (isoDates.length === 1) {
    const before = t.slice(0, isoDates[0].at);
    if (/\b(?:since|after|from)\s*$/.test(before)) return range(isoDates[0].ms, today);
    if (/\b(?:before|until|till|up to)\s*$/.test(before)) return { dateFrom: '1970-01-01', dateTo: iso(isoDates[0].ms) };
    return range(isoDates[0].ms, isoDates[0].ms);
  }
  if (/\btoday\b/.test(t)) return range(today, today);
  if (/\byesterday\b/.test(t)) return range(today - DAY_MS, today - DAY_MS);
  const days = /\b(?:last|past|previous) (\d{1,3}) days?\b/.exec(t);
  if (days) return range(today - (Number(days[1]) - 1) * DAY_MS, today);
  const monday = lastWeekday(today, 1);
  if (/\bthis week\b/.test(t)) return range(monday, today);
  if (/\b(?:last|previous|past) week\b/.test(t)) return range(monday - 7 * DAY_MS, monday - DAY_MS);
  const d = new Date(today);
  if (/\bthis month\b/.test(t)) return range(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), today);
  if (/\b(?:last|previous|past) month\b/.test(t)) return range(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - DAY_MS);
  const wd = new RegExp(`\\b(since|on|last|from)? ?(${WEEKDAYS.join('|')})\\b`).exec(t);
  if (wd) {
    const day = lastWeekday(today, WEEKDAYS.indexOf(wd[2]));
    return wd[1] === 'since' || wd[1] === 'from' ? range(day, today) : range(day, day);
  }
  // "may" alone is too often a verb: only "in may" / "since may" name the month.
  const mo = new RegExp(`\\b(since|in|during|from|of|last)? ?(${MONTHS.join('|')})\\b`).exec(t);
  if (mo && (mo[2] !== 'may' || mo[1])) {
    const [from, to] = lastMonth(today, MONTHS.indexOf(mo[2]));
    return mo[1] === 'since' || mo[1] === 'from' ? range(from, today) : range(from, to);
  }
  return undefined;
}

/** All slots of a question. */
export function parseSlots(text: string, labels: readonly string[], now: Date): QuestionSlots {
  const slots: QuestionSlots = { classNames: matchClassNames(text, labels), regions: matchRegions(text) };
  const dates = parseDateRange(text, now);
  if (dates) Object.assign(slots, dates);
  return slots;
}
