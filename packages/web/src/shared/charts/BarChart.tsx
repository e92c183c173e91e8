/**
 * A bar chart over categorical x values. Series are nested, not stacked: each later series is
 * a part of the first (inspections, of which reviewed) and is drawn inside its bar, so the
 * bar's height stays the total.
 */
import { useState } from 'react';
import { bandScale, linearScale, niceMax, niceTicks } from './chart-math.ts';
import { AXIS_TEXT, DataTable, Legend, useElementWidth } from './chart-frame.tsx';

/** One series of bars. */
export interface BarSeries {
  id: string;
  label: string;
  color: string;
  values: number[];
}

/** Props of {@link BarChart}. */
export interface BarChartProps {
  title: string;
  keys: string[];
  /** The total first, then its parts. */
  series: BarSeries[];
  yLabel: string;
  xLabel: string;
  xFormat?: (key: string) => string;
  yFormat?: (v: number) => string;
  height?: number;
}

const M = { top: 28, right: 16, bottom: 34, left: 48 };

/** A bar chart; see {@link BarChartProps}. */
export function BarChart({ title, keys, series, yLabel, xLabel, xFormat = (k) => k, yFormat = (v) => String(v), height = 220 }: BarChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number>(-1);
  const plotW = Math.max(60, width - M.left - M.right);
  const plotH = height - M.top - M.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const y = linearScale([0, max], [M.top + plotH, M.top]);
  const x = bandScale(keys, [M.left, M.left + plotW], 0.25);
  const ticks = niceTicks(0, max, 4).filter((t) => Number.isInteger(t));
  const labelEvery = Math.max(1, Math.ceil((keys.length * 64) / plotW));
  return (
    <figure className="m-0">
      <div ref={ref} className="relative w-full">
        <svg
          role="img"
          aria-label={`${title}. ${series.map((s) => s.label).join(', ')} by ${xLabel.toLowerCase()}; the numbers are in the table below.`}
          width={width}
          height={height}
          className="block touch-pan-y select-none"
          onPointerMove={(e) => {
            const box = e.currentTarget.getBoundingClientRect();
            const k = x.keyAt(e.clientX - box.left);
            setHover(k === undefined ? -1 : keys.indexOf(k));
          }}
          onPointerLeave={() => setHover(-1)}
        >
          <text x={M.left - 40} y={12} className={AXIS_TEXT}>{yLabel}</text>
          {ticks.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={M.left + plotW} y1={y(t)} y2={y(t)} stroke="currentColor" className="text-border" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className={AXIS_TEXT}>{yFormat(t)}</text>
            </g>
          ))}
          {keys.map((k, i) => (
            <g key={k} opacity={hover === -1 || hover === i ? 1 : 0.55}>
              {series.map((s, si) => {
                const inset = si === 0 ? 0 : Math.min(x.bandwidth * 0.2, 4);
                const v = s.values[i] ?? 0;
                return <rect key={s.id} x={x.x(k) + inset} y={y(v)} width={Math.max(1, x.bandwidth - 2 * inset)} height={Math.max(0, y(0) - y(v))} fill={s.color} fillOpacity={si === 0 ? 0.35 : 0.85} rx={1} />;
              })}
              {i % labelEvery === 0 ? <text x={x.center(k)} y={M.top + plotH + 16} textAnchor="middle" className={AXIS_TEXT}>{xFormat(k)}</text> : null}
            </g>
          ))}
          <line x1={M.left} x2={M.left + plotW} y1={y(0)} y2={y(0)} stroke="currentColor" className="text-muted-foreground" />
          <text x={M.left + plotW} y={height - 2} textAnchor="end" className={AXIS_TEXT}>{xLabel}</text>
        </svg>
        {hover >= 0 ? (
          <div aria-hidden="true" className="pointer-events-none absolute z-10 rounded-md border bg-card px-2 py-1 text-xs shadow-md" style={{ left: Math.min(x.center(keys[hover]!) + 8, width - 160), top: M.top }}>
            <p className="font-medium">{xFormat(keys[hover]!)}</p>
            {series.map((s) => (
              <p key={s.id} className="tabular-nums">{s.label}: {yFormat(s.values[hover] ?? 0)}</p>
            ))}
          </div>
        ) : null}
      </div>
      <figcaption className="sr-only">{title}</figcaption>
      <Legend className="mt-1" items={series.map((s, si) => ({ label: s.label, color: s.color, swatch: 'box' as const, ...(si === 0 ? {} : {}) }))} />
      <DataTable caption={title} rowHeader={xLabel} rows={keys.map(xFormat)} columns={series.map((s) => ({ label: s.label, values: s.values.map(yFormat) }))} />
    </figure>
  );
}
