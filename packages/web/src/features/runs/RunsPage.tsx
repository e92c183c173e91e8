import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Play } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { dateTime, percent } from '../../shared/lib/format.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { Field, Input, Label, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton } from '../../shared/ui/states.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { buildRunBody, EMPTY_RUN_FORM } from './run-form.ts';
import type { RunFormState } from './run-form.ts';
import { RunStatusBadge } from './RunStatusBadge.tsx';

type Run = components['schemas']['Run'];

/** Training runs: the list, newest first, and the form that starts one (engineers). */
export default function RunsPage() {
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const [starting, setStarting] = useState(false);
  const runs = useInfiniteQuery({
    queryKey: ['runs'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => data(api.GET('/api/xai-qc/runs', { params: { query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items: Run[] = runs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div>
      <PageHeader
        title="Training runs"
        description="Train a model on a registered dataset and watch its curves; the result is a new, inactive model version."
        actions={
          engineer ? (
            <Button onClick={() => setStarting(true)}>
              <Play aria-hidden="true" /> Start training
            </Button>
          ) : null
        }
      />
      {runs.error ? <ErrorMessage error={runs.error} className="mb-4" /> : null}
      <Card>
        <Table aria-label="Training runs">
          <thead>
            <tr>
              <Th>Run</Th>
              <Th>Kind</Th>
              <Th>Model</Th>
              <Th>Status</Th>
              <Th className="text-right">Progress</Th>
              <Th>Started</Th>
              <Th>Finished</Th>
            </tr>
          </thead>
          <tbody>
            {runs.isPending
              ? Array.from({ length: 4 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={7}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((r) => (
                  <tr key={r.id} className="hover:bg-muted/40">
                    <Td>
                      <Link to="/runs/$runId" params={{ runId: r.id }} className="font-mono text-xs text-primary underline-offset-4 hover:underline">
                        {r.id.slice(0, 8)}
                      </Link>
                    </Td>
                    <Td>
                      {r.kind} ({r.task})
                    </Td>
                    <Td>{r.modelName ?? '\u2013'}</Td>
                    <Td>
                      <RunStatusBadge status={r.status} />
                    </Td>
                    <Td className="text-right tabular-nums">{percent(r.progress, 0)}</Td>
                    <Td className="whitespace-nowrap">{dateTime(r.startedAt ?? r.createdAt)}</Td>
                    <Td className="whitespace-nowrap">{dateTime(r.finishedAt)}</Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!runs.isPending && !runs.error && items.length === 0 ? (
          <EmptyState title="No runs yet" className="m-4" action={engineer ? <Button onClick={() => setStarting(true)}>Start training</Button> : undefined}>
            {engineer ? 'Upload a dataset on the Datasets page, then start a training run on it.' : 'Engineers start training runs; their curves and results appear here.'}
          </EmptyState>
        ) : null}
        {runs.hasNextPage ? (
          <div className="flex justify-center p-3">
            <Button variant="outline" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
              {runs.isFetchingNextPage ? 'Loading\u2026' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </Card>
      {engineer ? <StartRunDialog open={starting} onOpenChange={setStarting} /> : null}
    </div>
  );
}

function StartRunDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm] = useState<RunFormState>(EMPTY_RUN_FORM);
  const [local, setLocal] = useState<Record<string, string>>({});
  const datasets = useQuery({ queryKey: ['datasets', 'all'], enabled: open, queryFn: () => data(api.GET('/api/xai-qc/datasets', { params: { query: { limit: 200 } } })) });
  const start = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof buildRunBody>['body']>) => data(api.POST('/api/xai-qc/runs', { body })),
    onSuccess: async (run) => {
      await qc.invalidateQueries({ queryKey: ['runs'] });
      toast('Training started', { tone: 'success', description: 'The curves fill in as epochs finish.' });
      onOpenChange(false);
      setForm(EMPTY_RUN_FORM);
      void navigate({ to: '/runs/$runId', params: { runId: run.id } });
    },
  });
  const set = <K extends keyof RunFormState>(k: K, v: RunFormState[K]) => setForm((f) => ({ ...f, [k]: v }));
  const errs = (name: string) => [...(local[name] ? [local[name]!] : []), ...fieldErrors(start.error, name)];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const { body, errors } = buildRunBody(form);
    setLocal(errors);
    if (body) start.mutate(body);
  };
  const num = (name: keyof RunFormState & string, label: string, hint: string, step = '1') => (
    <Field label={label} hint={hint} errors={errs(`params.${name}`)}>
      {(p) => <Input {...p} type="number" inputMode="decimal" step={step} value={form[name] as string} onChange={(e) => set(name, e.target.value as never)} />}
    </Field>
  );
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Start training" description="Empty fields use the defaults of the training core." className="w-[min(95vw,44rem)]">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Start training" noValidate>
          {start.error ? <ErrorMessage error={start.error} /> : null}
          {datasets.error ? <ErrorMessage error={datasets.error} /> : null}
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Dataset" errors={errs('datasetId')} hint={datasets.data && datasets.data.items.length === 0 ? 'No dataset yet: upload one on the Datasets page first.' : undefined}>
              {(p) => (
                <Select {...p} value={form.datasetId} onChange={(e) => set('datasetId', e.target.value)}>
                  <option value="">Choose a dataset</option>
                  {datasets.data?.items.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name} ({d.format}, {d.stats.images} images)
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Task (architecture)" errors={errs('task')} hint="classify: compact ResNet; segment: U-Net; anomaly: PatchCore on a backbone, or a U-Net trained on simulated defects.">
              {(p) => (
                <Select {...p} value={form.task} onChange={(e) => set('task', e.target.value as RunFormState['task'])}>
                  <option value="classify">classify</option>
                  <option value="segment">segment</option>
                  <option value="anomaly">anomaly</option>
                </Select>
              )}
            </Field>
            <Field label="Model name" hint="The model the new version joins; a new name creates it." errors={errs('modelName')}>
              {(p) => <Input {...p} value={form.modelName} onChange={(e) => set('modelName', e.target.value)} placeholder="e.g. surface-classifier" />}
            </Field>
            <Field label="Version" hint="Default: run- and the run id's first 8 characters." errors={errs('version')}>
              {(p) => <Input {...p} value={form.version} onChange={(e) => set('version', e.target.value)} placeholder="e.g. 1.1.0" />}
            </Field>
          </div>
          {form.task === 'anomaly' ? (
            <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-2">
              <legend className="px-1 text-sm font-medium">Anomaly method</legend>
              <Field label="Method" errors={errs('params.method')} hint="PatchCore fits in seconds; simulated trains from scratch on your good images with simulated defects; auto fits both and keeps the better.">
                {(p) => (
                  <Select
                    {...p}
                    value={form.method}
                    onChange={(e) => {
                      const method = e.target.value as RunFormState['method'];
                      // The budget field hides with PatchCore, and so does what was typed in it.
                      setForm((f) => ({ ...f, method, timeBudgetSeconds: method === 'simulated' || method === 'auto' ? f.timeBudgetSeconds : '' }));
                    }}
                  >
                    <option value="">default (patchcore)</option>
                    <option value="patchcore">patchcore</option>
                    <option value="simulated">simulated</option>
                    <option value="auto">auto</option>
                  </Select>
                )}
              </Field>
              {form.method === 'simulated' || form.method === 'auto' ? (
                <Field label="Time budget (seconds)" errors={errs('params.timeBudgetSeconds')} hint={`The whole fit, thresholds included (default ${form.method === 'auto' ? 900 : 600}).`}>
                  {(p) => <Input {...p} type="number" inputMode="decimal" step="any" min="1" value={form.timeBudgetSeconds} onChange={(e) => set('timeBudgetSeconds', e.target.value)} />}
                </Field>
              ) : null}
            </fieldset>
          ) : null}
          <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-3">
            <legend className="px-1 text-sm font-medium">Hyper-parameters</legend>
            {num('epochs', 'Epochs', '1 to 1000 (default 20).')}
            {num('batchSize', 'Batch size', 'Default 32.')}
            {num('lr', 'Learning rate', 'Peak rate (default 0.003).', 'any')}
            {num('width', 'Width', 'Base channels (2 to 256).')}
            {num('depth', 'Depth', 'Stages (1 to 5).')}
            {num('size', 'Input size', 'Square pixels (default 64).')}
            {num('seed', 'Seed', 'Split and initialisation (default 0).')}
            {num('patience', 'Patience', 'Epochs without gain before stopping; 0 never.')}
            <Field label="Optimizer" errors={errs('params.optimizer')}>
              {(p) => (
                <Select {...p} value={form.optimizer} onChange={(e) => set('optimizer', e.target.value as RunFormState['optimizer'])}>
                  <option value="">default (adamw)</option>
                  <option value="adamw">adamw</option>
                  <option value="adam">adam</option>
                  <option value="sgd">sgd</option>
                </Select>
              )}
            </Field>
            <div className="flex items-center gap-3 sm:col-span-3">
              <Switch id="run-augment" checked={form.augment} onCheckedChange={(v) => set('augment', v)} />
              <Label htmlFor="run-augment">Augment training images</Label>
            </div>
          </fieldset>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={start.isPending}>
              {start.isPending ? 'Starting\u2026' : 'Start training'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
