/**
 * `webhook.deliver`: POSTs one alert to one webhook, signed (services/webhook.service.ts).
 * Each attempt is logged in `webhook_deliveries`; a non-2xx answer or a network error throws,
 * so the queue retries with its backoff until the job's maxAttempts. The job id is the
 * delivery id (`x-xqc-delivery`), the same across retries.
 */
import { AlertRepository } from '../../repositories/alert.repository.ts';
import { WebhookRepository } from '../../repositories/webhook.repository.ts';
import { WebhookService } from '../../services/webhook.service.ts';
import { defineJob } from '../job-definition.ts';

export const webhookDeliverJob = defineJob('webhook.deliver', ({ db, config }) => {
  const service = new WebhookService(new WebhookRepository(db), new AlertRepository(db), undefined, { denyPrivate: config.webhookDenyPrivate });
  return async ({ job, payload, signal }) => {
    const result = await service.deliver({ accountId: job.accountId, webhookId: payload.webhookId, alertId: payload.alertId, event: payload.event, deliveryId: job.id, attempt: Math.max(1, job.attempts), signal });
    return { result };
  };
});
