/** Small formatters shared by pages. */

/** A 0..1 fraction as a percentage, e.g. 0.1234 -> "12.3 %". */
export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? '\u2013' : `${(x * 100).toFixed(digits)} %`;
}

/** A number with a fixed count of decimals, or a dash. */
export function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || Number.isNaN(x) ? '\u2013' : x.toFixed(digits);
}

let dateTimeFormat: Intl.DateTimeFormat | undefined;

/** An ISO time as a short local date and time (one formatter for all calls: a table of rows formats many). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '\u2013';
  const d = new Date(iso);
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}

/** Milliseconds as "850 ms" or "2.4 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '\u2013';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Bytes as "12 KiB", "3.4 MiB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '\u2013';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
