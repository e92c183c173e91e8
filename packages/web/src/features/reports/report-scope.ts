/** What a stored report covers, in words, for the Reports page. */
import type { components } from '@xai-qc/client';

/** A report's filters as the API returns them. */
export type ReportFilters = components['schemas']['Report']['filters'];

/** What a report covers, in words: "surface-classifier@1.0.0, 1 Nov 2026 to 30 Nov 2026". */
export function reportScope(f: ReportFilters): string {
  const parts: string[] = [];
  parts.push(f.model ? `${f.model}${f.version ? `@${f.version}` : ''}` : 'all models');
  const day = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  // `to` is exclusive: the last day covered is the day before
  const lastDay = (iso: string) => day(new Date(Date.parse(iso) - 1).toISOString());
  if (f.from && f.to) parts.push(`${day(f.from)} to ${lastDay(f.to)}`);
  else if (f.from) parts.push(`from ${day(f.from)}`);
  else if (f.to) parts.push(`until ${lastDay(f.to)}`);
  else parts.push('all time');
  if (f.inspectionIds) parts.push(`${f.inspectionIds.length} chosen inspections`);
  return parts.join(', ');
}

