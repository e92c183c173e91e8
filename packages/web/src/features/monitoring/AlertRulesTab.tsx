import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { fieldErrors } from '../../shared/lib/error-sentences.ts';
import { dateTime, num } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button } from '../../shared/ui/button.tsx';
import { Card } from '../../shared/ui/card.tsx';
import { Dialog, DialogClose, DialogContent } from '../../shared/ui/dialog.tsx';
import { ConfirmDialog } from '../../shared/ui/confirm-dialog.tsx';
import { Field, Input, Label, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, Skeleton } from '../../shared/ui/states.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { BAD_BADGE } from './LevelBadge.tsx';
import { ALERT_METRICS, buildRuleBody, EMPTY_RULE_FORM, minutesText } from './monitoring.ts';
import type { RuleFormState } from './monitoring.ts';

type AlertRule = components['schemas']['AlertRule'];

/** Alert rules (engineers): create, enable or disable, delete, with their evaluation state. */
export function AlertRulesTab() {
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AlertRule | null>(null);
  const rules = useQuery({ queryKey: ['alert-rules'], queryFn: () => data(api.GET('/api/xai-qc/alert-rules')) });
  const toggle = useMutation({
    mutationFn: (r: AlertRule) => data(api.PATCH('/api/xai-qc/alert-rules/{id}', { params: { path: { id: r.id } }, body: { enabled: !r.enabled } })),
    onSuccess: async (r) => {
      toast(`${r.name} is ${r.enabled ? 'on' : 'off'}`, { tone: 'success' });
      await qc.invalidateQueries({ queryKey: ['alert-rules'] });
    },
  });
  const evaluate = useMutation({
    mutationFn: () => data(api.POST('/api/xai-qc/alert-rules/evaluate')),
    onSuccess: () => toast('Evaluation queued', { description: 'The rules\u2019 state updates when the job finishes.' }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.DELETE('/api/xai-qc/alert-rules/{id}', { params: { path: { id } } }),
    onSuccess: async () => {
      setDeleting(null);
      await qc.invalidateQueries({ queryKey: ['alert-rules'] });
    },
  });
  const items: AlertRule[] = rules.data?.items ?? [];
  const label = (metric: string) => ALERT_METRICS.find((m) => m.name === metric)?.label ?? metric;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-muted-foreground">A rule watches one figure over a trailing window and raises an alert when it holds past the threshold.</p>
        <div className="flex gap-2">
          <Button variant="outline" onClick={() => evaluate.mutate()} disabled={evaluate.isPending || items.length === 0}>
            Evaluate now
          </Button>
          <Button onClick={() => setCreating(true)}>
            <Plus aria-hidden="true" /> Create rule
          </Button>
        </div>
      </div>
      {rules.error ? <ErrorMessage error={rules.error} /> : null}
      {toggle.error ? <ErrorMessage error={toggle.error} /> : null}
      {evaluate.error ? <ErrorMessage error={evaluate.error} /> : null}
      <Card>
        <Table aria-label="Alert rules">
          <thead>
            <tr>
              <Th>Rule</Th>
              <Th>Condition</Th>
              <Th>Timing</Th>
              <Th>State</Th>
              <Th>Enabled</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {rules.isPending
              ? Array.from({ length: 2 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={6}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : items.map((r) => (
                  <tr key={r.id} className="align-top">
                    <Td>
                      <p className="font-medium">{r.name}</p>
                      <p className="text-xs text-muted-foreground">{r.model ? `${r.model.name}${r.model.version ? ` ${r.model.version}` : ''}` : 'all models'}</p>
                    </Td>
                    <Td>
                      {label(r.metric)} {r.comparator} {num(r.threshold, 4).replace(/\.?0+$/, '')}
                    </Td>
                    <Td className="text-xs">
                      over {minutesText(r.windowMinutes)}, held {minutesText(r.forMinutes)}, cooldown {minutesText(r.cooldownMinutes)}
                    </Td>
                    <Td className="text-xs">
                      {r.state.firing ? <Badge variant="bad" className={BAD_BADGE}>
                          firing
                        </Badge> : r.state.pendingSince ? <Badge variant="warn">pending</Badge> : <Badge variant="secondary">quiet</Badge>}
                      {r.state.lastValue !== null ? <p>last value {num(r.state.lastValue)}</p> : null}
                      {r.state.lastEvaluatedAt ? <p className="text-muted-foreground">checked {dateTime(r.state.lastEvaluatedAt)}</p> : <p className="text-muted-foreground">not checked yet</p>}
                      {r.state.lastError ? <p className="text-destructive">{r.state.lastError}</p> : null}
                    </Td>
                    <Td>
                      <Switch checked={r.enabled} onCheckedChange={() => toggle.mutate(r)} disabled={toggle.isPending} aria-label={`Rule ${r.name} enabled`} />
                    </Td>
                    <Td className="text-right">
                      <Button size="sm" variant="ghost" onClick={() => setDeleting(r)} aria-label={`Delete rule ${r.name}`}>
                        <Trash2 aria-hidden="true" />
                      </Button>
                    </Td>
                  </tr>
                ))}
          </tbody>
        </Table>
        {!rules.isPending && !rules.error && items.length === 0 ? (
          <EmptyState title="No alert rules yet" className="m-4" action={<Button onClick={() => setCreating(true)}>Create rule</Button>}>
            Create a rule, for example escape rate above 2 % over a day, to be told before escapes pile up.
          </EmptyState>
        ) : null}
      </Card>
      <CreateRuleDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        item={deleting}
        onClose={() => setDeleting(null)}
        title={(r) => `Delete rule ${r.name}?`}
        description={() => 'Its past alerts stay.'}
        confirmLabel="Delete rule"
        onConfirm={(r) => remove.mutate(r.id)}
        pending={remove.isPending}
        error={remove.error}
      />
    </div>
  );
}

function CreateRuleDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<RuleFormState>(EMPTY_RULE_FORM);
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = <K extends keyof RuleFormState>(k: K, v: RuleFormState[K]) => setF((x) => ({ ...x, [k]: v }));
  const models = useQuery({ queryKey: ['models'], enabled: open, queryFn: () => data(api.GET('/api/xai-qc/models')) });
  const versions = useQuery({
    queryKey: ['models', f.modelName],
    enabled: open && !!f.modelName,
    queryFn: () => data(api.GET('/api/xai-qc/models/{model}', { params: { path: { model: f.modelName } } })),
  });
  const create = useMutation({
    mutationFn: (body: NonNullable<ReturnType<typeof buildRuleBody>['body']>) => data(api.POST('/api/xai-qc/alert-rules', { body })),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['alert-rules'] });
      toast(`Created rule ${r.name}`, { tone: 'success' });
      onOpenChange(false);
      setF(EMPTY_RULE_FORM);
    },
  });
  const errs = (name: string) => [...(local[name] ? [local[name]!] : []), ...fieldErrors(create.error, name)];
  const metric = ALERT_METRICS.find((m) => m.name === f.metric);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const { body, errors } = buildRuleBody(f);
    setLocal(errors);
    if (body) create.mutate(body);
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title="Create an alert rule" description="Alerts go to the live feed and to every webhook of the account." className="w-[min(95vw,40rem)]">
        <form onSubmit={submit} className="flex flex-col gap-4" aria-label="Create an alert rule" noValidate>
          {create.error ? <ErrorMessage error={create.error} /> : null}
          <Field label="Name" errors={errs('name')}>
            {(p) => <Input {...p} value={f.name} onChange={(e) => set('name', e.target.value)} maxLength={200} placeholder="e.g. escapes on line 3" />}
          </Field>
          <div className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr]">
            <Field label="Metric" hint={metric?.hint} errors={errs('metric')}>
              {(p) => (
                <Select {...p} value={f.metric} onChange={(e) => set('metric', e.target.value)}>
                  {ALERT_METRICS.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Comparator" errors={errs('comparator')}>
              {(p) => (
                <Select {...p} value={f.comparator} onChange={(e) => set('comparator', e.target.value as '>' | '<')}>
                  <option value=">">above (&gt;)</option>
                  <option value="<">below (&lt;)</option>
                </Select>
              )}
            </Field>
            <Field label="Threshold" errors={errs('threshold')}>
              {(p) => <Input {...p} type="number" step="any" value={f.threshold} onChange={(e) => set('threshold', e.target.value)} />}
            </Field>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label={metric?.needsModel ? 'Model' : 'Model (optional)'} errors={errs('model.name')}>
              {(p) => (
                <Select {...p} value={f.modelName} onChange={(e) => setF((x) => ({ ...x, modelName: e.target.value, version: '' }))}>
                  <option value="">{metric?.needsModel ? 'Choose a model' : 'All models'}</option>
                  {models.data?.items.map((m) => (
                    <option key={m.id} value={m.name}>
                      {m.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Version (optional)" errors={errs('model.version')}>
              {(p) => (
                <Select {...p} value={f.version} onChange={(e) => set('version', e.target.value)} disabled={!f.modelName}>
                  <option value="">Any version</option>
                  {versions.data?.versions.map((v) => (
                    <option key={v.id} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Window (minutes)" hint="The trailing range the figure covers." errors={errs('windowMinutes')}>
              {(p) => <Input {...p} type="number" min={1} value={f.windowMinutes} onChange={(e) => set('windowMinutes', e.target.value)} />}
            </Field>
            <Field label="Duration (minutes)" hint="How long it must hold first." errors={errs('forMinutes')}>
              {(p) => <Input {...p} type="number" min={0} value={f.forMinutes} onChange={(e) => set('forMinutes', e.target.value)} />}
            </Field>
            <Field label="Cooldown (minutes)" hint="No second alert sooner." errors={errs('cooldownMinutes')}>
              {(p) => <Input {...p} type="number" min={0} value={f.cooldownMinutes} onChange={(e) => set('cooldownMinutes', e.target.value)} />}
            </Field>
          </div>
          <div className="flex items-center gap-3">
            <Switch id="rule-enabled" checked={f.enabled} onCheckedChange={(v) => set('enabled', v)} />
            <Label htmlFor="rule-enabled">Enabled</Label>
          </div>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? 'Creating\u2026' : 'Create rule'}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
