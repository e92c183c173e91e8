/**
 * Webhooks: where an account's alerts are POSTed.
 *
 * - `create` accepts only an http:// or https:// URL (else 400 XQC_WEBHOOK_URL, nothing
 *   stored) and generates the signing secret, returned once in the answer and never again.
 *   The secret is stored in plain text in `webhooks.secret`: the server signs every delivery
 *   with it, so a one-way hash would not do. Protect the database accordingly.
 * - `deliver` (the `webhook.deliver` job) POSTs one alert as JSON with the headers
 *   `x-xqc-event` (the event type), `x-xqc-delivery` (the delivery id, the job id: the same
 *   across retries, so a receiver can drop duplicates) and
 *   `x-xqc-signature: sha256=<hex HMAC-SHA256 of the raw body keyed with the secret>`.
 *   Every attempt is logged in `webhook_deliveries`. A non-2xx answer, a network error or
 *   the {@link DELIVERY_TIMEOUT_MS} timeout throws, so the queue retries it with its
 *   exponential backoff, up to {@link WEBHOOK_MAX_ATTEMPTS} attempts, then dead-letters it.
 *   Redirects are not followed (a 3xx is a failed attempt).
 * - Targets: any http(s) host by default, loopback and private networks included; with
 *   `XQC_WEBHOOK_DENY_PRIVATE=1` private, loopback and link-local targets are refused at
 *   creation and before each delivery (services/webhook-egress.ts).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.ts';
import type { AlertRow, WebhookDeliveryRow, WebhookRow } from '../db/tables/alerts.tables.ts';
import { ApiError, badRequest, notFound } from '../errors/api-error.ts';
import type { EventPayloads } from '../events/event-bus.ts';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { WebhookRepository } from '../repositories/webhook.repository.ts';
import type { Webhook, WebhookCreated, WebhookDelivery, WebhookInput } from '../schemas/alert.schema.ts';
import { checkEgress } from './webhook-egress.ts';
import type { WebhookEgress } from './webhook-egress.ts';

/** Attempts of one delivery before it is dead-lettered (1 s, 2 s, 4 s, 8 s between them with the default backoff). */
export const WEBHOOK_MAX_ATTEMPTS = 5;
/** How long one attempt waits for the answer, ms. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** The signature header value of `body` under `secret`: `sha256=<hex HMAC-SHA256>`. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks a webhook URL: an absolute http:// or https:// URL.
 * @throws 400 XQC_WEBHOOK_URL otherwise.
 */
export function checkWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('XQC_WEBHOOK_URL', 'url: not an absolute URL; give an http:// or https:// URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest('XQC_WEBHOOK_URL', `url: scheme '${parsed.protocol}' is not allowed; give an http:// or https:// URL`);
  if (parsed.username !== '' || parsed.password !== '') throw badRequest('XQC_WEBHOOK_URL', 'url: credentials in the URL are not allowed; the signature authenticates deliveries');
  return parsed.toString();
}

/** The `alert.fired` data of an alert row. */
export function alertFiredData(a: AlertRow): EventPayloads['alert.fired'] {
  return {
    alertId: a.id,
    ruleId: a.rule_id ?? '',
    ruleName: a.rule_name,
    metric: a.metric,
    comparator: a.comparator,
    threshold: a.threshold,
    value: a.value,
    modelName: a.model_name,
    modelVersion: a.model_version,
    firedAt: a.fired_at,
  };
}

function webhookOf(r: WebhookRow): Webhook {
  return { id: r.id, url: r.url, description: r.description, createdBy: r.created_by, createdAt: r.created_at };
}

function deliveryOf(r: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    alertId: r.alert_id,
    event: r.event,
    attempt: r.attempt,
    statusCode: r.status_code,
    ok: r.ok === 1,
    error: r.error,
    durationMs: Number(r.duration_ms),
    createdAt: r.created_at,
  };
}

