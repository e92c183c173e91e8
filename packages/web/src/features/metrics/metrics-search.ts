/**
 * The dashboard's URL search params (`/dashboard?from=2026-11-01&to=2026-11-30&model=...`):
 * parsed leniently (a bad value is dropped, a reversed range is turned round), defaults
 * resolved (the last 30 days, by day; by week beyond 92 days), and turned into the query of
 * `GET /metrics`. Days are UTC days, as the server buckets them; `to` is inclusive in the URL
 * and exclusive (the next midnight) in the API.
 */

/** Bucket size of the charts. */
export type MetricsGroup = 'day' | 'week';

/** What the URL may hold. */
export interface MetricsSearch {
  from?: string;
  to?: string;
  model?: string;
  version?: string;
  group?: MetricsGroup;
}

/** The search params with the defaults filled in. */
export interface ResolvedMetricsSearch {
  from: string;
  to: string;
  model?: string;
  version?: string;
  group: MetricsGroup;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_DAY = 86_400_000;

/** True for a real calendar day written YYYY-MM-DD. */
export function isDay(s: unknown): s is string {
  if (typeof s !== 'string' || !DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The UTC day of `date` as YYYY-MM-DD. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_DAY));
}

/** Days from `from` to `to`, both counted. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_DAY) + 1;
}

const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : undefined);

/** `validateSearch` of the route: keeps what is valid, drops the rest, swaps a reversed range, drops a version without a model. */
export function parseMetricsSearch(raw: Record<string, unknown>): MetricsSearch {
  const out: MetricsSearch = {};
  let from = isDay(raw.from) ? raw.from : undefined;
  let to = isDay(raw.to) ? raw.to : undefined;
  if (from && to && from > to) [from, to] = [to, from];
  if (from) out.from = from;
  if (to) out.to = to;
  const model = text(raw.model, 200);
  if (model) {
    out.model = model;
    const version = text(raw.version, 100);
    if (version) out.version = version;
  }
  if (raw.group === 'day' || raw.group === 'week') out.group = raw.group;
  return out;
}

/** Fills the defaults: `to` today, `from` 29 days before `to`, by day up to 92 days, else by week. */
export function resolveMetricsSearch(s: MetricsSearch, now = new Date()): ResolvedMetricsSearch {
  const to = s.to ?? (s.from && s.from > dayOf(now) ? s.from : dayOf(now));
  const from = s.from ?? addDays(to, -29);
  const group = s.group ?? (daysBetween(from, to) > 92 ? 'week' : 'day');
  return { from, to, group, ...(s.model ? { model: s.model } : {}), ...(s.model && s.version ? { version: s.version } : {}) };
}

/** The range as the API takes it: from midnight of `from` to midnight after `to` (exclusive), UTC. */
export function apiRange(s: Pick<ResolvedMetricsSearch, 'from' | 'to'>): { from: string; to: string } {
  return { from: `${s.from}T00:00:00.000Z`, to: `${addDays(s.to, 1)}T00:00:00.000Z` };
}

/** The query of `GET /metrics` for the resolved params. */
export function metricsQuery(s: ResolvedMetricsSearch, groupBy: MetricsGroup | 'version' = s.group) {
  return { ...apiRange(s), groupBy, ...(s.model ? { model: s.model } : {}), ...(s.model && s.version ? { version: s.version } : {}) };
}

/** The Monday (UTC) of the week holding `day`. */
export function mondayOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

/** Every bucket key of the range: each day, or each week's Monday, in order (the server omits empty buckets). */
export function bucketKeys(s: Pick<ResolvedMetricsSearch, 'from' | 'to' | 'group'>): string[] {
  const keys: string[] = [];
  const step = s.group === 'week' ? 7 : 1;
  for (let k = s.group === 'week' ? mondayOf(s.from) : s.from; k <= s.to && keys.length < 2000; k = addDays(k, step)) keys.push(k);
  return keys;
}
