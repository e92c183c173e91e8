/**
 * The anomaly method of a run, read from what the server returns: the method asked for
 * (`params.params.method`, default patchcore), and once the run has finished the method
 * fitted and, after `auto`, why it was chosen (`metrics.method`, `metrics.choice.reason`).
 * The run schema types `params` and `metrics` as unknown, so both are read defensively.
 */

/** What the run page shows of an anomaly run's method. */
export interface RunMethod {
  /** What the run asked for: patchcore, simulated or auto. */
  requested: string;
  /** The method fitted, once the run finished. */
  fitted?: string;
  /** Why auto kept it, in words. */
  reason?: string;
  /** The time budget asked for, seconds. */
  budgetSeconds?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The method of an anomaly train run; undefined for other runs. */
export function runMethod(run: { kind: string; task: string; params: unknown; metrics: unknown }): RunMethod | undefined {
  if (run.kind !== 'train' || run.task !== 'anomaly') return undefined;
  const params = (run.params as { params?: { method?: unknown; timeBudgetSeconds?: unknown } } | null)?.params;
  const metrics = run.metrics as { method?: unknown; choice?: { reason?: unknown } | null } | null;
  const budget = params?.timeBudgetSeconds;
  return {
    requested: str(params?.method) ?? 'patchcore',
    fitted: str(metrics?.method),
    reason: str(metrics?.choice?.reason),
    budgetSeconds: typeof budget === 'number' && Number.isFinite(budget) ? budget : undefined,
  };
}
