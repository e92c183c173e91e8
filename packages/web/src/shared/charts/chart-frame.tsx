/**
 * What every chart of the app shares: the measured width of its box, the series colours
 * (theme tokens, so light and dark both work; each series also has its own dash pattern so
 * colour is never the only cue), the legend, and the figure with its data table (the
 * accessible twin of the picture: screen readers and keyboard users read the numbers).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { cn } from '../lib/cn.ts';

/** Series colours: theme tokens and a few fixed hues that read on both themes. */
export const CHART_COLORS = {
  primary: 'var(--primary)',
  bad: 'var(--destructive)',
  good: 'var(--success)',
  warn: 'var(--warning)',
  violet: 'oklch(0.6 0.17 300)',
  muted: 'var(--muted-foreground)',
} as const;

/** Dash patterns to tell lines apart without colour. */
export const DASHES = ['', '6 3', '2 3', '8 3 2 3'] as const;

/** A chart's outer margins in pixels. */
export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The width of an element, kept up to date with a ResizeObserver; `fallback` until measured. */
export function useElementWidth<T extends HTMLElement>(fallback = 600): [(el: T | null) => void, number] {
  const [width, setWidth] = useState(fallback);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: T | null) => {
    observer.current?.disconnect();
    if (!el) return;
    setWidth(el.clientWidth || fallback);
    observer.current = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w && w > 0) setWidth(Math.round(w));
    });
    observer.current.observe(el);
  }, [fallback]);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, width];
}

/** One legend entry. */
export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  /** A filled square (bars) instead of a line sample. */
  swatch?: 'line' | 'box';
}

/** The legend: a line sample (with the series' dash) or a box per series. */
export function Legend({ items, className }: { items: LegendItem[]; className?: string }) {
  return (
    <ul className={cn('flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground', className)}>
      {items.map((i) => (
        <li key={i.label} className="flex items-center gap-1.5">
          <svg width="20" height="10" aria-hidden="true">
            {i.swatch === 'box' ? (
              <rect x="4" y="0" width="12" height="10" rx="2" fill={i.color} fillOpacity={0.7} />
            ) : (
              <line x1="0" x2="20" y1="5" y2="5" stroke={i.color} strokeWidth="2.5" strokeDasharray={i.dash || undefined} />
            )}
          </svg>
          {i.label}
        </li>
      ))}
    </ul>
  );
}

/** A column of a chart's data table. */
export interface DataColumn {
  label: string;
  values: ReactNode[];
}

/**
 * The chart's data as a table behind a disclosure ("Show the numbers"): rows are the x values,
 * columns the series. Keyboard and screen-reader users get every figure the picture shows.
 */
export function DataTable({ caption, rowHeader, rows, columns }: { caption: string; rowHeader: string; rows: ReactNode[]; columns: DataColumn[] }) {
  return (
    <details className="mt-2 text-xs">
      <summary className="cursor-pointer rounded text-muted-foreground hover:text-foreground">Show the numbers</summary>
      <div className="mt-2 max-h-64 overflow-auto">
        <table className="w-full border-collapse text-left">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="border-b px-2 py-1 font-medium">{rowHeader}</th>
              {columns.map((c) => (
                <th key={c.label} scope="col" className="border-b px-2 py-1 text-right font-medium">{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <th scope="row" className="border-b px-2 py-1 font-normal">{row}</th>
                {columns.map((c) => (
                  <td key={c.label} className="border-b px-2 py-1 text-right tabular-nums">{c.values[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Axis label text style (SVG). */
export const AXIS_TEXT = 'fill-current text-[11px] text-muted-foreground';
