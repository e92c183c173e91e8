import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Plus } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { dateTime } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { Field, Input, Label, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { MonitorResults } from './MonitorResults.tsx';
import { buildMonitorBody, describeCurrent, describeReference, EMPTY_MONITOR_FORM, minutesText, SIGNALS } from './monitoring.ts';
import type { MonitorFormState } from './monitoring.ts';

type Monitor = components['schemas']['Monitor'];

/** The monitors: list with their last run, run now and create (engineers), and the results of one. */
export function MonitorsTab({ selected, onSelect }: { selected?: string; onSelect: (id: string | undefined) => void }) {
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const monitors = useQuery({ queryKey: ['monitors'], queryFn: () => data(api.GET('/api/xai-qc/monitors')) });
  const run = useMutation({
    mutationFn: (id: string) => data(api.POST('/api/xai-qc/monitors/{id}/run', { params: { path: { id } } })),
    onSuccess: async () => {
      toast('Monitor run queued', { description: 'The result appears here when the job finishes.' });
      await qc.invalidateQueries({ queryKey: ['monitors'] });
    },
  });
  const toggle = useMutation({
    mutationFn: (m: Monitor) => data(api.PATCH('/api/xai-qc/monitors/{id}', { params: { path: { id: m.id } }, body: { enabled: !m.enabled } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['monitors'] }),
  });
  const items: Monitor[] = monitors.data?.items ?? [];
  const current = items.find((m) => m.id === selected);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground">A monitor compares a reference window of a model version with its current window on a schedule.</p>
        {engineer ? (
          <Button onClick={() => setCreating(true)}>
            <Plus aria-hidden="true" /> Create monitor
          </Button>
        ) : null}
      </div>
      {monitors.error ? <ErrorMessage error={monitors.error} /> : null}
      {run.error ? <ErrorMessage error={run.error} /> : null}
      {toggle.error ? <ErrorMessage error={toggle.error} /> : null}
      <Card>
        <Table aria-label="Monitors">
          <thead>
            <tr>
              <Th>Monitor</Th>
              <Th>Model</Th>
              <Th>Windows</Th>
              <Th>Last run</Th>
              <Th>Scheduled</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {monitors.isPending
              ? Array.from({ length: 2 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={7}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((m) => (
                  <tr key={m.id} className={m.id === selected ? 'bg-muted/50 align-top' : 'align-top'}>
                    <Td>
                      <p className="font-medium">{m.name}</p>
                      <p className="max-w-64 text-xs text-muted-foreground">{m.signals.join(', ')}</p>
                    </Td>
                    <Td className="whitespace-nowrap">
                      {m.model.name} {m.model.version}
                    </Td>
                    <Td className="text-xs">
                      <p>
                        <span className="text-muted-foreground">reference</span> {describeReference(m.reference)}
                      </p>
                      <p>
                        <span className="text-muted-foreground">current</span> {describeCurrent(m.current)}
                      </p>
                    </Td>
                    <Td>
                      {m.state.lastRunAt ? (
                        <>
                          <span className="text-xs">{dateTime(m.state.lastRunAt)}</span>{' '}
                          {m.state.lastStatus === 'ok' ? <Badge variant="good">ok</Badge> : <span className="text-xs font-semibold text-destructive">failed</span>}
                          {m.state.lastError ? <p className="max-w-56 text-xs text-destructive">{m.state.lastError}</p> : null}
                        </>
                      ) : (
                        <span className="text-muted-foreground">not yet</span>
                      )}
                    </Td>
                    <Td>
                      {engineer ? (
                        <div className="flex items-center gap-2">
                          <Switch checked={m.enabled} onCheckedChange={() => toggle.mutate(m)} aria-label={`Scheduled runs of ${m.name}`} disabled={toggle.isPending} />
                          <span className="text-xs whitespace-nowrap text-muted-foreground">every {minutesText(m.intervalMinutes)}</span>
                        </div>
                      ) : (
                        <span className="text-xs">{m.enabled ? `every ${minutesText(m.intervalMinutes)}` : 'off'}</span>
                      )}
                    </Td>
                    <Td>
                      <div className="flex flex-wrap justify-end gap-2">
                        {engineer ? (
                          <Button size="sm" variant="outline" onClick={() => run.mutate(m.id)} disabled={run.isPending} aria-label={`Run now: ${m.name}`}>
                            Run now
                          </Button>
                        ) : null}
                        <Button size="sm" variant={m.id === selected ? 'secondary' : 'outline'} onClick={() => onSelect(m.id === selected ? undefined : m.id)} aria-expanded={m.id === selected} aria-label={`Results of ${m.name}`}>
                          Results
                        </Button>
                      </div>
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!monitors.isPending && !monitors.error && items.length === 0 ? (
          <EmptyState title="No monitors yet" className="m-4" action={engineer ? <Button onClick={() => setCreating(true)}>Create monitor</Button> : undefined}>
            {engineer ? 'Create a monitor for the model version on your line: it tells you when its images or answers start to drift.' : 'Engineers create monitors; their results appear here.'}
          </EmptyState>
        ) : null}
      </Card>
      {current ? <MonitorResults monitor={current} /> : null}
      {engineer ? <CreateMonitorDialog open={creating} onOpenChange={setCreating} onCreated={onSelect} /> : null}
    </div>
  );
}

function CreateMonitorDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (o: boolean) => void; onCreated: (id: string) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<MonitorFormState>(EMPTY_MONITOR_FORM);
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = <K extends keyof MonitorFormState>(k: K, v: MonitorFormState[K]) => setF((x) => ({ ...x, [k]: v }));
  const models = useQuery({ queryKey: ['models'], enabled: open, queryFn: () => data(api.GET('/api/xai-qc/models')) });
  const versions = useQuery({
    queryKey: ['models', f.modelName],
    enabled: open && !!f.modelName,
    queryFn: () => data(api.GET('/api/xai-qc/models/{model}', { params: { path: { model: f.modelName } } })),
  });
  const datasets = useQuery({ queryKey: ['datasets', 'all'], enabled: open && f.referenceKind === 'dataset', queryFn: () => data(api.GET('/api/xai-qc/datasets', { params: { query: { limit: 200 } } })) });
  const create = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof buildMonitorBody>['body']>) => data(api.POST('/api/xai-qc/monitors', { body })),
    onSuccess: async (m) => {
      await qc.invalidateQueries({ queryKey: ['monitors'] });
      toast(`Created monitor ${m.name}`, { tone: 'success' });
      onOpenChange(false);
      setF(EMPTY_MONITOR_FORM);
      onCreated(m.id);
    },
  });
  const errs = (name: string) => [...(local[name] ? [local[name]!] : []), ...fieldErrors(create.error, name)];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const { body, errors } = buildMonitorBody(f);
    setLocal(errors);
    if (body) create.mutate(body);
  };
  const toggleSignal = (name: string, on: boolean) => set('signals', on ? [...f.signals, name] : f.signals.filter((s) => s !== name));

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Create a monitor" description="Compare what a model version sees now with what it saw before." className="w-[min(95vw,48rem)]">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Create a monitor" noValidate>
          {create.error ? <ErrorMessage error={create.error} /> : null}
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Name" errors={errs('name')}>
              {(p) => <Input {...p} value={f.name} onChange={(e) => set('name', e.target.value)} maxLength={200} placeholder="e.g. line 3 surface" />}
            </Field>
            <Field label="Model" errors={errs('model.name')}>
              {(p) => (
                <Select
                  {...p}
                  value={f.modelName}
                  onChange={(e) => {
                    const m = models.data?.items.find((x) => x.name === e.target.value);
                    setF((x) => ({ ...x, modelName: e.target.value, version: m?.activeVersion ?? '' }));
                  }}
                >
                  <option value="">Choose a model</option>
                  {models.data?.items.map((m) => (
                    <option key={m.id} value={m.name}>
                      {m.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Version" errors={errs('model.version')}>
              {(p) => (
                <Select {...p} value={f.version} onChange={(e) => set('version', e.target.value)} disabled={!f.modelName}>
                  <option value="">Choose a version</option>
                  {versions.data?.versions.map((v) => (
                    <option key={v.id} value={v.version}>
                      {v.version}
                      {v.active ? ' (active)' : ''}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-3">
            <legend className="px-1 text-sm font-medium">Reference window: what normal looks like</legend>
            <Field label="Reference" errors={errs('reference.kind')}>
              {(p) => (
                <Select {...p} value={f.referenceKind} onChange={(e) => set('referenceKind', e.target.value as MonitorFormState['referenceKind'])}>
                  <option value="first">First inspections</option>
                  <option value="range">Date range</option>
                  <option value="dataset">Dataset validation split</option>
                </Select>
              )}
            </Field>
            {f.referenceKind === 'first' ? (
              <Field label="Inspections" hint="5 to 5000." errors={errs('reference.count')}>
                {(p) => <Input {...p} type="number" min={5} max={5000} value={f.referenceCount} onChange={(e) => set('referenceCount', e.target.value)} />}
              </Field>
            ) : null}
            {f.referenceKind === 'range' ? (
              <>
                <Field label="From" errors={errs('reference.from')}>
                  {(p) => <Input {...p} type="datetime-local" value={f.referenceFrom} onChange={(e) => set('referenceFrom', e.target.value)} />}
                </Field>
                <Field label="To" errors={errs('reference.to')}>
                  {(p) => <Input {...p} type="datetime-local" value={f.referenceTo} onChange={(e) => set('referenceTo', e.target.value)} />}
                </Field>
              </>
            ) : null}
            {f.referenceKind === 'dataset' ? (
              <Field label="Dataset" hint="Image statistics only." errors={errs('reference.datasetId')} className="sm:col-span-2">
                {(p) => (
                  <Select {...p} value={f.datasetId} onChange={(e) => set('datasetId', e.target.value)}>
                    <option value="">Choose a dataset</option>
                    {datasets.data?.items.map((d) => (
                      <option key={d.id} value={d.id}>
                        {d.name}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
            ) : null}
          </fieldset>
          <fieldset className="grid gap-3 rounded-md border p-3 sm:grid-cols-3">
            <legend className="px-1 text-sm font-medium">Current window and schedule</legend>
            <Field label="Current" errors={errs('current.kind')}>
              {(p) => (
                <Select {...p} value={f.currentKind} onChange={(e) => set('currentKind', e.target.value as MonitorFormState['currentKind'])}>
                  <option value="count">Last inspections</option>
                  <option value="minutes">Last minutes</option>
                </Select>
              )}
            </Field>
            {f.currentKind === 'count' ? (
              <Field label="Inspections" hint="5 to 5000." errors={errs('current.count')}>
                {(p) => <Input {...p} type="number" min={5} max={5000} value={f.currentCount} onChange={(e) => set('currentCount', e.target.value)} />}
              </Field>
            ) : (
              <Field label="Minutes" hint="1440 is a day." errors={errs('current.minutes')}>
                {(p) => <Input {...p} type="number" min={1} value={f.currentMinutes} onChange={(e) => set('currentMinutes', e.target.value)} />}
              </Field>
            )}
            <Field label="Run every (minutes)" errors={errs('intervalMinutes')}>
              {(p) => <Input {...p} type="number" min={1} value={f.intervalMinutes} onChange={(e) => set('intervalMinutes', e.target.value)} />}
            </Field>
            <div className="flex items-center gap-3 sm:col-span-3">
              <Switch id="monitor-enabled" checked={f.enabled} onCheckedChange={(v) => set('enabled', v)} />
              <Label htmlFor="monitor-enabled">Run on the schedule (Run now works either way)</Label>
            </div>
          </fieldset>
          <fieldset className="rounded-md border p-3" aria-describedby={errs('signals').length ? 'signals-err' : undefined}>
            <legend className="px-1 text-sm font-medium">Signals to check</legend>
            <div className="grid gap-x-4 gap-y-1 sm:grid-cols-3">
              {SIGNALS.map((s) => (
                <label key={s.name} className="flex items-center gap-2 py-0.5 text-sm">
                  <input type="checkbox" className="size-4 accent-primary" checked={f.signals.includes(s.name)} onChange={(e) => toggleSignal(s.name, e.target.checked)} />
                  <span>
                    {s.name} <span className="text-xs text-muted-foreground">{s.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {errs('signals').length ? (
              <p id="signals-err" role="alert" className="mt-1 text-xs text-destructive">
                {errs('signals').join(' ')}
              </p>
            ) : null}
          </fieldset>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Creating\u2026' : 'Create monitor'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
