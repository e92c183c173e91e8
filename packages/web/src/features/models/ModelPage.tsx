import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { data } from '@xai-qc/client';
import type { components } from '@xai-qc/client';
import { ArrowLeft, Download } from 'lucide-react';
import { api, downloadBlob, getBlob } from '../../app/api.ts';
import { hasRole, useSession } from '../../app/session.ts';
import { bytes, dateTime, num, percent } from '../../shared/lib/format.ts';
import { Badge } from '../../shared/ui/badge.tsx';
import { Button, buttonVariants } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Field, Select } from '../../shared/ui/form.tsx';
import { EmptyState, ErrorMessage, PageHeader, Skeleton, Spinner } from '../../shared/ui/states.tsx';
import { Table, Td, Th } from '../../shared/ui/table.tsx';
import { toast } from '../../shared/ui/toast.tsx';
import { cardFigure, cardSections, formatFigure, perClassRows } from './model-card-view.ts';
import { modelRoute } from './route.ts';

type ModelVersion = components['schemas']['ModelVersion'];

/** A model: its versions (activate, view card), the card of one version, and two versions compared. */
export default function ModelPage() {
  const { modelName } = modelRoute.useParams();
  const search = modelRoute.useSearch();
  const navigate = useNavigate({ from: modelRoute.fullPath });
  const engineer = hasRole(useSession().user?.role, 'engineer');
  const qc = useQueryClient();
  const detail = useQuery({ queryKey: ['models', modelName], queryFn: () => data(api.GET('/api/xai-qc/models/{model}', { params: { path: { model: modelName } } })) });
  const versions = detail.data?.versions ?? [];
  const shown = versions.find((v) => v.version === search.version) ?? versions.find((v) => v.active) ?? versions[0];

  const activate = useMutation({
    mutationFn: (version: string) => data(api.POST('/api/xai-qc/models/{model}/versions/{version}/activate', { params: { path: { model: modelName, version } } })),
    onSuccess: async (v) => {
      toast(`${v.modelName} ${v.version} is active`, { tone: 'success', description: 'New inspections use this version.' });
      await qc.invalidateQueries({ queryKey: ['models'] });
    },
  });

  const setSearch = (patch: Partial<typeof search>) => void navigate({ search: (s) => ({ ...s, ...patch }), replace: true, resetScroll: false });
  const a = search.a ?? versions[1]?.version;
  const b = search.b ?? versions[0]?.version;

  return (
    <div className="flex flex-col gap-4">
      <div>
        <Link to="/models" className={buttonVariants({ variant: 'link', size: 'sm', className: 'px-0' })}>
          <ArrowLeft aria-hidden="true" /> All models
        </Link>
        <PageHeader
          title={modelName}
          description={
            detail.data ? (
              <>
                {detail.data.model.task} model, {versions.length} version{versions.length === 1 ? '' : 's'}; active: <strong>{detail.data.model.activeVersion ?? 'none'}</strong>
                {detail.data.model.description ? ` \u00b7 ${detail.data.model.description}` : ''}
              </>
            ) : undefined
          }
        />
      </div>
      {detail.error ? <ErrorMessage error={detail.error} /> : null}
      {activate.error ? <ErrorMessage error={activate.error} /> : null}

      <Card>
        <CardHeader>
          <CardTitle>Versions</CardTitle>
          <CardDescription>Newest first. Exactly one version is active; inspections use it.</CardDescription>
        </CardHeader>
        <Table aria-label="Versions">
          <thead>
            <tr>
              <Th>Version</Th>
              <Th>Status</Th>
              <Th className="text-right">Accuracy</Th>
              <Th className="text-right">ECE</Th>
              <Th className="text-right">Reject threshold</Th>
              <Th>Registered</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {detail.isPending
              ? Array.from({ length: 2 }, (_, i) => (
                  <tr key={i}>
                    <Td colSpan={7}>
                      <Skeleton className="h-6 w-full" />
                    </Td>
                  </tr>
                ))
              : versions.map((v) => {
                  const card = v.card as Record<string, unknown>;
                  return (
                    <tr key={v.id} className={v.id === shown?.id ? 'bg-muted/50' : undefined}>
                      <Td className="font-medium">{v.version}</Td>
                      <Td>{v.active ? <Badge variant="good">active</Badge> : <Badge variant="secondary">inactive</Badge>}</Td>
                      <Td className="text-right tabular-nums">{percent(cardFigure(card, 'metrics.accuracy'))}</Td>
                      <Td className="text-right tabular-nums">{num(cardFigure(card, 'calibration.eceAfter') ?? cardFigure(card, 'calibration.ece'))}</Td>
                      <Td className="text-right tabular-nums">{num(cardFigure(card, 'thresholds.reject'), 2)}</Td>
                      <Td className="whitespace-nowrap">{dateTime(v.createdAt)}</Td>
                      <Td>
                        <div className="flex justify-end gap-2">
                          <Button size="sm" variant="outline" onClick={() => setSearch({ version: v.version })} aria-label={`Show the card of ${v.version}`} aria-pressed={v.id === shown?.id}>
                            Card
                          </Button>
                          {engineer && !v.active ? (
                            <Button size="sm" onClick={() => activate.mutate(v.version)} disabled={activate.isPending} aria-label={`Activate ${v.version}`}>
                              Activate
                            </Button>
                          ) : null}
                        </div>
                      </Td>
                    </tr>
                  );
                })}
          </tbody>
        </Table>
      </Card>

      {versions.length >= 2 && a && b ? <Compare model={modelName} versions={versions} a={a} b={b} onChange={(patch) => setSearch(patch)} /> : null}
      {versions.length === 1 ? <p className="text-sm text-muted-foreground">Upload a second version to compare two side by side.</p> : null}
      {shown ? <CardView model={modelName} version={shown} /> : null}
      {!detail.isPending && !detail.error && versions.length === 0 ? <EmptyState title="This model has no versions">Upload a version on the Models page.</EmptyState> : null}
    </div>
  );
}

