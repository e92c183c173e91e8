/**
 * Every job name and the payload each one takes. A new kind of job is one entry here, one
 * handler file in handlers/ and one line in register-jobs.ts; start-up fails until all three agree.
 */

/** Payload of each job name (JSON-serialisable). */
export interface JobPayloads {
  /** Trains the model of run `runId` (runs table) on its dataset and registers an inactive version. */
  'run.train': { runId: string };
  /** Evaluates the model version of run `runId` on its dataset and stores the report. */
  'run.evaluate': { runId: string };
  /** Removes blobs no row references and that were put more than `graceMs` ago (default one hour). */
  'blob.sweep': { graceMs?: number; limit?: number };
  /** Refits a classifier version's temperature on the account's reviews and registers a new, inactive version. */
  'calibration.fit': { model: string; version: string; from?: string; to?: string; alpha?: number; createdBy?: string };
  /** Embeds the job account's not-yet-embedded anomaly inspections of a model version (the retrieval index's catch-up). */
  'embedding.index': { versionId: string; batch?: number };
  /** Renders a PDF or Excel report of the job account's record and stores it as report `reportId` (services/report.service.ts). */
  'report.render': {
    reportId: string;
    format: 'pdf' | 'xlsx';
    title: string;
    from?: string;
    to?: string;
    model?: string;
    version?: string;
    inspectionIds?: string[];
    createdBy: string;
    /** Where to mail the finished report (set only when the requester asked and mail is configured). */
    notifyEmail?: string;
  };
  /** Evaluates the job account's enabled alert rules once (services/alert.service.ts); fires alerts whose condition held long enough. */
  'alerts.evaluate': { requestedBy?: string };
  /** Computes and stores one result of monitor `monitorId` of the job account (services/monitor.service.ts); `scheduled` when the scheduler queued it. */
  'monitor.run': { monitorId: string; scheduled?: boolean; requestedBy?: string };
  /** POSTs alert `alertId` to webhook `webhookId`, signed; a non-2xx answer or a network error throws, so the queue retries. */
  'webhook.deliver': { webhookId: string; alertId: string; event: 'alert.fired' };
  /** Computes and stores explanations of an inspection (the body of `POST /explain`, target resolved to a class index). */
  explain: {
    inspectionId: string;
    methods: string[];
    target?: number | { finding: number };
    params?: Record<string, Record<string, number | string | boolean>>;
    seed?: number;
    colormap?: string;
    opacity?: number;
  };
}

/** A job name. */
export type JobName = keyof JobPayloads;

/** Every job name, in a fixed order (the registry checks each has exactly one handler). */
export const JOB_NAMES: readonly JobName[] = Object.freeze(['blob.sweep', 'explain', 'embedding.index', 'run.train', 'run.evaluate', 'calibration.fit', 'report.render', 'alerts.evaluate', 'webhook.deliver', 'monitor.run'] satisfies JobName[]);

/** True when `name` is a known job name. */
export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}
