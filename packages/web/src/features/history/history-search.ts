/**
 * History's filters as URL search params (so a filtered view can be bookmarked and shared):
 * parsing untrusted search params into typed filters, and mapping them onto the query of
 * `GET /inspections`, which applies every filter and the sort on the server (review filters
 * and outcomes against each inspection's current review), so they hold across all pages.
 */

/** Sort orders of the list (URL values; {@link API_SORT} maps them onto the API's). */
export const SORTS = ['newest', 'score-desc', 'score-asc', 'uncertainty-desc'] as const;
/** A sort order. */
export type Sort = (typeof SORTS)[number];

/** Ground-truth outcomes to filter on (quick filters). */
export const OUTCOME_FILTERS = ['false-positive', 'false-negative', 'wrong-class', 'correct', 'unreviewed'] as const;
/** An outcome filter. */
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

/** History's search params. All optional: an empty object is the unfiltered newest-first list. */
export interface HistorySearch {
  /** Created on or after this day (`YYYY-MM-DD`, local time). */
  from?: string;
  /** Created on or before this day (`YYYY-MM-DD`, local time). */
  to?: string;
  /** Model name. */
  model?: string;
  /** Model version id (uuid). */
  version?: string;
  verdict?: 'pass' | 'reject';
  /** Image label or the label of any finding. */
  class?: string;
  referred?: boolean;
  reviewed?: boolean;
  /** Reviewer subject (exact), as the current review names them. */
  reviewer?: string;
  outcome?: OutcomeFilter;
  sort?: Sort;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function str(v: unknown, max = 200): string | undefined {
  if (typeof v === 'number') v = String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t && t.length <= max ? t : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === '1' || v === 'yes') return true;
  if (v === false || v === 'false' || v === '0' || v === 'no') return false;
  return undefined;
}

function oneOf<T extends string>(v: unknown, all: readonly T[]): T | undefined {
  return typeof v === 'string' && (all as readonly string[]).includes(v) ? (v as T) : undefined;
}

function day(v: unknown): string | undefined {
  const s = str(v, 10);
  return s && DAY.test(s) && !Number.isNaN(new Date(`${s}T00:00:00`).getTime()) ? s : undefined;
}

/** Parses raw search params (from the URL: anything) into typed filters, dropping what is not valid. */
export function parseHistorySearch(raw: Record<string, unknown>): HistorySearch {
  const out: HistorySearch = {
    from: day(raw.from),
    to: day(raw.to),
    model: str(raw.model),
    version: typeof raw.version === 'string' && UUID.test(raw.version) ? raw.version : undefined,
    verdict: oneOf(raw.verdict, ['pass', 'reject'] as const),
    class: str(raw.class),
    referred: bool(raw.referred),
    reviewed: bool(raw.reviewed),
    reviewer: str(raw.reviewer),
    outcome: oneOf(raw.outcome, OUTCOME_FILTERS),
    sort: oneOf(raw.sort, SORTS),
  };
  if (out.sort === 'newest') out.sort = undefined;
  // The unreviewed outcome already says not reviewed; reviewed=yes with it cannot match.
  if (out.outcome === 'unreviewed') out.reviewed = undefined;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as HistorySearch;
}

/** How the API names each sort. */
export const API_SORT: Record<Sort, 'newest' | 'score' | '-score' | 'uncertainty'> = {
  newest: 'newest',
  'score-desc': '-score',
  'score-asc': 'score',
  'uncertainty-desc': 'uncertainty',
};

/** How the API names each reviewed outcome (`unreviewed` is `reviewed=false`). */
export const API_OUTCOME: Record<Exclude<OutcomeFilter, 'unreviewed'>, 'fp' | 'fn' | 'wrongClass' | 'correct'> = {
  'false-positive': 'fp',
  'false-negative': 'fn',
  'wrong-class': 'wrongClass',
  correct: 'correct',
};

/** The query of `GET /inspections` (filters and sort; the page adds limit and cursor). */
export interface InspectionListQuery {
  from?: string;
  to?: string;
  model?: string;
  version?: string;
  verdict?: 'pass' | 'reject';
  class?: string;
  referred?: boolean;
  reviewed?: boolean;
  reviewer?: string;
  outcome?: (typeof API_OUTCOME)[keyof typeof API_OUTCOME];
  sort?: (typeof API_SORT)[Sort];
}

/** Maps filters onto `GET /inspections`'s query: local days become ISO instants (`to` includes its whole day). */
export function toListQuery(s: HistorySearch): InspectionListQuery {
  const q: InspectionListQuery = {};
  if (s.from) q.from = new Date(`${s.from}T00:00:00`).toISOString();
  if (s.to) {
    const end = new Date(`${s.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    q.to = end.toISOString();
  }
  if (s.model) q.model = s.model;
  if (s.version) q.version = s.version;
  if (s.verdict) q.verdict = s.verdict;
  if (s.class) q.class = s.class;
  if (s.referred !== undefined) q.referred = s.referred;
  if (s.reviewed !== undefined) q.reviewed = s.reviewed;
  if (s.reviewer) q.reviewer = s.reviewer;
  if (s.outcome === 'unreviewed') q.reviewed = false;
  else if (s.outcome) q.outcome = API_OUTCOME[s.outcome];
  if (s.sort && s.sort !== 'newest') q.sort = API_SORT[s.sort];
  return q;
}

/** How many filters are set (sort not counted). */
export function activeFilterCount(s: HistorySearch): number {
  return Object.entries(s).filter(([k, v]) => k !== 'sort' && v !== undefined).length;
}
