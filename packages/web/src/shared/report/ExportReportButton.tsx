/**
 * "Export report": choose PDF or Excel and a title, `POST /export` queues a `report.render`
 * job, the dialog shows its progress, and the finished file downloads (through the session's
 * token: getBlob, then downloadBlob). The report also stays on the Reports page. Operators
 * and above may export; lower roles see the button disabled with the reason.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import { Download, FileDown } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { api, downloadBlob, getBlob } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { Button } from '../ui/button.tsx';
import { Dialog, DialogContent, DialogTrigger } from '../ui/dialog.tsx';
import { Field, Input } from '../ui/form.tsx';
import { ErrorMessage } from '../ui/states.tsx';
import { toast } from '../ui/toast.tsx';
import { jobEnded, jobProgressText, useJob } from './use-job.ts';

/** What the report covers: the page's filters (ISO date-times, model name, version). */
export interface ExportFilters {
  from?: string;
  to?: string;
  model?: string;
  version?: string;
}

/** Props of {@link ExportReportButton}. */
export interface ExportReportButtonProps {
  filters: ExportFilters;
  /** The title proposed in the dialog (on the cover and in the file name). */
  defaultTitle?: string;
  /** A sentence saying what the report will cover, shown in the dialog. */
  scope?: string;
}

async function fetchAndSave(reportId: string): Promise<string> {
  const report = await data(api.GET('/api/xai-qc/reports/{id}', { params: { path: { id: reportId } } }));
  downloadBlob(await getBlob(report.links.download), report.fileName);
  return report.fileName;
}

/** The export button and its dialog. */
export function ExportReportButton({ filters, defaultTitle = 'Quality report', scope }: ExportReportButtonProps) {
  const session = useSession();
  const queryClient = useQueryClient();
  const allowed = hasRole(session.user?.role, 'operator');
  const reasonId = useId();
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<'pdf' | 'xlsx'>('pdf');
  const [title, setTitle] = useState(defaultTitle);
  const [saved, setSaved] = useState<string | undefined>();
  const start = useMutation({
    mutationFn: () =>
      data(
        api.POST('/api/xai-qc/export', {
          body: {
            format,
            title: title.trim() || defaultTitle,
            ...(filters.from ? { from: filters.from } : {}),
            ...(filters.to ? { to: filters.to } : {}),
            ...(filters.model ? { model: filters.model } : {}),
            ...(filters.model && filters.version ? { version: filters.version } : {}),
          },
        }),
      ),
    onSuccess: () => setSaved(undefined),
  });
  const jobId = (start.data?.job as { id?: string } | undefined)?.id;
  const job = useJob(jobId);
  const download = useMutation({ mutationFn: fetchAndSave, onSuccess: (name) => setSaved(name) });
  const fetched = useRef<string | undefined>(undefined);
  const finished = job.data?.status === 'succeeded';

  useEffect(() => {
    if (finished && start.data && fetched.current !== start.data.reportId) {
      fetched.current = start.data.reportId;
      void queryClient.invalidateQueries({ queryKey: ['reports'] });
      download.mutate(start.data.reportId, { onSuccess: (name) => toast('Report ready', { description: `${name} was downloaded; it is also on the Reports page.`, tone: 'success' }) });
    }
  }, [finished, start.data, download, queryClient]);

  const running = start.isPending || (jobId !== undefined && !jobEnded(job.data));
  const progress = job.data?.progress ?? 0;

  if (!allowed) {
    return (
      <span className="inline-flex flex-col items-end">
        <Button variant="outline" disabled aria-describedby={reasonId}>
          <FileDown aria-hidden="true" />
          Export report
        </Button>
        <span id={reasonId} className="text-xs text-muted-foreground">Operators and above can export reports.</span>
      </span>
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o && !running) {
          start.reset();
          download.reset();
          setSaved(undefined);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline">
          <FileDown aria-hidden="true" />
          Export report
        </Button>
      </DialogTrigger>
      <DialogContent title="Export a report" description={scope ?? 'The figures of this page, with the inspections they come from.'}>
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            fetched.current = undefined;
            start.mutate();
          }}
        >
          <fieldset className="flex flex-col gap-2" disabled={running}>
            <legend className="mb-1 text-sm font-medium">Format</legend>
            {(
              [
                ['pdf', 'PDF', 'to read, print or attach (A4)'],
                ['xlsx', 'Excel workbook', 'to sort, filter and chart the numbers yourself'],
              ] as const
            ).map(([value, label, hint]) => (
              <label key={value} className="flex cursor-pointer items-start gap-2 rounded-md border p-2 text-sm has-[:checked]:border-primary has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring">
                <input type="radio" name="format" value={value} checked={format === value} onChange={() => setFormat(value)} className="mt-0.5 accent-[var(--primary)]" />
                <span>
                  <span className="font-medium">{label}</span>
                  <span className="block text-xs text-muted-foreground">{hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <Field label="Title" hint="On the cover and in the file name.">
            {(p) => <Input {...p} value={title} maxLength={200} disabled={running} onChange={(e) => setTitle(e.target.value)} />}
          </Field>
          {jobId !== undefined ? (
            <div className="flex flex-col gap-1.5">
              <div
                role="progressbar"
                aria-label="Report progress"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(progress * 100)}
                className="h-2 w-full overflow-hidden rounded-full bg-secondary"
              >
                <div className="h-full bg-primary transition-[width]" style={{ width: `${Math.round((finished ? 1 : progress) * 100)}%` }} />
              </div>
              <p className="text-sm text-muted-foreground" role="status">
                {download.isPending ? 'Downloading' : saved ? `Saved ${saved}.` : jobProgressText(job.data)}
              </p>
            </div>
          ) : null}
          {start.error ? <ErrorMessage error={start.error} /> : null}
          {job.error ? <ErrorMessage error={job.error} /> : null}
          {download.error ? <ErrorMessage error={download.error} /> : null}
          <div className="flex justify-end gap-2">
            {finished && start.data ? (
              <Button variant="outline" onClick={() => download.mutate(start.data!.reportId)} disabled={download.isPending}>
                <Download aria-hidden="true" />
                Download again
              </Button>
            ) : null}
            <Button type="submit" disabled={running}>
              {running ? 'Exporting' : jobId ? 'Export another' : 'Export'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