/** One delivery as the job asks for it. */
export interface DeliveryRequest {
  accountId: string;
  webhookId: string;
  alertId: string;
  event: 'alert.fired';
  /** The job id: the `x-xqc-delivery` header. */
  deliveryId: string;
  /** 1-based attempt number. */
  attempt: number;
  signal?: AbortSignal;
}

/** See the module comment. */
export class WebhookService {
  constructor(
    private readonly repo: WebhookRepository,
    private readonly alerts: Pick<AlertRepository, 'findAlert'>,
    private readonly clock: () => Date = () => new Date(),
    private readonly egress: WebhookEgress = { denyPrivate: false },
  ) {}

  /** Registers a webhook. @throws 400 XQC_WEBHOOK_URL for a URL that is not http(s); 400 XQC_WEBHOOK_PRIVATE for a refused target. */
  async create(principal: Principal, input: WebhookInput): Promise<WebhookCreated> {
    const url = checkWebhookUrl(input.url);
    await checkEgress(url, this.egress);
    const row: WebhookRow = {
      id: randomUUID(),
      account_id: principal.accountId,
      url,
      secret: `whsec_${randomBytes(32).toString('hex')}`,
      description: input.description ?? null,
      created_by: principal.subject,
      created_at: this.clock().toISOString(),
    };
    await this.repo.insert(row);
    return { ...webhookOf(row), secret: row.secret };
  }

  /** The caller's webhooks (without secrets). */
  async list(principal: Principal): Promise<{ items: Webhook[] }> {
    return { items: (await this.repo.list(principal.accountId)).map(webhookOf) };
  }

  /** Deletes a webhook and its delivery log. @throws 404 when unknown or another account's. */
  async delete(principal: Principal, id: string): Promise<void> {
    if (!(await this.repo.delete(principal.accountId, id))) throw notFound(`webhook ${id}`);
  }

  /** The delivery log of a webhook, newest first. @throws 404 when unknown or another account's. */
  async deliveries(principal: Principal, id: string, limit = 100): Promise<{ items: WebhookDelivery[] }> {
    if (!(await this.repo.find(principal.accountId, id))) throw notFound(`webhook ${id}`);
    return { items: (await this.repo.deliveries(principal.accountId, id, limit)).map(deliveryOf) };
  }

  /**
   * Sends one attempt of a delivery and logs it.
   * @returns what was sent, or why nothing was (webhook or alert deleted meanwhile).
   * @throws ApiError 502 XQC_WEBHOOK_DELIVERY for a non-2xx answer or no answer (the queue retries).
   */
  async deliver(req: DeliveryRequest): Promise<{ statusCode: number | null; skipped?: string }> {
    const hook = await this.repo.find(req.accountId, req.webhookId);
    if (!hook) return { statusCode: null, skipped: 'webhook deleted' };
    const alert = await this.alerts.findAlert(req.accountId, req.alertId);
    if (!alert) return { statusCode: null, skipped: 'alert deleted' };
    const body = JSON.stringify({ id: req.deliveryId, type: req.event, accountId: req.accountId, at: this.clock().toISOString(), data: alertFiredData(alert) });
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      await checkEgress(hook.url, this.egress);
      const timeout = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
      const res = await fetch(hook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'xai-qc-webhooks',
          'x-xqc-event': req.event,
          'x-xqc-delivery': req.deliveryId,
          'x-xqc-signature': signWebhookBody(hook.secret, body),
        },
        body,
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
    } catch (e) {
      error = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
    }
    await this.repo.recordDelivery({
      id: randomUUID(),
      account_id: req.accountId,
      webhook_id: hook.id,
      delivery_id: req.deliveryId,
      alert_id: alert.id,
      event: req.event,
      attempt: req.attempt,
      status_code: statusCode,
      ok: error === null ? 1 : 0,
      error,
      duration_ms: performance.now() - started,
      created_at: this.clock().toISOString(),
    });
    if (error !== null) throw new ApiError(502, 'XQC_WEBHOOK_DELIVERY', `webhook ${hook.id}: ${error}`);
    return { statusCode };
  }
}
