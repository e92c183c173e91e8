import { CheckCircle2, Columns2, Loader2, Play } from 'lucide-react';
import { useCallback, useId, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { hasRole, useSession } from '../../app/session.ts';
import { Button } from '../../shared/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../shared/ui/card.tsx';
import { Label, Select } from '../../shared/ui/form.tsx';
import { ErrorMessage } from '../../shared/ui/states.tsx';
import { Switch } from '../../shared/ui/switch.tsx';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '../../shared/ui/tabs.tsx';
import { ConsensusView } from './ConsensusView.tsx';
import { methodInfo, methodsForModel, pickAggregate, pickExplanation } from './explain-methods.ts';
import { JobWatch } from './JobProgress.tsx';
import { MethodView } from './MethodView.tsx';
import type { Explanation, Inspection } from './types.ts';
import { runKey, targetKeyOf, useExplainRequests, useServerMethods, useStoredExplanations } from './use-explanations.ts';
import type { RunState } from './use-explanations.ts';

/** Props of {@link ExplanationPanel}. */
export interface ExplanationPanelProps {
  /** The inspection whose explanations are shown. */
  inspection: Inspection;
  /** Called with an explanation id when the operator asks to show that heatmap on the image viewer. */
  onShowHeatmap?: (explanationId: string) => void;
}

const CONSENSUS = 'consensus';

/**
 * Explanation viewer: a tab per method the server offers for this model plus the consensus
 * of several methods, or several methods side by side. Stored results show at once; opening
 * a tab without one asks the server (fast methods answer inline, slow ones run as a job
 * whose progress the tab shows). Each result shows its overlay, parameters, runtime and the
 * figures that say how far to trust it.
 */
export function ExplanationPanel({ inspection, onShowHeatmap }: ExplanationPanelProps) {
  const session = useSession();
  const canRun = hasRole(session.user?.role, 'operator');
  const serverMethods = useServerMethods();
  const stored = useStoredExplanations(inspection.id);
  const { runs, aggregateId, ask, settle } = useExplainRequests(inspection.id);
  const methods = useMemo(() => methodsForModel(serverMethods.data ?? undefined, inspection.model.task), [serverMethods.data, inspection.model.task]);
  const [tab, setTab] = useState<string | undefined>();
  const [sideBySide, setSideBySide] = useState(false);
  const [compare, setCompare] = useState<string[] | undefined>();
  const [target, setTarget] = useState('default');
  const ids = useId();

  const targetIndex = target === 'default' ? undefined : Number(target);
  const targetKey = targetKeyOf(targetIndex);
  const runOf = (m: string): RunState | undefined => runs[runKey(m, targetKey)];
  const items = stored.data?.items ?? [];
  const ready = stored.isSuccess;
  const explanationOf = (m: string): Explanation | undefined => {
    const run = runOf(m);
    return pickExplanation(items, m, targetKey, run?.status === 'done' ? run.explanationId : undefined);
  };
  const computed = methods.filter((m) => {
    const e = explanationOf(m);
    return e && !e.degenerate;
  });
  const aggregates = stored.data?.aggregates ?? [];
  const aggregate = aggregates.find((a) => a.id === aggregateId && a.targetKey === targetKey) ?? pickAggregate(aggregates, targetKey);
  const agreementOf = new Map(aggregate?.members.map((m) => [m.explanationId, m.agreement]) ?? []);
  const agreementFor = (m: string) => {
    const e = explanationOf(m);
    return e ? agreementOf.get(e.id) : undefined;
  };
  const jobIds = [...new Set(Object.values(runs).flatMap((r) => (r.status === 'job' ? [r.jobId] : [])))];
  const jobIdsOfTarget = [
    ...new Set(
      methods.flatMap((m) => {
        const r = runOf(m);
        return r?.status === 'job' ? [r.jobId] : [];
      }),
    ),
  ];
  const targetLabel = targetIndex === undefined ? (items.find((e) => e.target.key === 'default')?.target.label ?? inspection.label) : (inspection.labels[targetIndex] ?? `class ${targetIndex}`);

  const request = useCallback((ms: string[], params?: Record<string, Record<string, number | string>>) => ask({ methods: ms, params, target: targetIndex }), [ask, targetIndex]);
  const requestOne = (m: string) => (params?: Record<string, number | string>) => request([m], params && Object.keys(params).length ? { [m]: params } : undefined);
  // Until a tab is picked: the first method with a stored result, else the first method.
  const activeTab = tab !== undefined && (methods.includes(tab) || tab === CONSENSUS) ? tab : (methods.find((m) => explanationOf(m)) ?? methods[0] ?? CONSENSUS);
  const selected = compare ?? defaultComparison(methods, computed);

  return (
    <Card data-testid="explanation-panel">
      <CardHeader>
        <CardTitle>Explanations</CardTitle>
        <CardDescription>
          Heatmaps of the evidence behind the answer, one per method. Methods work differently: where several agree, the evidence is real.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {jobIds.map((id) => (
          <JobWatch key={id} jobId={id} onFinished={settle} />
        ))}
        <div className="flex flex-wrap items-end gap-x-6 gap-y-3">
          {inspection.model.task !== 'anomaly' && inspection.labels.length > 1 ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${ids}-target`}>Explain</Label>
              <Select id={`${ids}-target`} className="w-56" value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value="default">The model{'\u2019'}s choice</option>
                {inspection.labels.map((l, i) => (
                  <option key={l} value={String(i)}>
                    Class {l}
                  </option>
                ))}
              </Select>
            </div>
          ) : null}
          <div className="flex items-center gap-2 pb-2">
            <Switch id={`${ids}-side`} checked={sideBySide} onCheckedChange={setSideBySide} />
            <Label htmlFor={`${ids}-side`}>
              <span className="inline-flex items-center gap-1.5">
                <Columns2 className="size-4" aria-hidden="true" />
                Side by side
              </span>
            </Label>
          </div>
          {canRun ? (
            <Button variant="outline" className="ml-auto" onClick={() => request(methods)} disabled={methods.every((m) => runOf(m)?.status === 'job' || runOf(m)?.status === 'requesting')}>
              <Play aria-hidden="true" />
              Run every method
            </Button>
          ) : null}
        </div>
        {stored.error ? <ErrorMessage error={stored.error} /> : null}

        {sideBySide ? (
          <SideBySide
            methods={methods}
            selected={selected}
            onSelect={setCompare}
            render={(m) => (
              <MethodView key={`${m}|${targetKey}`} method={m} explanation={explanationOf(m)} run={runOf(m)} ready={ready} canRun={canRun} onRequest={requestOne(m)} onShowHeatmap={onShowHeatmap} agreement={agreementFor(m)} autoRun compact />
            )}
          />
        ) : (
          <Tabs value={activeTab} onValueChange={setTab} activationMode="manual">
            <TabsList aria-label="Explanation methods" className="w-full justify-start">
              {methods.map((m) => (
                <TabsTrigger key={m} value={m}>
                  {methodInfo(m).short}
                  <StatusMark run={runOf(m)} done={!!explanationOf(m)} />
                </TabsTrigger>
              ))}
              <TabsTrigger value={CONSENSUS}>
                Consensus
                {aggregate ? <span className="font-mono text-xs tabular-nums">{aggregate.score.toFixed(2)}</span> : null}
              </TabsTrigger>
            </TabsList>
            {methods.map((m) => (
              <TabsContent key={m} value={m}>
                <MethodView key={`${m}|${targetKey}`} method={m} explanation={explanationOf(m)} run={runOf(m)} ready={ready} canRun={canRun} onRequest={requestOne(m)} onShowHeatmap={onShowHeatmap} agreement={agreementFor(m)} autoRun />
              </TabsContent>
            ))}
            <TabsContent value={CONSENSUS}>
              <ConsensusView aggregate={aggregate} jobIds={jobIdsOfTarget} computed={computed} methods={methods} canRun={canRun} target={targetLabel} onRequest={(ms) => request(ms)} onShowHeatmap={onShowHeatmap} />
            </TabsContent>
          </Tabs>
        )}
      </CardContent>
    </Card>
  );
}

/** The methods compared at first: those computed (up to four), else the two fast CAM methods. */
function defaultComparison(methods: string[], computed: string[]): string[] {
  if (computed.length >= 2) return computed.slice(0, 4);
  return methods.filter((m) => m === 'gradcam' || m === 'gradcampp' || computed.includes(m)).slice(0, 4);
}

/** A small mark in a tab: running, or computed. */
function StatusMark({ run, done }: { run: RunState | undefined; done: boolean }) {
  if (run?.status === 'job' || run?.status === 'requesting') {
    return (
      <>
        <Loader2 className="size-3.5 animate-spin" aria-hidden="true" />
        <span className="sr-only">(running)</span>
      </>
    );
  }
  if (done) {
    return (
      <>
        <CheckCircle2 className="size-3.5 text-success" aria-hidden="true" />
        <span className="sr-only">(computed)</span>
      </>
    );
  }
  return null;
}

function SideBySide({ methods, selected, onSelect, render }: { methods: string[]; selected: string[]; onSelect: (m: string[]) => void; render: (m: string) => ReactNode }) {
  const toggle = (m: string, on: boolean) => onSelect(on ? methods.filter((x) => x === m || selected.includes(x)) : selected.filter((x) => x !== m));
  return (
    <div className="flex flex-col gap-3" data-testid="side-by-side">
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Methods to compare (choose two or more)</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {methods.map((m) => (
            <label key={m} className="inline-flex min-h-8 items-center gap-2 text-sm">
              <input type="checkbox" className="size-4 accent-primary" checked={selected.includes(m)} onChange={(e) => toggle(m, e.target.checked)} />
              {methodInfo(m).short}
            </label>
          ))}
        </div>
      </fieldset>
      {selected.length < 2 ? <p className="text-sm text-muted-foreground">Choose at least two methods to compare them.</p> : null}
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(13rem,1fr))] gap-4" aria-label="Methods side by side">
        {selected.map((m) => (
          <li key={m} className="rounded-md border p-3">
            {render(m)}
          </li>
        ))}
      </ul>
    </div>
  );
}
