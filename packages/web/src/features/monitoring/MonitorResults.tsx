import { useQuery } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { dateTime, num, percent } from '../../shared/lib/format.ts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { api } from '../../app/api.ts';
import { LineChart } from '../runs/LineChart.tsx';
import { LevelBadge } from './LevelBadge.tsx';
import { levelValue } from './monitoring.ts';

type Monitor = components['schemas']['Monitor'];
type MonitorResult = components['schemas']['MonitorResult'];
type Figures = NonNullable<MonitorResult['performance']['estimated']>;

const LEVEL_NAMES = ['none', 'possible', 'drift'];
/** A time-axis label: the time of day when the results span under two days, else the date. */
function timeLabel(spanMs: number): (ms: number) => string {
  return spanMs < 2 * 86_400_000
    ? (ms) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : (ms) => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** A monitor's results: the level over time, the latest signals, and realised against estimated performance. */
export function MonitorResults({ monitor }: { monitor: Monitor }) {
  const results = useQuery({
    queryKey: ['monitor-results', monitor.id],
    queryFn: () => data(api.GET('/api/xai-qc/monitors/{id}/results', { params: { path: { id: monitor.id }, query: { limit: 200 } } })),
  });
  const items: MonitorResult[] = results.data?.items ?? [];
  const chrono = [...items].reverse();
  const latest = items[0];
  const shortDate = timeLabel(chrono.length > 1 ? Date.parse(chrono[chrono.length - 1]!.computedAt) - Date.parse(chrono[0]!.computedAt) : 0);
  const points = (f: (r: MonitorResult) => number | null | undefined) => chrono.map((r) => ({ x: Date.parse(r.computedAt), y: f(r) ?? null }));

  return (
    <Card aria-labelledby="results-title">
      <CardHeader>
        <CardTitle id="results-title">Results of {monitor.name}</CardTitle>
        <CardDescription>
          {monitor.model.name} {monitor.model.version}; newest first. Levels: no drift, possible drift (a test is significant), drift (strong evidence).
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {results.error ? <ErrorMessage error={results.error} /> : null}
        {results.isPending ? <Skeleton className="h-48 w-full" /> : null}
        {!results.isPending && !results.error && items.length === 0 ? (
          <EmptyState title="No results yet">
            The monitor stores a result at each run. Use Run now, or wait for its schedule; both windows need inspections of {monitor.model.name} {monitor.model.version}.
          </EmptyState>
        ) : null}
        {items.length ? (
          <div className="grid gap-6 lg:grid-cols-2">
            <LineChart
              title="Drift level over time"
              series={[{ name: 'level (0 none, 1 possible, 2 drift)', color: 'var(--color-destructive)', points: points((r) => levelValue(r.level)) }]}
              yDomain={[0, 2]}
              yTicks={[0, 1, 2]}
              yFormat={(v) => LEVEL_NAMES[v] ?? String(v)}
              xFormat={shortDate}
              summary={`${items.length} results; the latest is ${latest?.level}. ${items.filter((r) => r.level === 'drift').length} drift and ${items.filter((r) => r.level === 'possible').length} possible.`}
            />
            <LineChart
              title="Accuracy: realised and estimated"
              series={[
                { name: 'realised (reviews)', color: 'var(--color-success)', points: points((r) => r.performance.realised?.accuracy) },
                { name: 'estimated (CBPE)', color: 'var(--color-primary)', dashed: true, points: points((r) => r.performance.estimated?.accuracy) },
              ]}
              yDomain={[0, 1]}
              yFormat={(v) => percent(v, 0)}
              xFormat={shortDate}
              summary={`Latest estimated accuracy ${percent(latest?.performance.estimated?.accuracy)}, realised ${percent(latest?.performance.realised?.accuracy)}.`}
            />
          </div>
        ) : null}
        {latest ? <Latest result={latest} /> : null}
        {items.length > 1 ? (
          <div>
            <h3 className="mb-1 text-sm font-semibold">All results</h3>
            <Table aria-label="Results">
              <thead>
                <tr>
                  <Th>Computed</Th>
                  <Th>Level</Th>
                  <Th>Signals drifting</Th>
                  <Th className="text-right">Reference</Th>
                  <Th className="text-right">Current</Th>
                  <Th className="text-right">Reviewed</Th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <Td className="whitespace-nowrap">{dateTime(r.computedAt)}</Td>
                    <Td>
                      <LevelBadge level={r.level} />
                    </Td>
                    <Td>
                      {r.signals
                        .filter((s) => s.level !== 'none')
                        .map((s) => s.signal)
                        .join(', ') || '\u2013'}
                    </Td>
                    <Td className="text-right tabular-nums">{r.reference.count}</Td>
                    <Td className="text-right tabular-nums">{r.current.count}</Td>
                    <Td className="text-right tabular-nums">{r.performance.reviewed}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function Latest({ result }: { result: MonitorResult }) {
  const p = result.performance;
  const rows: [string, keyof Figures, boolean][] = [
    ['Accuracy', 'accuracy', true],
    ['Escape rate', 'escapeRate', false],
    ['False-reject rate', 'falseRejectRate', false],
    ['Defects among passed parts', 'passedDefectRate', false],
  ];
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <div>
        <h3 className="mb-1 flex items-center gap-2 text-sm font-semibold">
          Latest result <LevelBadge level={result.level} />
          <span className="text-xs font-normal text-muted-foreground">{dateTime(result.computedAt)}</span>
        </h3>
        <Table aria-label="Signals of the latest result">
          <thead>
            <tr>
              <Th>Signal</Th>
              <Th>Test</Th>
              <Th className="text-right">Statistic</Th>
              <Th className="text-right">p (Holm)</Th>
              <Th>Level</Th>
            </tr>
          </thead>
          <tbody>
            {result.signals.map((s) => (
              <tr key={s.signal}>
                <Td className="font-medium">{s.signal}</Td>
                <Td>{s.test}</Td>
                <Td className="text-right tabular-nums">
                  {num(s.statistic)}
                  {s.psi !== undefined ? <span className="block text-xs text-muted-foreground">PSI {num(s.psi)}</span> : null}
                </Td>
                <Td className="text-right tabular-nums">{s.adjustedPValue !== undefined ? num(s.adjustedPValue, 4) : s.threshold !== undefined ? `AUC > ${num(s.threshold, 2)}` : '\u2013'}</Td>
                <Td>
                  <LevelBadge level={s.level} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        {result.notes.length ? (
          <ul className="mt-2 list-disc pl-5 text-xs text-muted-foreground">
            {result.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <div>
        <h3 className="mb-1 text-sm font-semibold">Performance of the current window</h3>
        <p className="mb-2 text-xs text-muted-foreground">
          {p.inspections} inspections, {p.reviewed} reviewed. Estimated from the calibrated confidences before reviews; realised from the reviews, compared like for like on the reviewed ones.
        </p>
        <Table aria-label="Realised and estimated performance">
          <thead>
            <tr>
              <Th>Figure</Th>
              <Th className="text-right">Estimated (all)</Th>
              <Th className="text-right">Estimated (reviewed)</Th>
              <Th className="text-right">Realised</Th>
              <Th className="text-right">Difference</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, key]) => {
              const diff = key === 'passedDefectRate' ? null : (p.difference?.[key as 'accuracy' | 'escapeRate' | 'falseRejectRate'] ?? null);
              return (
                <tr key={key}>
                  <Td>{label}</Td>
                  <Td className="text-right tabular-nums">{percent(p.estimated?.[key] as number | null | undefined)}</Td>
                  <Td className="text-right tabular-nums">{percent(p.estimatedOnReviewed?.[key] as number | null | undefined)}</Td>
                  <Td className="text-right tabular-nums">{percent(p.realised?.[key] as number | null | undefined)}</Td>
                  <Td className="text-right tabular-nums">{diff === null ? '\u2013' : `${diff > 0 ? '+' : ''}${percent(diff)}`}</Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
        {!p.realised ? <p className="mt-2 text-xs text-muted-foreground">No reviews in this window yet: only the estimate is available.</p> : null}
      </div>
    </div>
  );
}
