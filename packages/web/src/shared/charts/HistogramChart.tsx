/**
 * Overlaid histograms of a score (good and defective parts) with a draggable threshold:
 * parts scoring at or above it are rejected (the shaded side). The threshold is a slider
 * (`role="slider"`, arrow keys move it one step, Shift or Page Up/Down ten, Home and End to
 * the ends) and follows the pointer when the plot is pressed or the handle dragged.
 */
import { useRef } from 'react';
import type { PointerEvent as ReactPointerEvent } from 'react';
import { histogramBars, linearScale, niceMax, niceTicks, thresholdAfterKey, thresholdAtPointer } from './chart-math.ts';
import { AXIS_TEXT, DataTable, Legend, useElementWidth } from './chart-frame.tsx';

/** One histogram. */
export interface HistogramSeries {
  id: string;
  label: string;
  color: string;
  counts: number[];
}

/** A labelled mark on the x axis (the current threshold, a suggestion). */
export interface HistogramMarker {
  value: number;
  label: string;
  color: string;
}

/** Props of {@link HistogramChart}. */
export interface HistogramChartProps {
  title: string;
  /** Bin edges, one more than each series' counts. */
  edges: number[];
  series: HistogramSeries[];
  threshold: number;
  onThresholdChange: (t: number) => void;
  /** The slider's accessible name. */
  thresholdLabel: string;
  step?: number;
  xLabel: string;
  yLabel: string;
  markers?: HistogramMarker[];
  height?: number;
}

const M = { top: 30, right: 20, bottom: 38, left: 48 };

/** A histogram with a threshold handle; see {@link HistogramChartProps}. */
export function HistogramChart({ title, edges, series, threshold, onThresholdChange, thresholdLabel, step = 0.01, xLabel, yLabel, markers = [], height = 260 }: HistogramChartProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const dragging = useRef(false);
  const handle = useRef<HTMLDivElement>(null);
  const plotW = Math.max(60, width - M.left - M.right);
  const plotH = height - M.top - M.bottom;
  const lo = edges[0] ?? 0;
  const hi = edges[edges.length - 1] ?? 1;
  const x = linearScale([lo, hi], [M.left, M.left + plotW]);
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.counts)));
  const y = linearScale([0, max], [M.top + plotH, M.top]);
  const yTicks = niceTicks(0, max, 4).filter((t) => Number.isInteger(t));
  const xTicks = niceTicks(lo, hi, Math.max(2, Math.min(10, Math.floor(plotW / 60))));
  const tx = x(threshold);
  const fmt = (v: number) => v.toFixed(step < 0.01 ? 3 : 2);

  const move = (e: ReactPointerEvent<Element>) => {
    const box = (e.currentTarget as Element).closest('[data-hist]')!.getBoundingClientRect();
    onThresholdChange(thresholdAtPointer(e.clientX - box.left, x, step));
  };
  const pointer = {
    onPointerDown: (e: ReactPointerEvent<Element>) => {
      if (e.button !== 0) return;
      dragging.current = true;
      (e.currentTarget as Element).setPointerCapture(e.pointerId);
      move(e);
      handle.current?.focus({ preventScroll: true });
    },
    onPointerMove: (e: ReactPointerEvent<Element>) => {
      if (dragging.current) move(e);
    },
    onPointerUp: (e: ReactPointerEvent<Element>) => {
      dragging.current = false;
      (e.currentTarget as Element).releasePointerCapture(e.pointerId);
    },
    onPointerCancel: () => (dragging.current = false),
  };

  return (
    <figure className="m-0">
      <div ref={ref} data-hist className="relative w-full">
        <svg role="img" aria-label={`${title}; the counts are in the table below.`} width={width} height={height} className="block cursor-ew-resize touch-none select-none" {...pointer}>
          <text x={M.left - 40} y={12} className={AXIS_TEXT}>{yLabel}</text>
          <rect x={tx} y={M.top} width={Math.max(0, M.left + plotW - tx)} height={plotH} fill="var(--destructive)" fillOpacity={0.07} />
          {yTicks.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={M.left + plotW} y1={y(t)} y2={y(t)} stroke="currentColor" className="text-border" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className={AXIS_TEXT}>{t}</text>
            </g>
          ))}
          {series.map((s) =>
            histogramBars(edges, s.counts, x, y).map((b, i) =>
              b.count > 0 ? <rect key={`${s.id}${i}`} x={b.x + 0.5} y={b.y} width={Math.max(0.5, b.width - 1)} height={b.height} fill={s.color} fillOpacity={0.5} stroke={s.color} strokeWidth={1} /> : null,
            ),
          )}
          <line x1={M.left} x2={M.left + plotW} y1={y(0)} y2={y(0)} stroke="currentColor" className="text-muted-foreground" />
          {xTicks.map((t) => (
            <text key={t} x={x(t)} y={M.top + plotH + 16} textAnchor="middle" className={AXIS_TEXT}>{t}</text>
          ))}
          <text x={M.left + plotW} y={height - 2} textAnchor="end" className={AXIS_TEXT}>{xLabel}</text>
          {markers.map((m) => (
            <g key={m.label}>
              <line x1={x(m.value)} x2={x(m.value)} y1={M.top} y2={M.top + plotH} stroke={m.color} strokeWidth={1.5} strokeDasharray="4 3" />
              <path d={`M${x(m.value) - 5},${M.top + plotH + 6}l5,-6l5,6z`} fill={m.color} />
            </g>
          ))}
          <line x1={tx} x2={tx} y1={M.top - 6} y2={M.top + plotH} stroke="currentColor" strokeWidth={2.5} className="text-foreground" />
          <text x={Math.min(tx + 6, M.left + plotW - 90)} y={M.top - 10} className="fill-current text-[11px] font-semibold text-foreground">reject {'\u2265'} {fmt(threshold)}</text>
        </svg>
        <div
          ref={handle}
          role="slider"
          tabIndex={0}
          aria-label={thresholdLabel}
          aria-valuemin={lo}
          aria-valuemax={hi}
          aria-valuenow={threshold}
          aria-valuetext={`reject at a score of ${fmt(threshold)} or more`}
          aria-orientation="horizontal"
          className="absolute flex w-6 -translate-x-1/2 cursor-ew-resize touch-none items-start justify-center rounded-sm focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring"
          style={{ left: tx, top: M.top - 8, height: plotH + 8 }}
          onKeyDown={(e) => {
            const next = thresholdAfterKey(threshold, e.key, { min: lo, max: hi, step, shift: e.shiftKey });
            if (next === undefined) return;
            e.preventDefault();
            onThresholdChange(next);
          }}
          {...pointer}
        >
          <span aria-hidden="true" className="mt-0 block h-4 w-3 rounded-sm border-2 border-foreground bg-background" />
        </div>
      </div>
      <figcaption className="sr-only">{title}</figcaption>
      <Legend
        className="mt-1"
        items={[
          ...series.map((s) => ({ label: s.label, color: s.color, swatch: 'box' as const })),
          ...markers.map((m) => ({ label: m.label, color: m.color, dash: '4 3' })),
          { label: 'Rejected side (score at or above the threshold)', color: 'var(--destructive)', swatch: 'box' as const },
        ]}
      />
      <DataTable
        caption={title}
        rowHeader={xLabel}
        rows={edges.slice(0, -1).map((e, i) => `${fmt(e)} to ${fmt(edges[i + 1]!)}`)}
        columns={series.map((s) => ({ label: s.label, values: s.counts }))}
      />
    </figure>
  );
}
