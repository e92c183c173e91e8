/**
 * A reliability diagram: in each confidence bin, how often the model was right (the bars)
 * against how confident it was (the diagonal is perfect calibration; a bar under it is
 * over-confidence). A second series (before temperature scaling) is drawn as a dashed line
 * with points; below, the count of inspections per bin, because a bin of three says little.
 */
import { linearScale, linePath, niceMax, niceTicks } from './chart-math.ts';
import { AXIS_TEXT, CHART_COLORS, DataTable, Legend, useElementWidth } from './chart-frame.tsx';

/** One bin as the server reports it. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

/** Props of {@link ReliabilityDiagram}. */
export interface ReliabilityDiagramProps {
  title: string;
  bins: ReliabilityBin[];
  /** The same bins of another set of probabilities (before scaling), drawn as a line. */
  compare?: ReliabilityBin[] | null;
  label?: string;
  compareLabel?: string;
  height?: number;
}

const M = { top: 22, right: 16, bottom: 38, left: 48 };
const COUNT_H = 44;
const pct = (v: number) => `${Math.round(v * 100)} %`;

/** A reliability diagram; see {@link ReliabilityDiagramProps}. */
export function ReliabilityDiagram({ title, bins, compare, label = 'Served (after scaling)', compareLabel = 'Before scaling', height = 340 }: ReliabilityDiagramProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const plotW = Math.max(60, width - M.left - M.right);
  const plotH = height - M.top - M.bottom - COUNT_H - 14;
  const x = linearScale([0, 1], [M.left, M.left + plotW]);
  const y = linearScale([0, 1], [M.top + plotH, M.top]);
  const cTop = M.top + plotH + 14;
  const cMax = niceMax(Math.max(0, ...bins.map((b) => b.count)), 2);
  const cy = linearScale([0, cMax], [cTop + COUNT_H, cTop]);
  const ticks = niceTicks(0, 1, 5);
  const comparePts = (compare ?? []).map((b) => ({ x: x(b.meanConfidence ?? (b.lower + b.upper) / 2), y: b.accuracy === null ? null : y(b.accuracy) }));
  return (
    <figure className="m-0">
      <div ref={ref} className="w-full">
        <svg role="img" aria-label={`${title}: accuracy against confidence per bin, with the count per bin; the numbers are in the table below.`} width={width} height={height} className="block">
          <text x={M.left - 40} y={12} className={AXIS_TEXT}>accuracy</text>
          {ticks.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={M.left + plotW} y1={y(t)} y2={y(t)} stroke="currentColor" className="text-border" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className={AXIS_TEXT}>{pct(t)}</text>
              <text x={x(t)} y={height - 18} textAnchor="middle" className={AXIS_TEXT}>{pct(t)}</text>
            </g>
          ))}
          {bins.map((b, i) =>
            b.accuracy === null ? null : (
              <g key={i}>
                <rect x={x(b.lower) + 1} y={y(b.accuracy)} width={Math.max(1, x(b.upper) - x(b.lower) - 2)} height={y(0) - y(b.accuracy)} fill={CHART_COLORS.primary} fillOpacity={0.45} stroke={CHART_COLORS.primary} />
                {b.meanConfidence !== null ? (
                  <line x1={x(b.lower) + 1} x2={x(b.upper) - 1} y1={y(b.meanConfidence)} y2={y(b.meanConfidence)} stroke={CHART_COLORS.bad} strokeWidth={2} />
                ) : null}
              </g>
            ),
          )}
          <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="currentColor" className="text-muted-foreground" strokeDasharray="2 3" />
          {compare ? (
            <g>
              <path d={linePath(comparePts)} fill="none" stroke={CHART_COLORS.warn} strokeWidth={2} strokeDasharray="6 3" />
              {comparePts.map((p, i) => (p.y === null ? null : <circle key={i} cx={p.x} cy={p.y} r={3.5} fill={CHART_COLORS.warn} />))}
            </g>
          ) : null}
          <line x1={M.left} x2={M.left + plotW} y1={y(0)} y2={y(0)} stroke="currentColor" className="text-muted-foreground" />
          <text x={M.left - 6} y={cTop + 8} textAnchor="end" className={AXIS_TEXT}>{cMax}</text>
          <text x={M.left - 6} y={cTop + COUNT_H} textAnchor="end" className={AXIS_TEXT}>0</text>
          {bins.map((b, i) => (b.count > 0 ? <rect key={i} x={x(b.lower) + 1} y={cy(b.count)} width={Math.max(1, x(b.upper) - x(b.lower) - 2)} height={cy(0) - cy(b.count)} fill={CHART_COLORS.muted} fillOpacity={0.5} /> : null))}
          <text x={M.left + 4} y={cTop + 8} className={AXIS_TEXT}>inspections per bin</text>
          <text x={M.left + plotW} y={height - 2} textAnchor="end" className={AXIS_TEXT}>confidence of the top class</text>
        </svg>
      </div>
      <figcaption className="sr-only">{title}</figcaption>
      <Legend
        className="mt-1"
        items={[
          { label: `${label}: accuracy`, color: CHART_COLORS.primary, swatch: 'box' },
          { label: `${label}: mean confidence`, color: CHART_COLORS.bad },
          ...(compare ? [{ label: `${compareLabel}: accuracy`, color: CHART_COLORS.warn, dash: '6 3' }] : []),
          { label: 'Perfect calibration', color: CHART_COLORS.muted, dash: '2 3' },
        ]}
      />
      <DataTable
        caption={title}
        rowHeader="Confidence bin"
        rows={bins.map((b) => `${pct(b.lower)} to ${pct(b.upper)}`)}
        columns={[
          { label: 'Inspections', values: bins.map((b) => b.count) },
          { label: 'Mean confidence', values: bins.map((b) => (b.meanConfidence === null ? '\u2013' : `${(b.meanConfidence * 100).toFixed(1)} %`)) },
          { label: 'Accuracy', values: bins.map((b) => (b.accuracy === null ? '\u2013' : `${(b.accuracy * 100).toFixed(1)} %`)) },
          ...(compare ? [{ label: `${compareLabel}: accuracy`, values: compare.map((b) => (b.accuracy === null ? '\u2013' : `${(b.accuracy * 100).toFixed(1)} %`)) }] : []),
        ]}
      />
    </figure>
  );
}
