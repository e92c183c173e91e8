/**
 * `explain`: computes the explanations of an inspection that are not stored yet and stores
 * them (services/explanation.service.ts), on an explain worker thread of this process, so
 * the job worker's event loop keeps renewing leases. Progress follows the core's steps
 * (predict, one per method, quality). A cancelled job stops before it stores anything; a
 * computation already running in the thread finishes first.
 * Result: `{ explanationIds: string[], aggregateId: string | null }`.
 */
import { ExplainRunner } from '../../inference/explain-runner.ts';
import { ExplanationRepository } from '../../repositories/explanation.repository.ts';
import { InspectionRepository } from '../../repositories/inspection.repository.ts';
import { ReviewRepository } from '../../repositories/review.repository.ts';
import { explanationBlobs, ExplanationService } from '../../services/explanation.service.ts';
import { currentReviewMaskPng } from '../../services/review.service.ts';
import { defineJob } from '../job-definition.ts';

export const explainJob = defineJob('explain', ({ db, blobs, events, log }) => {
  const reviews = new ReviewRepository(db);
  const service = new ExplanationService({
    repo: new ExplanationRepository(db),
    inspections: new InspectionRepository(db),
    blobs: explanationBlobs(blobs),
    runner: new ExplainRunner(),
    events,
    groundTruthMask: (accountId, id) => currentReviewMaskPng(reviews, async (sha) => (await blobs.get(sha)).bytes, accountId, id),
  });
  return async ({ job, payload, signal, progress }) => {
    const report = (fraction: number, message: string): void => {
      progress(fraction, message).catch((err: unknown) => log.warn({ err, jobId: job.id }, 'explain progress not recorded'));
    };
    report(0, 'starting');
    const result = await service.compute(job.accountId, payload, { jobId: job.id, signal, onProgress: (e) => report((e.step - 1) / e.steps, e.stage) });
    return { result: { explanationIds: result.methods.map((m) => m.id), aggregateId: result.aggregate?.id ?? null } };
  };
});
