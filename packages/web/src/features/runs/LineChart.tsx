import { useId } from 'react';
import { extent, linearScale, linePath, niceTicks, thinTicks } from './line-chart.ts';
import type { ChartPoint } from './line-chart.ts';

/** One line of a {@link LineChart}. */
export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** A CSS colour; Tailwind theme variables work (`var(--color-primary)`). */
  color: string;
  dashed?: boolean;
}

/**
 * A small responsive SVG line chart with axes, ticks, a legend and a text summary for
 * screen readers (the SVG itself is described by `summary`).
 */
export function LineChart({
  series,
  title,
  summary,
  xLabel,
  yDomain,
  yFormat = (v) => String(v),
  xFormat = (v) => String(v),
  height = 200,
  yTicks,
  integerX = false,
}: {
  series: ChartSeries[];
  title: string;
  summary: string;
  xLabel?: string;
  yDomain?: [number, number];
  yFormat?: (v: number) => string;
  xFormat?: (v: number) => string;
  height?: number;
  yTicks?: number[];
  /** Only whole-number ticks on the x axis (epochs). */
  integerX?: boolean;
}) {
  const id = useId();
  const width = 560;
  const m = { top: 10, right: 12, bottom: xLabel ? 34 : 22, left: 48 };
  const [x0, x1] = extent(series.map((s) => s.points), 'x', [0, 1]);
  const yExt = yDomain ?? extent(series.map((s) => s.points), 'y', [0, 1]);
  const ticksY = yTicks ?? niceTicks(yExt[0], yExt[1], 4);
  const y0 = Math.min(yExt[0], ticksY[0] ?? yExt[0]);
  const y1 = Math.max(yExt[1], ticksY[ticksY.length - 1] ?? yExt[1]);
  const x = linearScale([x0, x1], [m.left, width - m.right]);
  const y = linearScale([y0, y1 === y0 ? y0 + 1 : y1], [height - m.bottom, m.top]);
  const ticksX = x0 === x1 ? [x0] : thinTicks(niceTicks(x0, x1, 6).filter((t) => t >= x0 && t <= x1 && (!integerX || Number.isInteger(t))), 5, xFormat);
  return (
    <figure className="flex flex-col gap-1">
      <figcaption id={`${id}-t`} className="text-sm font-medium">
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto w-full overflow-visible text-muted-foreground" role="img" aria-labelledby={`${id}-t ${id}-s`}>
        {ticksY.map((t) => (
          <g key={`y${t}`}>
            <line x1={m.left} x2={width - m.right} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.15} />
            <text x={m.left - 6} y={y(t)} dy="0.32em" textAnchor="end" fontSize={11} fill="currentColor">
              {yFormat(t)}
            </text>
          </g>
        ))}
        {ticksX.map((t) => (
          <text key={`x${t}`} x={x(t)} y={height - m.bottom + 14} textAnchor="middle" fontSize={11} fill="currentColor">
            {xFormat(t)}
          </text>
        ))}
        {xLabel ? (
          <text x={(m.left + width - m.right) / 2} y={height - 4} textAnchor="middle" fontSize={11} fill="currentColor">
            {xLabel}
          </text>
        ) : null}
        <line x1={m.left} x2={width - m.right} y1={height - m.bottom} y2={height - m.bottom} stroke="currentColor" strokeOpacity={0.4} />
        {series.map((s) => (
          <g key={s.name}>
            <path d={linePath(s.points, x, y)} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? '5 4' : undefined} strokeLinejoin="round" />
            {s.points.length <= 60
              ? s.points.map((p) => (p.y === null ? null : <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={2.5} fill={s.color} />))
              : null}
          </g>
        ))}
      </svg>
      <p id={`${id}-s`} className="sr-only">
        {summary}
      </p>
      <ul className="flex flex-wrap gap-4 text-xs text-muted-foreground" aria-hidden="true">
        {series.map((s) => (
          <li key={s.name} className="flex items-center gap-1.5">
            <svg width="18" height="6">
              <line x1="0" x2="18" y1="3" y2="3" stroke={s.color} strokeWidth={2} strokeDasharray={s.dashed ? '4 3' : undefined} />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
