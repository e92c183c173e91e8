/**
 * Mirroring a run to an MLflow tracking server through its REST API (2.0): find or
 * create the experiment, `runs/create`, `runs/log-batch` (params, per-epoch metrics,
 * tags), artifacts through the artifact proxy (`mlflow-artifacts`, available when the
 * server runs with --serve-artifacts), and `runs/update` to mark the run terminated.
 * The tracking URI is passed in by the caller (the CLI reads MLFLOW_TRACKING_URI).
 */
import { XqcError } from '../errors.ts';

/** A metric point. */
export interface MlflowMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** A small client for the calls XAI-QC needs. */
export class MlflowClient {
  constructor(readonly trackingUri: string, private readonly fetchImpl: typeof fetch = fetch) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = `${this.trackingUri.replace(/\/$/, '')}/api/2.0/mlflow/${path}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: body ? { 'content-type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new XqcError('XQC_IO', `MLflow at ${this.trackingUri} is unreachable: ${(e as Error).message}`, { cause: e });
    }
    const text = await res.text();
    if (!res.ok) {
      const err = new XqcError('XQC_IO', `MLflow ${path} failed with HTTP ${res.status}: ${text.slice(0, 200)}`);
      (err as { status?: number }).status = res.status;
      throw err;
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The id of experiment `name`, created when missing. */
  async experimentId(name: string): Promise<string> {
    try {
      const r = await this.call<{ experiment: { experiment_id: string } }>('GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
      return r.experiment.experiment_id;
    } catch (e) {
      if ((e as { status?: number }).status !== 404) throw e;
      const r = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name });
      return r.experiment_id;
    }
  }

  /** Creates a run; returns its id. */
  async createRun(experimentId: string, runName: string, tags: Record<string, string>): Promise<string> {
    const r = await this.call<{ run: { info: { run_id: string } } }>('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    return r.run.info.run_id;
  }

  /** Logs params and metrics, chunked to the server's batch limits (100 params, 1000 metrics a call). */
  async logBatch(runId: string, params: Record<string, string>, metrics: MlflowMetric[]): Promise<void> {
    const p = Object.entries(params).map(([key, value]) => ({ key, value: value.slice(0, 6000) }));
    for (let i = 0; i < p.length; i += 100) await this.call('POST', 'runs/log-batch', { run_id: runId, params: p.slice(i, i + 100), metrics: [] });
    for (let i = 0; i < metrics.length; i += 1000) await this.call('POST', 'runs/log-batch', { run_id: runId, params: [], metrics: metrics.slice(i, i + 1000) });
  }

  /** Uploads one artifact file through the artifact proxy. */
  async logArtifact(runId: string, experimentId: string, name: string, bytes: Uint8Array): Promise<void> {
    const url = `${this.trackingUri.replace(/\/$/, '')}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${encodeURIComponent(name)}`;
    const res = await this.fetchImpl(url, { method: 'PUT', body: bytes });
    if (!res.ok) throw new XqcError('XQC_IO', `MLflow artifact upload of ${name} failed with HTTP ${res.status}`);
  }

  /** Marks the run finished or failed. */
  async terminate(runId: string, status: 'FINISHED' | 'FAILED'): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() });
  }
}
