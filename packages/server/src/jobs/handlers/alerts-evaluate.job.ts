/**
 * `alerts.evaluate`: evaluates the job account's enabled alert rules once
 * (services/alert.service.ts); a rule that fires stores an alert, publishes `alert.fired`
 * and enqueues one `webhook.deliver` job per webhook of the account. Result: what it did.
 */
import { AlertRepository } from '../../repositories/alert.repository.ts';
import { WebhookRepository } from '../../repositories/webhook.repository.ts';
import { alertQueueOf, AlertService, metricsFigureSource } from '../../services/alert.service.ts';
import { defineJob } from '../job-definition.ts';

export const alertsEvaluateJob = defineJob('alerts.evaluate', ({ db, blobs, events, registry }) => async ({ job, progress }) => {
  const service = new AlertService({ repo: new AlertRepository(db), webhooks: new WebhookRepository(db), figures: metricsFigureSource(db, blobs, registry), events, queue: alertQueueOf(db) });
  const result = await service.evaluate(job.accountId);
  await progress(1, `${result.evaluated} rules evaluated, ${result.fired.length} fired`);
  return { result };
});
