/**
 * Inference metrics, named after NVIDIA Triton's `nv_inference_*` family so dashboards
 * built for Triton read them unchanged. As in Triton, the durations are cumulative
 * counters in microseconds (divide a rate of `*_duration_us` by a rate of
 * `nv_inference_request_success` for a mean), labelled by `model` and `version`:
 * - nv_inference_request_success / _failure: requests that returned a result / failed;
 * - nv_inference_count: inferences performed (one per image; a batch of 8 counts 8);
 * - nv_inference_exec_count: model executions (a batch counts 1), so count / exec_count
 *   is the mean batch size;
 * - nv_inference_request_duration_us: from submission to result, queue included;
 * - nv_inference_queue_duration_us: waiting in the micro-batcher's queue;
 * - nv_inference_compute_infer_duration_us: the batch's model run (each request of a
 *   batch is charged the whole run, as Triton does);
 * - nv_inference_pending_request_count (gauge): requests submitted and not yet answered.
 * Beside them, histograms Triton does not have: `xqc_inference_batch_size` (requests per
 * execution) and `xqc_inference_request_duration_seconds`; and `xqc_inspections_total`
 * by model and verdict.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

const LABELS = ['model', 'version'] as const;

/** The inference metric set of one app registry. */
export class InferenceMetrics {
  readonly success: Counter<'model' | 'version'>;
  readonly failure: Counter<'model' | 'version' | 'code'>;
  readonly count: Counter<'model' | 'version'>;
  readonly execCount: Counter<'model' | 'version'>;
  readonly requestUs: Counter<'model' | 'version'>;
  readonly queueUs: Counter<'model' | 'version'>;
  readonly computeUs: Counter<'model' | 'version'>;
  readonly pending: Gauge<'model' | 'version'>;
  readonly batchSize: Histogram<'model' | 'version'>;
  readonly requestSeconds: Histogram<'model' | 'version'>;
  readonly inspections: Counter<'model' | 'verdict'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.success = new Counter({ name: 'nv_inference_request_success', help: 'Inference requests that returned a result', labelNames: LABELS, registers });
    this.failure = new Counter({ name: 'nv_inference_request_failure', help: 'Inference requests that failed, by error code', labelNames: [...LABELS, 'code'] as const, registers });
    this.count = new Counter({ name: 'nv_inference_count', help: 'Inferences performed (one per image)', labelNames: LABELS, registers });
    this.execCount = new Counter({ name: 'nv_inference_exec_count', help: 'Model executions (one per batch)', labelNames: LABELS, registers });
    this.requestUs = new Counter({ name: 'nv_inference_request_duration_us', help: 'Cumulative inference request duration in microseconds, queue included', labelNames: LABELS, registers });
    this.queueUs = new Counter({ name: 'nv_inference_queue_duration_us', help: 'Cumulative time requests waited in the batching queue, microseconds', labelNames: LABELS, registers });
    this.computeUs = new Counter({ name: 'nv_inference_compute_infer_duration_us', help: 'Cumulative model run time charged to requests, microseconds', labelNames: LABELS, registers });
    this.pending = new Gauge({ name: 'nv_inference_pending_request_count', help: 'Inference requests submitted and not yet answered', labelNames: LABELS, registers });
    this.batchSize = new Histogram({ name: 'xqc_inference_batch_size', help: 'Requests per model execution', labelNames: LABELS, buckets: [1, 2, 4, 8, 16, 32, 64], registers });
    this.requestSeconds = new Histogram({
      name: 'xqc_inference_request_duration_seconds',
      help: 'Inference request duration in seconds, queue included',
      labelNames: LABELS,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.inspections = new Counter({ name: 'xqc_inspections_total', help: 'Inspections stored, by model and verdict', labelNames: ['model', 'verdict'] as const, registers });
  }
}
