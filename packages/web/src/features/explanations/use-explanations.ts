/**
 * Data of the explanation viewer: the stored explanations of an inspection, the methods the
 * server offers (its OpenAPI document) and the model card, and the requests that compute
 * more (`POST /explain`) with the state of each method while its answer or job is under way.
 * Jobs are followed through the live events (`job.progress` moves the bar at once) and
 * `GET /jobs/{id}` (polled slowly as a fallback when the WebSocket is down).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { data } from '@xai-qc/client';
import type { components, paths } from '@xai-qc/client';
import { useCallback, useState } from 'react';
import { api, getBlob } from '../../app/api.ts';
import { useLiveEvent } from '../../app/live-events.ts';
import { methodsFromOpenApi } from './explain-methods.ts';
import type { Inspection } from './types.ts';

type Job = components['schemas']['Job'];
type ExplainBody = paths['/api/xai-qc/explain']['post']['requestBody']['content']['application/json'];

/** The stored explanations and aggregates of an inspection (refreshed by `explanation.ready`). */
export function useStoredExplanations(inspectionId: string) {
  return useQuery({
    queryKey: ['explanations', inspectionId],
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/inspections/{id}/explanations', { params: { path: { id: inspectionId } }, signal })),
  });
}

/**
 * The explanation methods the server declares (the `methods` field of `POST /explain` in its
 * OpenAPI document); undefined while loading or when the document does not list them.
 */
export function useServerMethods() {
  return useQuery({
    queryKey: ['openapi', 'explain-methods'],
    staleTime: Infinity,
    gcTime: Infinity,
    retry: 1,
    queryFn: async ({ signal }) => {
      const text = await (await getBlob('/api/xai-qc/openapi.json', signal)).text();
      return methodsFromOpenApi(JSON.parse(text)) ?? null;
    },
  });
}

/** The model card of the inspection's model version. */
export function useModelCard(model: Inspection['model']) {
  return useQuery({
    queryKey: ['models', model.id, 'versions', model.versionId],
    staleTime: 5 * 60_000,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/models/{model}/versions/{version}', { params: { path: { model: model.id, version: model.versionId } }, signal })),
  });
}

/** A job, re-read on its live events and every few seconds while it is not finished. */
export function useJob(jobId: string | undefined) {
  return useQuery({
    queryKey: ['job', jobId],
    enabled: !!jobId,
    staleTime: 0,
    queryFn: ({ signal }) => data(api.GET('/api/xai-qc/jobs/{id}', { params: { path: { id: jobId! } }, signal })),
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data) ? false : 3000),
  });
}

/** Whether a job ended for good. */
export function isFinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled';
}

/** What a method is doing in this session. */
export type RunState =
  | { status: 'requesting' }
  | { status: 'job'; jobId: string }
  | { status: 'done'; explanationId: string }
  | { status: 'error'; error: unknown };

/** The key of a method's state: the method and the target it explains (`default` or `class:<i>`). */
export function runKey(method: string, targetKey: string): string {
  return `${targetKey}|${method}`;
}

/** The stored target key of a request's target. */
export function targetKeyOf(target: number | undefined): string {
  return target === undefined ? 'default' : `class:${target}`;
}

/** A request: methods, optional per-method parameters, target and seed. */
export interface ExplainAsk {
  methods: string[];
  params?: Record<string, Record<string, number | string>>;
  target?: number;
  seed?: number;
}

/**
 * Asks the server for explanations and keeps each method's state: inline answers are
 * stored at once, a 202 records the job for the methods it computes.
 */
export function useExplainRequests(inspectionId: string) {
  const qc = useQueryClient();
  /** By {@link runKey}: the same method for another target is another run. */
  const [runs, setRuns] = useState<Record<string, RunState>>({});
  const [aggregateId, setAggregateId] = useState<string | undefined>();
  const set = useCallback((ask: ExplainAsk, methods: string[], state: RunState) => setRuns((r) => ({ ...r, ...Object.fromEntries(methods.map((m) => [runKey(m, targetKeyOf(ask.target)), state])) })), []);

  const mutation = useMutation({
    mutationFn: async (ask: ExplainAsk) => {
      const body: ExplainBody = { inspectionId, methods: ask.methods };
      if (ask.params && Object.keys(ask.params).length) body.params = ask.params;
      if (ask.target !== undefined) body.target = ask.target;
      if (ask.seed !== undefined) body.seed = ask.seed;
      const { data: answer, response } = await api.POST('/api/xai-qc/explain', { body });
      return { status: response.status, answer };
    },
    onMutate: (ask) => set(ask, ask.methods, { status: 'requesting' }),
    onSuccess: ({ status, answer }, ask) => {
      if (status === 202 && answer && 'job' in answer) {
        const pending = new Set(answer.pending);
        set(ask, ask.methods.filter((m) => pending.has(m)), { status: 'job', jobId: answer.job.id });
        // the others were stored already: the list shows them
        set(ask, ask.methods.filter((m) => !pending.has(m)), { status: 'done', explanationId: '' });
        qc.setQueryData(['job', answer.job.id], answer.job);
      } else if (answer && 'methods' in answer) {
        setRuns((r) => ({ ...r, ...Object.fromEntries(answer.methods.map((e) => [runKey(e.method, targetKeyOf(ask.target)), { status: 'done', explanationId: e.id } as RunState])) }));
        if (answer.aggregate) setAggregateId(answer.aggregate.id);
      }
      void qc.invalidateQueries({ queryKey: ['explanations', inspectionId] });
    },
    onError: (error, ask) => set(ask, ask.methods, { status: 'error', error }),
  });

  // Progress events move the bar without waiting for GET /jobs/{id}.
  useLiveEvent('job.progress', (e) => {
    qc.setQueryData<Job>(['job', e.data.jobId], (old) => (old && !isFinished(old) ? { ...old, status: 'running', progress: e.data.progress, progressMessage: e.data.message } : old));
  });

  /** Called by a method view when its job ended: the explanation list has the result (or the job the error). */
  const settle = useCallback(
    (jobId: string, job: Job) => {
      const result = job.result as { explanationIds?: string[]; aggregateId?: string | null } | null;
      if (job.status === 'succeeded' && result?.aggregateId) setAggregateId(result.aggregateId);
      setRuns((r) => {
        const next = { ...r };
        for (const [m, s] of Object.entries(r)) {
          if (s.status === 'job' && s.jobId === jobId) next[m] = job.status === 'succeeded' ? { status: 'done', explanationId: '' } : { status: 'error', error: new Error(job.status === 'cancelled' ? 'The job was cancelled.' : (job.error ?? 'The job failed.')) };
        }
        return next;
      });
      void qc.invalidateQueries({ queryKey: ['explanations', inspectionId] });
    },
    [qc, inspectionId],
  );

  return { runs, aggregateId, ask: mutation.mutate, settle };
}
