/**
 * Model and version pickers (native selects: keyboard, screen readers and tablets behave),
 * fed by `GET /models` and `GET /models/{model}`. Shared by the dashboard, calibration and
 * threshold pages.
 */
import { useQuery } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { api } from '../../app/api.ts';
import { Field, Select } from '../../shared/ui/form.tsx';

/** A model as listed. */
export type ModelSummary = components['schemas']['Model'];

/** The account's models (`['models']`, shared with the Models page). */
export function useModels() {
  return useQuery({ queryKey: ['models'], queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models', { signal })) });
}

/** One model with its versions, newest first (`['models', name]`, shared with the model page). */
export function useModelDetail(model: string | undefined) {
  return useQuery({
    queryKey: ['models', model],
    enabled: !!model,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models/{model}', { params: { path: { model: model! } }, signal })),
  });
}

/** Props of {@link ModelVersionPicker}. */
export interface ModelVersionPickerProps {
  model?: string;
  version?: string;
  onChange: (next: { model?: string; version?: string }) => void;
  /** Offer "All models" / "All versions" (the dashboard); otherwise a model must be chosen. */
  allowAll?: boolean;
  /** Only models of these tasks (calibration: classifiers). */
  tasks?: ModelSummary['task'][];
  /** The text of the version select's empty choice (default "All versions" or "Active version"). */
  anyVersionLabel?: string;
}

/** The two selects. */
export function ModelVersionPicker({ model, version, onChange, allowAll = false, tasks, anyVersionLabel }: ModelVersionPickerProps) {
  const models = useModels();
  const detail = useModelDetail(model);
  const list = (models.data?.items ?? []).filter((m) => !tasks || tasks.includes(m.task));
  const versions = detail.data?.versions ?? [];
  return (
    <>
      <Field label="Model" className="w-64">
        {(p) => (
          <Select {...p} value={model ?? ''} disabled={models.isPending} onChange={(e) => onChange({ model: e.target.value || undefined, version: undefined })}>
            {allowAll || !model ? <option value="">{allowAll ? 'All models' : models.isPending ? 'Loading models' : 'Choose a model'}</option> : null}
            {model && !list.some((m) => m.name === model) && !models.isPending ? <option value={model}>{model} (not found)</option> : null}
            {list.map((m) => (
              <option key={m.id} value={m.name}>
                {m.name} ({m.task})
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Version" className="w-48">
        {(p) => (
          <Select {...p} value={version ?? ''} disabled={!model || detail.isPending} onChange={(e) => onChange({ model, version: e.target.value || undefined })}>
            <option value="">{anyVersionLabel ?? (allowAll ? 'All versions' : 'Active version')}</option>
            {versions.map((v) => (
              <option key={v.id} value={v.version}>
                {v.version}
                {v.active ? ' (active)' : ''}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </>
  );
}

/**
 * The model a page should open on when the URL names none: among the models of `tasks`, the
 * one with the most reviewed inspections in the last 30 days (from `GET /metrics?groupBy=version`),
 * else the first with an active version. `pending` while that is being worked out.
 */
export function usePreferredModel(tasks?: ModelSummary['task'][]): { name: string | undefined; pending: boolean } {
  const models = useModels();
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z';
  const usage = useQuery({
    queryKey: ['metrics', { groupBy: 'version', from, purpose: 'preferred-model' }],
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/metrics', { params: { query: { groupBy: 'version', from } }, signal })),
  });
  const list = (models.data?.items ?? []).filter((m) => !tasks || tasks.includes(m.task));
  if (models.isPending || (usage.isPending && !usage.error)) return { name: undefined, pending: true };
  const reviewed = new Map<string, number>();
  for (const g of usage.data?.groups ?? []) {
    const name = g.key.slice(0, g.key.lastIndexOf('@'));
    reviewed.set(name, (reviewed.get(name) ?? 0) + g.reviewed);
  }
  const ranked = [...list].sort((a, b) => (reviewed.get(b.name) ?? 0) - (reviewed.get(a.name) ?? 0) || Number(!!b.activeVersion) - Number(!!a.activeVersion));
  return { name: ranked[0]?.name, pending: false };
}
