import { Image as ImageIcon, Layers } from 'lucide-react';
import { Button } from '../../shared/ui/button.tsx';
import { EmptyState } from '../../shared/ui/states.tsx';
import { agreementReading, consensusReading, methodInfo } from './explain-methods.ts';
import type { Reading } from './explain-methods.ts';
import { JobProgress } from './JobProgress.tsx';
import { ColorScale, HeatmapImage } from './MethodView.tsx';
import { ReadingList, ToneIcon } from './Readings.tsx';
import type { ExplanationAggregate } from './types.ts';

/** Props of {@link ConsensusView}. */
export interface ConsensusViewProps {
  aggregate: ExplanationAggregate | undefined;
  /** Jobs under way that will store an aggregate. */
  jobIds: string[];
  /** Methods with a usable stored result for the current target. */
  computed: string[];
  /** All methods of the model. */
  methods: string[];
  canRun: boolean;
  /** The target explained, in words. */
  target: string;
  onRequest: (methods: string[]) => void;
  onShowHeatmap?: (explanationId: string) => void;
}

/** The aggregate of several methods: the consensus map, its score and each method's agreement. */
export function ConsensusView({ aggregate: a, jobIds, computed, methods, canRun, target, onRequest, onShowHeatmap }: ConsensusViewProps) {
  const running = jobIds.map((id) => <JobProgress key={id} jobId={id} label="the explanations" canCancel={canRun} />);
  if (!a) {
    return (
      <div className="flex flex-col gap-3" data-testid="consensus" data-state={jobIds.length ? 'running' : 'empty'}>
        {running}
        {jobIds.length === 0 ? (
          <EmptyState
            title="No consensus yet"
            action={
              canRun ? (
                <div className="flex flex-wrap justify-center gap-2">
                  {computed.length >= 2 ? (
                    <Button variant="outline" onClick={() => onRequest(computed)}>
                      <Layers aria-hidden="true" />
                      Combine the {computed.length} computed methods
                    </Button>
                  ) : null}
                  <Button onClick={() => onRequest(methods)}>Run every method</Button>
                </div>
              ) : undefined
            }
          >
            The consensus combines two methods or more and scores how far they agree on where the evidence is. {canRun ? 'Run every method to see it.' : 'An operator can compute it.'}
          </EmptyState>
        ) : null}
      </div>
    );
  }
  const readings: Reading[] = [
    consensusReading(a.score, a.members.length),
    { label: 'Rank agreement', value: a.meanSpearman.toFixed(2), tone: 'info', hint: 'How alike the methods rank all pixels (mean Spearman correlation, 0 to 1).' },
    { label: 'Hot-spot overlap', value: a.meanIou.toFixed(2), tone: 'info', hint: 'How much the hottest tenth of the pixels overlaps between methods (mean IoU, 0 to 1).' },
  ];
  const members = [...a.members].sort((x, y) => y.agreement - x.agreement);
  return (
    <div className="flex flex-col gap-3" data-testid="consensus" data-state="ready">
      {running}
      <header className="flex flex-col gap-1">
        <h3 className="text-base font-semibold">Consensus of {a.members.length} methods</h3>
        <p className="text-sm text-muted-foreground">The mean of the methods{'\u2019'} maps: what they agree on. Where the methods disagree, trust none of them alone.</p>
      </header>
      <div className="grid gap-4 md:grid-cols-[minmax(0,18rem)_1fr]">
        <figure className="flex flex-col gap-2">
          <HeatmapImage path={a.links.overlay} alt={`Consensus heatmap of ${a.members.length} methods over the image`} width={a.width} height={a.height} className="aspect-square w-full rounded-md border bg-muted object-contain" />
          <ColorScale colormap={a.colormap} target={target} />
        </figure>
        <div className="flex min-w-0 flex-col gap-3">
          <ReadingList readings={readings} testId="consensus-readings" />
          <div>
            <h4 className="mb-1 text-sm font-medium">Agreement of each method with the consensus</h4>
            <table className="w-full text-sm">
              <caption className="sr-only">Agreement of each method with the consensus, 0 to 1</caption>
              <thead>
                <tr className="text-left text-xs text-muted-foreground">
                  <th scope="col" className="py-1 font-medium">Method</th>
                  <th scope="col" className="py-1 font-medium">Agreement</th>
                  {onShowHeatmap ? <th scope="col" className="py-1 font-medium"><span className="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {members.map((m) => {
                  const r = agreementReading(m.agreement);
                  return (
                    <tr key={m.explanationId} className="border-t">
                      <th scope="row" className="py-1 pr-2 text-left font-normal">
                        <span className="inline-flex items-center gap-1.5">
                          <ToneIcon tone={r.tone} />
                          {methodInfo(m.method).label}
                        </span>
                      </th>
                      <td className="w-1/2 py-1 pr-2">
                        <div className="flex items-center gap-2">
                          <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-muted" aria-hidden="true">
                            <div className="h-full rounded-full bg-primary" style={{ width: `${Math.round(Math.max(0, Math.min(1, m.agreement)) * 100)}%` }} />
                          </div>
                          <span className="w-10 text-right font-mono tabular-nums">{m.agreement.toFixed(2)}</span>
                        </div>
                      </td>
                      {onShowHeatmap ? (
                        <td className="py-1 text-right">
                          <Button variant="ghost" size="sm" onClick={() => onShowHeatmap(m.explanationId)}>
                            <ImageIcon aria-hidden="true" />
                            <span className="sr-only">Show {methodInfo(m.method).label} on the image</span>
                          </Button>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {a.excluded.length ? <p className="text-sm text-muted-foreground">Left out because their maps carry no explanation: {a.excluded.map((m) => methodInfo(m).label).join(', ')}.</p> : null}
        </div>
      </div>
    </div>
  );
}