function Compare({ model, versions, a, b, onChange }: { model: string; versions: ModelVersion[]; a: string; b: string; onChange: (p: { a?: string; b?: string }) => void }) {
  const cmp = useQuery({
    queryKey: ['models', model, 'compare', a, b],
    enabled: a !== b,
    queryFn: () => data(api.GET('/api/xai-qc/models/{model}/compare', { params: { path: { model }, query: { a, b } } })),
  });
  const rows = cmp.data?.rows ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Compare two versions</CardTitle>
        <CardDescription>Card figures side by side; changed rows are marked, and numbers show B minus A.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <div className="grid max-w-xl grid-cols-2 gap-3">
          <Field label="Version A">
            {(p) => (
              <Select {...p} value={a} onChange={(e) => onChange({ a: e.target.value })}>
                {versions.map((v) => (
                  <option key={v.id} value={v.version}>
                    {v.version}
                    {v.active ? ' (active)' : ''}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Version B">
            {(p) => (
              <Select {...p} value={b} onChange={(e) => onChange({ b: e.target.value })}>
                {versions.map((v) => (
                  <option key={v.id} value={v.version}>
                    {v.version}
                    {v.active ? ' (active)' : ''}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        {a === b ? <p className="text-sm text-muted-foreground">Choose two different versions.</p> : null}
        {cmp.error ? <ErrorMessage error={cmp.error} /> : null}
        {cmp.isFetching && !cmp.data ? <Spinner label="Comparing" /> : null}
        {a !== b && rows.length > 0 ? (
          <Table aria-label={`Comparison of ${a} and ${b}`}>
            <thead>
              <tr>
                <Th>Figure</Th>
                <Th className="text-right">A: {a}</Th>
                <Th className="text-right">B: {b}</Th>
                <Th className="text-right">B &minus; A</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.field} className={r.changed ? 'bg-warning/10' : undefined}>
                  <Td className="font-mono text-xs [overflow-wrap:anywhere]">
                    {r.field}
                    {r.changed ? <span className="sr-only"> (changed)</span> : null}
                  </Td>
                  <Td className="text-right tabular-nums [overflow-wrap:anywhere]">{formatFigure(r.a)}</Td>
                  <Td className="text-right tabular-nums [overflow-wrap:anywhere]">{formatFigure(r.b)}</Td>
                  <Td className={`text-right tabular-nums ${r.delta && r.delta > 0 ? 'text-success' : r.delta && r.delta < 0 ? 'text-destructive' : ''}`}>
                    {r.delta === null ? (r.changed ? 'changed' : '') : `${r.delta > 0 ? '+' : ''}${formatFigure(r.delta)}`}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </CardContent>
    </Card>
  );
}

function CardView({ model, version }: { model: string; version: ModelVersion }) {
  const card = version.card as Record<string, unknown>;
  const sections = cardSections(card);
  const perClass = perClassRows(card);
  const download = async (file: 'model_card.yaml' | 'model.onnx') => {
    try {
      const blob = await getBlob(`/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version.version)}/download?file=${file}`);
      downloadBlob(blob, file === 'model.onnx' ? `${model}-${version.version}.onnx` : `${model}-${version.version}.model_card.yaml`);
    } catch (e) {
      toast('The download failed', { tone: 'error', description: e instanceof Error ? e.message : undefined });
    }
  };
  return (
    <Card>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2">
        <div>
          <CardTitle>
            Model card: {version.version} {version.active ? <Badge variant="good">active</Badge> : null}
          </CardTitle>
          <CardDescription>
            ONNX IR {version.irVersion}, opset {version.opset}; input {version.input.name} [{version.input.shape.map((d) => d ?? '?').join(', ')}];{' '}
            {version.files.map((f) => `${f.name} ${bytes(f.size)}`).join(', ')}
          </CardDescription>
        </div>
        <div className="flex gap-2">
          <Button size="sm" variant="outline" onClick={() => void download('model_card.yaml')}>
            <Download aria-hidden="true" /> Card YAML
          </Button>
          <Button size="sm" variant="outline" onClick={() => void download('model.onnx')}>
            <Download aria-hidden="true" /> ONNX
          </Button>
        </div>
      </CardHeader>
      <CardContent className="grid gap-4 xl:grid-cols-2">
        {sections.map((s) => (
          <section key={s.key} aria-labelledby={`card-${s.key}`} className={s.key === 'overview' ? 'xl:col-span-2' : undefined}>
            <h3 id={`card-${s.key}`} className="mb-1 text-sm font-semibold">
              {s.title}
            </h3>
            <dl className="grid grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-1 text-sm">
              {s.rows.map((r) => (
                <div key={r.label} className="contents">
                  <dt className="text-muted-foreground">{r.label}</dt>
                  <dd className="min-w-0 [overflow-wrap:anywhere]">{r.value}</dd>
                </div>
              ))}
            </dl>
            {s.key === 'metrics' && perClass.length ? (
              <Table aria-label="Per-class test figures" className="mt-2">
                <thead>
                  <tr>
                    <Th>Class</Th>
                    <Th className="text-right">Precision</Th>
                    <Th className="text-right">Recall</Th>
                    <Th className="text-right">F1</Th>
                    <Th className="text-right">Support</Th>
                  </tr>
                </thead>
                <tbody>
                  {perClass.map((r) => (
                    <tr key={r.label}>
                      <Td>{r.label}</Td>
                      <Td className="text-right tabular-nums">{r.precision}</Td>
                      <Td className="text-right tabular-nums">{r.recall}</Td>
                      <Td className="text-right tabular-nums">{r.f1}</Td>
                      <Td className="text-right tabular-nums">{r.support}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : null}
          </section>
        ))}
      </CardContent>
    </Card>
  );
}
