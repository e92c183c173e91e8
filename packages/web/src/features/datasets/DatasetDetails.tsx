import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import { Trash2 } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { dateTime, num } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { ErrorMessage, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { BAD_BADGE } from '../monitoring/LevelBadge.tsx';
import { classSplitRows, LEVEL_WORD, qualityChecks } from './quality.ts';
import type { QualityLevel, QualityReport } from './quality.ts';

const LEVEL_VARIANT: Record<QualityLevel, 'good' | 'warn' | 'bad'> = { ok: 'good', warning: 'warn', error: 'bad' };

/** One dataset: its figures, the quality report, and delete (engineers). */
export function DatasetDetails({ id, canDelete, onDeleted }: { id: string; canDelete: boolean; onDeleted: () => void }) {
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState(false);
  const ds = useQuery({ queryKey: ['datasets', id], queryFn: () => data(api.GET('/api/xai-qc/datasets/{id}', { params: { path: { id } } })) });
  const quality = useQuery({ queryKey: ['datasets', id, 'quality'], staleTime: 5 * 60_000, queryFn: () => data(api.GET('/api/xai-qc/datasets/{id}/quality', { params: { path: { id }, query: {} } })) });
  const remove = useMutation({
    mutationFn: () => data(api.DELETE('/api/xai-qc/datasets/{id}', { params: { path: { id } } })),
    onSuccess: async (d) => {
      toast(`Deleted ${d.name}`, { tone: 'success' });
      setConfirm(false);
      onDeleted();
      await qc.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
  const d = ds.data;
  return (
    <Card aria-labelledby="dataset-title">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2">
        <div>
          <CardTitle id="dataset-title">{d ? d.name : 'Dataset'}</CardTitle>
          {d ? (
            <CardDescription>
              {d.format}, {d.stats.images} images{d.stats.masks ? `, ${d.stats.masks} masks` : ''}, {d.archiveKind} archive uploaded {dateTime(d.createdAt)}; manifest{' '}
              <span className="font-mono text-xs">{d.manifestHash.slice(0, 12)}</span>
            </CardDescription>
          ) : null}
        </div>
        {canDelete && d ? (
          <>
            <Button variant="outline" size="sm" onClick={() => setConfirm(true)}>
              <Trash2 aria-hidden="true" /> Delete
            </Button>
            <ConfirmDialog
              item={confirm ? d : null}
              onClose={() => setConfirm(false)}
              title={(x) => `Delete ${x.name}?`}
              description={() => "Its files are removed. Finished runs keep the dataset's hash; a run that still uses it blocks the delete."}
              confirmLabel="Delete dataset"
              onConfirm={() => remove.mutate()}
              pending={remove.isPending}
              error={remove.error}
            />
          </>
        ) : null}
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {ds.error ? <ErrorMessage error={ds.error} /> : null}
        {ds.isPending ? <Skeleton className="h-24 w-full" /> : null}
        {d && (d.stats.corrupt.length > 0 || d.stats.skipped.length > 0) ? (
          <p className="text-sm text-muted-foreground">
            At upload {d.stats.corrupt.length} corrupt and {d.stats.skipped.length} other files were left out.
          </p>
        ) : null}
        {quality.error ? <ErrorMessage error={quality.error} /> : null}
        {quality.isPending ? <Spinner label="Measuring the dataset's quality (the first time decodes every image)" /> : null}
        {quality.data ? <QualityView report={quality.data.report} computedAt={quality.data.computedAt} /> : null}
      </CardContent>
    </Card>
  );
}

function QualityView({ report, computedAt }: { report: QualityReport; computedAt: string }) {
  const checks = qualityChecks(report);
  const rows = classSplitRows(report);
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-base font-semibold">Quality report</h3>
        <Badge variant={LEVEL_VARIANT[report.summary.level]} className={report.summary.level === 'error' ? BAD_BADGE : undefined}>overall: {LEVEL_WORD[report.summary.level]}</Badge>
        <span className="text-xs text-muted-foreground">
          {report.images} images measured {dateTime(computedAt)}; split {report.split.source === 'drawn' ? `drawn as training draws it (seed ${report.split.seed ?? 0})` : 'from the dataset'}
        </span>
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <Table aria-label="Quality checks">
          <thead>
            <tr>
              <Th>Check</Th>
              <Th>Level</Th>
              <Th>Finding</Th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr key={c.key}>
                <Td className="whitespace-nowrap font-medium">{c.title}</Td>
                <Td>
                  <Badge variant={LEVEL_VARIANT[c.level]} className={c.level === 'error' ? BAD_BADGE : undefined}>{LEVEL_WORD[c.level]}</Badge>
                </Td>
                <Td>{c.sentence}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
        <Table aria-label="Images per class and split">
          <thead>
            <tr>
              <Th>Class</Th>
              <Th className="text-right">Train</Th>
              <Th className="text-right">Validation</Th>
              <Th className="text-right">Test</Th>
              <Th className="text-right">Total</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <Td>{r.label}</Td>
                <Td className="text-right tabular-nums">{r.train}</Td>
                <Td className="text-right tabular-nums">{r.val}</Td>
                <Td className="text-right tabular-nums">{r.test}</Td>
                <Td className="text-right font-medium tabular-nums">{r.total}</Td>
              </tr>
            ))}
            <tr>
              <Td className="font-medium">All</Td>
              <Td className="text-right tabular-nums">{report.countsPerSplit.train}</Td>
              <Td className="text-right tabular-nums">{report.countsPerSplit.val}</Td>
              <Td className="text-right tabular-nums">{report.countsPerSplit.test}</Td>
              <Td className="text-right font-medium tabular-nums">{report.images}</Td>
            </tr>
          </tbody>
        </Table>
      </div>
      <p className="text-sm text-muted-foreground">
        Sizes: width {report.sizes.width.min} to {report.sizes.width.max} px (median {report.sizes.width.median}), height {report.sizes.height.min} to {report.sizes.height.max} px; formats{' '}
        {Object.entries(report.formats)
          .map(([f, n]) => `${f} ${n}`)
          .join(', ')}
        .
      </p>
      {report.leakage.length ? (
        <Findings title="Leaked groups (same image in several splits)">
          {report.leakage.slice(0, 20).map((g, i) => (
            <li key={i}>
              {g.kind} copy in {g.splits.join(' and ')}: {g.members.map((m) => `${m.path} (${m.label}, ${m.split})`).join('; ')}
            </li>
          ))}
        </Findings>
      ) : null}
      {report.exactDuplicates.length ? (
        <Findings title="Exact duplicates">
          {report.exactDuplicates.slice(0, 20).map((g) => (
            <li key={g.sha256}>
              {g.labels.length > 1 ? <strong>labels differ ({g.labels.join(', ')}): </strong> : null}
              {g.members.map((m) => m.path).join(', ')}
            </li>
          ))}
        </Findings>
      ) : null}
      {report.nearDuplicates.length ? (
        <Findings title="Near duplicates">
          {report.nearDuplicates.slice(0, 20).map((g, i) => (
            <li key={i}>{g.members.map((m) => `${m.path} (distance ${m.distance})`).join(', ')}</li>
          ))}
        </Findings>
      ) : null}
      {report.corrupt.length ? (
        <Findings title="Corrupt files">
          {report.corrupt.slice(0, 50).map((c) => (
            <li key={c.path}>
              {c.path}: {c.reason}
            </li>
          ))}
        </Findings>
      ) : null}
      {report.outliers.length ? (
        <div>
          <h4 className="mb-1 text-sm font-semibold">Outliers</h4>
          <Table aria-label="Outliers">
            <thead>
              <tr>
                <Th>File</Th>
                <Th>Class</Th>
                <Th>Figure</Th>
                <Th className="text-right">Value</Th>
                <Th className="text-right">Class median</Th>
                <Th className="text-right">z</Th>
              </tr>
            </thead>
            <tbody>
              {report.outliers.slice(0, 50).map((o) => (
                <tr key={`${o.path}-${o.metric}`}>
                  <Td className="font-mono text-xs">{o.path}</Td>
                  <Td>{o.label}</Td>
                  <Td>
                    {o.metric} ({o.direction})
                  </Td>
                  <Td className="text-right tabular-nums">{num(o.value, 1)}</Td>
                  <Td className="text-right tabular-nums">{num(o.median, 1)}</Td>
                  <Td className="text-right tabular-nums">{num(o.z, 1)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      ) : null}
    </div>
  );
}

function Findings({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div>
      <h4 className="mb-1 text-sm font-semibold">{title}</h4>
      <ul className="list-disc space-y-0.5 pl-5 text-sm [overflow-wrap:anywhere]">{children}</ul>
    </div>
  );
}
