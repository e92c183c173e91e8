/**
 * Reports (`/reports`): the account's rendered reports, newest first (`GET /reports`, paged),
 * each with what it covers, its size and pages; download (through the session's token) and,
 * for engineers, delete with a confirmation. New reports appear when their `report.render`
 * job finishes (the `job.finished` event invalidates `['reports']`).
 */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Download, FileSpreadsheet, FileText, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { api, downloadBlob, getBlob } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { bytes, dateTime } from '../../shared/lib/format.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { reportScope } from './report-scope.ts';

type Report = components['schemas']['Report'];

/** The reports page. */
export default function ReportsPage() {
  const session = useSession();
  const canDelete = hasRole(session.user?.role, 'engineer');
  const queryClient = useQueryClient();
  const [confirm, setConfirm] = useState<Report | undefined>();
  const list = useInfiniteQuery({
    queryKey: ['reports', 'list'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => data(api.GET('/api/xai-qc/reports', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const download = useMutation({
    mutationFn: async (r: Report) => downloadBlob(await getBlob(r.links.download), r.fileName),
    onError: (e) => toast('The download failed', { description: String((e as Error).message ?? e), tone: 'error' }),
  });
  const remove = useMutation({
    mutationFn: (r: Report) => data(api.DELETE('/api/xai-qc/reports/{id}', { params: { path: { id: r.id } } })).then(() => r),
    onSuccess: (r) => {
      setConfirm(undefined);
      toast('Report deleted', { description: r.fileName });
      void queryClient.invalidateQueries({ queryKey: ['reports'] });
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Reports" description="PDF and Excel reports rendered for this account, newest first." />
      {list.error ? <ErrorMessage error={list.error} /> : null}
      {list.isPending ? (
        <div className="flex flex-col gap-2">
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-12" />
          ))}
        </div>
      ) : items.length === 0 && !list.error ? (
        <EmptyState title="No reports yet">
          <p>
            Export one with <strong>Export report</strong> on the <Link to="/dashboard" className="underline">Metrics</Link> or <Link to="/calibration" className="underline">Calibration</Link> page; it appears here when it is ready.
          </p>
        </EmptyState>
      ) : (
        <Card>
          <Table>
            <caption className="sr-only">Reports, newest first</caption>
            <thead>
              <tr>
                <Th>Report</Th>
                <Th>Covers</Th>
                <Th className="text-right">Inspections</Th>
                <Th className="text-right">Size</Th>
                <Th>Created</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-testid="report-row">
                  <Td>
                    <span className="flex items-center gap-2">
                      {r.format === 'pdf' ? <FileText className="size-4 shrink-0 text-destructive" aria-hidden="true" /> : <FileSpreadsheet className="size-4 shrink-0 text-success" aria-hidden="true" />}
                      <span>
                        <span className="block font-medium">{r.title}</span>
                        <span className="block text-xs text-muted-foreground">
                          {r.format === 'pdf' ? `PDF${r.pages ? `, ${r.pages} page${r.pages === 1 ? '' : 's'}` : ''}` : 'Excel workbook'}
                        </span>
                      </span>
                    </span>
                  </Td>
                  <Td className="text-sm">{reportScope(r.filters)}</Td>
                  <Td className="text-right tabular-nums">{r.inspections}</Td>
                  <Td className="text-right tabular-nums">{bytes(r.size)}</Td>
                  <Td className="whitespace-nowrap text-sm">
                    {dateTime(r.createdAt)}
                    {r.createdBy === session.user?.subject ? <span className="block text-xs text-muted-foreground">by you</span> : null}
                  </Td>
                  <Td>
                    <span className="flex justify-end gap-1">
                      <Button variant="outline" size="sm" onClick={() => download.mutate(r)} disabled={download.isPending && download.variables?.id === r.id} aria-label={`Download ${r.fileName}`}>
                        <Download aria-hidden="true" />
                        Download
                      </Button>
                      {canDelete ? (
                        <Button variant="ghost" size="sm" onClick={() => setConfirm(r)} aria-label={`Delete ${r.fileName}`}>
                          <Trash2 aria-hidden="true" />
                        </Button>
                      ) : null}
                    </span>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {list.hasNextPage ? (
            <div className="flex justify-center p-3">
              <Button variant="outline" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? 'Loading' : 'Show older reports'}
              </Button>
            </div>
          ) : null}
        </Card>
      )}
      <ConfirmDialog
        item={confirm}
        onClose={() => setConfirm(undefined)}
        title={() => 'Delete this report?'}
        description={(r) => `${r.fileName} will be removed with its file. This cannot be undone; the figures can be exported again.`}
        confirmLabel="Delete report"
        pendingLabel="Deleting"
        onConfirm={(r) => remove.mutate(r)}
        pending={remove.isPending}
        error={remove.error}
      />
    </div>
  );
}
