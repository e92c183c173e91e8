/**
 * The model card as people read it: sections of labelled figures instead of raw YAML.
 * Nested objects become dotted labels ("optimizer.kind"), arrays of plain values a comma
 * list, arrays of objects one row each; the per-class metrics become their own table.
 */

/** One labelled figure of a section. */
export interface CardRow {
  label: string;
  value: string;
}

/** A titled group of figures. */
export interface CardSection {
  key: string;
  title: string;
  rows: CardRow[];
}

/** Per-class metrics as a table. */
export interface PerClassRow {
  label: string;
  precision: string;
  recall: string;
  f1: string;
  support: string;
}

/** Sections in display order: card key, title. Keys not listed follow under "Other". */
const SECTIONS: [string, string][] = [
  ['input', 'Input'],
  ['outputs', 'Outputs'],
  ['thresholds', 'Thresholds'],
  ['calibration', 'Calibration'],
  ['metrics', 'Test figures'],
  ['severity', 'Severity rules'],
  ['explain', 'Explanations'],
  ['dataset', 'Dataset'],
  ['training', 'Training'],
];
const OVERVIEW = ['name', 'version', 'task', 'labels', 'goodLabels', 'intendedUse', 'limitations'];

/** A figure as text: numbers to at most 4 decimals, booleans as yes/no, lists joined. */
export function formatFigure(v: unknown): string {
  if (v === null || v === undefined) return '\u2013';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(formatFigure).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Flattens an object to dotted labels; arrays of objects give one row per item ("severity 1"). */
export function flatten(value: unknown, prefix = ''): CardRow[] {
  if (value === null || value === undefined || typeof value !== 'object') return [{ label: prefix || 'value', value: formatFigure(value) }];
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== 'object')) return [{ label: prefix || 'value', value: formatFigure(value) }];
    return value.map((item, i) => ({
      label: `${prefix ? `${prefix} ` : ''}${i + 1}`,
      value:
        item && typeof item === 'object'
          ? Object.entries(item as Record<string, unknown>)
              .map(([k, x]) => `${k} ${formatFigure(x)}`)
              .join(', ')
          : formatFigure(item),
    }));
  }
  const rows: CardRow[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const label = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) rows.push(...flatten(v, label));
    else rows.push(...flatten(v, label));
  }
  return rows;
}

/** The card's sections: an overview first, then the known sections, then anything else. */
export function cardSections(card: Record<string, unknown>): CardSection[] {
  const sections: CardSection[] = [];
  const overview = OVERVIEW.filter((k) => card[k] !== undefined).map((k) => ({ label: k, value: k === 'limitations' && Array.isArray(card[k]) ? (card[k] as unknown[]).map(String).join(' ') : formatFigure(card[k]) }));
  if (overview.length) sections.push({ key: 'overview', title: 'Overview', rows: overview });
  const known = new Set([...OVERVIEW, ...SECTIONS.map(([k]) => k)]);
  for (const [key, title] of SECTIONS) {
    const v = card[key];
    if (v === undefined || v === null) continue;
    const source = key === 'metrics' && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => k !== 'perClass')) : v;
    const rows = key === 'severity' && Array.isArray(v) ? severityRows(v) : flatten(source);
    if (rows.length) sections.push({ key, title, rows });
  }
  const rest = Object.entries(card).filter(([k]) => !known.has(k));
  if (rest.length) sections.push({ key: 'other', title: 'Other', rows: rest.flatMap(([k, v]) => flatten(v, k)) });
  return sections;
}

function severityRows(rules: unknown[]): CardRow[] {
  return rules.map((r, i) => {
    const rule = (r ?? {}) as Record<string, unknown>;
    const conditions = Object.entries(rule)
      .filter(([k]) => k !== 'severity')
      .map(([k, x]) => `${k} \u2265 ${formatFigure(x)}`);
    return { label: String(rule.severity ?? `rule ${i + 1}`), value: conditions.length ? conditions.join(', ') : 'otherwise' };
  });
}

/** The card's `metrics.perClass` as table rows (empty when the card has none). */
export function perClassRows(card: Record<string, unknown>): PerClassRow[] {
  const metrics = card.metrics as { perClass?: Record<string, Record<string, unknown>> } | undefined;
  return Object.entries(metrics?.perClass ?? {}).map(([label, m]) => ({
    label,
    precision: formatFigure(m.precision),
    recall: formatFigure(m.recall),
    f1: formatFigure(m.f1),
    support: formatFigure(m.support),
  }));
}

/** A headline figure of a version's card for the versions table: `metrics.accuracy` etc. */
export function cardFigure(card: Record<string, unknown>, path: string): number | undefined {
  let v: unknown = card;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'number' ? v : undefined;
}
