/**
 * A line chart over categorical x values (days, weeks, versions): one line per series,
 * broken where a value is missing (no data is not zero), a dot on every value, y ticks on a
 * fixed or nice domain, a hover guide with the values at the pointer, a legend and the data
 * table.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { bandScale, definedRuns, linearScale, linePath, niceMax, niceTicks } from './chart-math.ts';
import { AXIS_TEXT, DataTable, DASHES, Legend, useElementWidth } from './chart-frame.tsx';

/** One line. */
export interface LineSeries {
  id: string;
  label: string;
  color: string;
  /** One per key; null where there is no value. */
  values: (number | null)[];
  dash?: string;
}

/** Props of {@link LineChart}. */
export interface LineChartProps {
  /** What the chart shows, for the figure's accessible name. */
  title: string;
  keys: string[];
  series: LineSeries[];
  /** Fixed y domain (rates: [0, 1]); default 0 to a nice maximum of the data. */
  yDomain?: [number, number];
  /** Formats a y value for ticks, hover and the table. */
  yFormat?: (v: number) => string;
  /** The y axis' unit or name, drawn above the axis. */
  yLabel: string;
  /** Formats an x key for the axis and the table. */
  xFormat?: (key: string) => string;
  xLabel: string;
  height?: number;
  /** Extra text per key in the hover box and table (e.g. "12 reviewed"). */
  note?: (key: string, index: number) => ReactNode;
  noteLabel?: string;
}

const M = { top: 28, right: 16, bottom: 34, left: 48 };

/** A line chart; see {@link LineChartProps}. */
export function LineChart({ title, keys, series, yDomain, yFormat = (v) => String(v), yLabel, xFormat = (k) => k, xLabel, height = 220, note, noteLabel = 'Note' }: LineChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<string | undefined>();
  const plotW = Math.max(60, width - M.left - M.right);
  const plotH = height - M.top - M.bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const domain: [number, number] = yDomain ?? [0, niceMax(Math.max(0, ...all))];
  const y = linearScale(domain, [M.top + plotH, M.top]);
  const x = bandScale(keys, [M.left, M.left + plotW], 0);
  const ticks = niceTicks(domain[0], domain[1], 4);
  const labelEvery = Math.max(1, Math.ceil((keys.length * 64) / plotW));
  const hi = hover === undefined ? -1 : keys.indexOf(hover);
  return (
    <figure className="m-0">
      <div ref={ref} className="relative w-full">
        <svg
          role="img"
          aria-label={`${title}. ${series.map((s) => s.label).join(', ')} by ${xLabel.toLowerCase()}; the numbers are in the table below.`}
          width={width}
          height={height}
          className="block touch-pan-y select-none overflow-visible"
          onPointerMove={(e) => {
            const box = e.currentTarget.getBoundingClientRect();
            setHover(x.keyAt(e.clientX - box.left));
          }}
          onPointerLeave={() => setHover(undefined)}
        >
          <text x={M.left - 40} y={12} className={AXIS_TEXT}>{yLabel}</text>
          {ticks.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={M.left + plotW} y1={y(t)} y2={y(t)} stroke="currentColor" className="text-border" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className={AXIS_TEXT}>{yFormat(t)}</text>
            </g>
          ))}
          {keys.map((k, i) =>
            i % labelEvery === 0 ? (
              <text key={k} x={x.center(k)} y={M.top + plotH + 16} textAnchor="middle" className={AXIS_TEXT}>{xFormat(k)}</text>
            ) : null,
          )}
          <text x={M.left + plotW} y={height - 2} textAnchor="end" className={AXIS_TEXT}>{xLabel}</text>
          {hi >= 0 ? <line x1={x.center(keys[hi]!)} x2={x.center(keys[hi]!)} y1={M.top} y2={M.top + plotH} stroke="currentColor" className="text-muted-foreground" strokeDasharray="3 3" /> : null}
          {series.map((s, si) => {
            const pts = keys.map((k, i) => ({ x: x.center(k), y: s.values[i] === null || s.values[i] === undefined ? null : y(s.values[i]!) }));
            return (
              <g key={s.id}>
                <path d={linePath(pts)} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash ?? (DASHES[si % DASHES.length] || undefined)} strokeLinejoin="round" />
                {definedRuns(pts).flat().map((p, i) => (
                  <circle key={i} cx={p.x} cy={p.y} r={keys.length > 60 ? 1.5 : 3} fill={s.color} />
                ))}
              </g>
            );
          })}
        </svg>
        {hi >= 0 ? (
          <div
            aria-hidden="true"
            className="pointer-events-none absolute z-10 rounded-md border bg-card px-2 py-1 text-xs shadow-md"
            style={{ left: Math.min(x.center(keys[hi]!) + 8, width - 170), top: M.top }}
          >
            <p className="font-medium">{xFormat(keys[hi]!)}</p>
            {series.map((s) => (
              <p key={s.id} className="tabular-nums">
                <span style={{ color: s.color }}>{'\u25cf'}</span> {s.label}: {s.values[hi] === null || s.values[hi] === undefined ? 'no data' : yFormat(s.values[hi]!)}
              </p>
            ))}
            {note ? <p className="text-muted-foreground">{note(keys[hi]!, hi)}</p> : null}
          </div>
        ) : null}
      </div>
      <figcaption className="sr-only">{title}</figcaption>
      <Legend className="mt-1" items={series.map((s, si) => ({ label: s.label, color: s.color, dash: s.dash ?? DASHES[si % DASHES.length] }))} />
      <DataTable
        caption={title}
        rowHeader={xLabel}
        rows={keys.map(xFormat)}
        columns={[
          ...series.map((s) => ({ label: s.label, values: s.values.map((v) => (v === null || v === undefined ? 'no data' : yFormat(v))) })),
          ...(note ? [{ label: noteLabel, values: keys.map((k, i) => note(k, i)) }] : []),
        ]}
      />
    </figure>
  );
}
