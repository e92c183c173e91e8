/**
 * Alert rules and alerts.
 *
 * A rule watches one figure of the account's record over a trailing window of
 * `windowMinutes`: {@link ALERT_METRICS} (escapeRate, falseRejectRate and referralRate as
 * fractions 0..1 and latencyP99 in ms from MetricsService.report; ece, top-label expected
 * calibration error with 15 bins, from CalibrationService.status, which needs a model;
 * driftLevel, the worst level of the latest result computed in the window of each monitor
 * of the rule's model (and version), 0 none, 1 possible, 2 drift, which needs a model;
 * errorRate, failed /detect requests (detect_failures: model or runtime errors, not the
 * image's own faults) over failed plus stored ones in the window).
 * `evaluate` (the `alerts.evaluate` job) computes each enabled rule's figure and keeps its
 * state: `pending_since` is when the condition (`figure comparator threshold`) started to
 * hold without a break; a figure that cannot be computed (no reviews in the window) breaks
 * it. When the condition has held for `forMinutes`, the rule is firing and fires an alert,
 * unless it fired within the last `cooldownMinutes`: while the condition keeps holding it
 * fires again at most once per cooldown. Firing stores the alert and the rule's state in one
 * transaction, then publishes `alert.fired` on the event bus (the WebSocket) and enqueues
 * one `webhook.deliver` job per webhook of the account. Alerts are `open` until an operator
 * acknowledges or resolves them.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/schema.ts';
import type { AlertRow, AlertRuleRow } from '../db/tables/alerts.tables.ts';
import { badRequest, conflict, notFound } from '../errors/api-error.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { MetricsRepository } from '../repositories/metrics.repository.ts';
import { MonitorRepository } from '../repositories/monitor.repository.ts';
import { SignalRepository } from '../repositories/signal.repository.ts';
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { WebhookRepository } from '../repositories/webhook.repository.ts';
import type { Alert, AlertQuery, AlertRule, AlertRuleInput, AlertRulePatch } from '../schemas/alert.schema.ts';
import { CalibrationService } from './calibration.service.ts';
import { MetricsService } from './metrics.service.ts';
import type { ModelRegistryService } from './model-registry.service.ts';
import { alertFiredData, WEBHOOK_MAX_ATTEMPTS } from './webhook.service.ts';

/** The figures a rule may watch. */
export const ALERT_METRICS = ['escapeRate', 'falseRejectRate', 'referralRate', 'latencyP99', 'ece', 'driftLevel', 'errorRate'] as const;

/** The figure of each drift level for `driftLevel` rules. */
export const DRIFT_LEVEL_VALUES: Readonly<Record<string, number>> = Object.freeze({ none: 0, possible: 1, drift: 2 });

/** A watched figure. */
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Default `cooldownMinutes` of a rule. */
export const DEFAULT_COOLDOWN_MINUTES = 60;

/** Computes a rule's figure over `[from, to)`; null when there is nothing to compute it from. */
export type FigureSource = (accountId: string, rule: AlertRuleRow, from: string, to: string) => Promise<number | null>;

/** Queues of the apps in this process, by their database: how the `alerts.evaluate` handler reaches the queue. */
const QUEUES = new WeakMap<object, Pick<JobQueue, 'enqueue'>>();

/** Makes `queue` the one the alert jobs of the app on `db` enqueue deliveries to (called by the alert routes). */
export function bindAlertQueue(db: Kysely<Database>, queue: Pick<JobQueue, 'enqueue'>): void {
  QUEUES.set(db, queue);
}

/** The queue bound to `db` by {@link bindAlertQueue}. @throws when none is. */
export function alertQueueOf(db: Kysely<Database>): Pick<JobQueue, 'enqueue'> {
  const q = QUEUES.get(db);
  if (!q) throw new Error('no job queue bound for alerts (routes/alerts.routes.ts registers it)');
  return q;
}

/** The figures of MetricsService and CalibrationService, as rules read them. */
export function metricsFigureSource(db: Kysely<Database>, blobs: { get(sha256: string): Promise<{ bytes: Uint8Array }> }, registry: ModelRegistryService): FigureSource {
  const metrics = new MetricsService(new MetricsRepository(db), { get: async (sha) => (await blobs.get(sha)).bytes });
  const calibration = new CalibrationService(db, registry);
  const monitors = new MonitorRepository(db);
  const signals = new SignalRepository(db);
  return async (accountId, rule, from, to) => {
    const principal: Principal = { kind: 'token', subject: 'xqc-alerts', accountId, role: 'viewer' };
    const model = rule.model_name ?? undefined;
    const version = rule.model_version ?? undefined;
    if (rule.metric === 'driftLevel') {
      if (model === undefined) return null;
      const latest = await monitors.latestLevels(accountId, model, version, from);
      return latest.length === 0 ? null : Math.max(...latest.map((l) => DRIFT_LEVEL_VALUES[l.level] ?? 0));
    }
    if (rule.metric === 'errorRate') {
      const c = await signals.outcomeCounts(accountId, from, to, model, version);
      return c.failures + c.inspections === 0 ? null : c.failures / (c.failures + c.inspections);
    }
    if (rule.metric === 'ece') {
      if (model === undefined) return null;
      return (await calibration.status(principal, { model, version, from, to })).served?.ece ?? null;
    }
    const all = (await metrics.report(principal, { from, to, model, version })).overall;
    switch (rule.metric as AlertMetric) {
      case 'escapeRate':
        return all.classification?.escapeRate ?? null;
      case 'falseRejectRate':
        return all.classification?.falseRejectRate ?? null;
      case 'referralRate':
        return all.referralRate;
      case 'latencyP99':
        return all.latencyMs?.p99 ?? null;
      default:
        return null;
    }
  };
}

function ruleOf(r: AlertRuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    model: r.model_name === null ? null : { name: r.model_name, version: r.model_version },
    comparator: r.comparator as AlertRule['comparator'],
    threshold: Number(r.threshold),
    windowMinutes: r.window_minutes,
    forMinutes: r.for_minutes,
    cooldownMinutes: r.cooldown_minutes,
    enabled: r.enabled === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    state: {
      pendingSince: r.pending_since,
      firing: r.firing === 1,
      lastValue: r.last_value === null ? null : Number(r.last_value),
      lastEvaluatedAt: r.last_evaluated_at,
      lastFiredAt: r.last_fired_at,
      lastError: r.last_error,
    },
  };
}

function alertOf(a: AlertRow): Alert {
  return {
    id: a.id,
    ruleId: a.rule_id,
    ruleName: a.rule_name,
    metric: a.metric,
    comparator: a.comparator,
    threshold: Number(a.threshold),
    value: Number(a.value),
    model: a.model_name === null ? null : { name: a.model_name, version: a.model_version },
    window: { from: a.window_from, to: a.window_to },
    status: a.status as Alert['status'],
    firedAt: a.fired_at,
    acknowledgedAt: a.acknowledged_at,
    acknowledgedBy: a.acknowledged_by,
    resolvedAt: a.resolved_at,
    resolvedBy: a.resolved_by,
  };
}

/** Dependencies of {@link AlertService}. */
export interface AlertServiceDeps {
  repo: AlertRepository;
  webhooks: Pick<WebhookRepository, 'list'>;
  figures: FigureSource;
  events: Pick<EventBus, 'publish'>;
  queue: Pick<JobQueue, 'enqueue'>;
  /** Checks a rule's model (and version) exist; throws 404 when not. */
  checkModel?: (model: string, version: string | undefined) => Promise<void>;
  clock?: () => Date;
}

/** What one evaluation did. */
export interface EvaluationResult {
  evaluated: number;
  fired: { ruleId: string; alertId: string; webhooks: number }[];
  errors: { ruleId: string; error: string }[];
}

const MINUTE = 60_000;

/** See the module comment. */
export class AlertService {
  private readonly clock: () => Date;

  constructor(private readonly deps: AlertServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private async checkRule(metric: string, model: { name: string; version?: string | null } | null | undefined): Promise<void> {
    if (!(ALERT_METRICS as readonly string[]).includes(metric)) throw badRequest('XQC_ALERT_METRIC', `metric: '${metric}' is not a metric rules can watch; one of ${ALERT_METRICS.join(', ')}`);
    if (metric === 'ece' && !model) throw badRequest('XQC_ALERT_MODEL', 'model: required for metric ece (calibration is per classifier)');
    if (metric === 'driftLevel' && !model) throw badRequest('XQC_ALERT_MODEL', 'model: required for metric driftLevel (the monitors of that model, and version when given, are read)');
    if (model && this.deps.checkModel) await this.deps.checkModel(model.name, model.version ?? undefined);
  }

  /** Creates a rule. @throws 400 XQC_ALERT_METRIC, XQC_ALERT_MODEL; 404 for an unknown model. */
  async createRule(principal: Principal, input: AlertRuleInput): Promise<AlertRule> {
    await this.checkRule(input.metric, input.model);
    const now = this.clock().toISOString();
    const row: AlertRuleRow = {
      id: randomUUID(),
      account_id: principal.accountId,
      name: input.name,
      metric: input.metric,
      model_name: input.model?.name ?? null,
      model_version: input.model?.version ?? null,
      comparator: input.comparator,
      threshold: input.threshold,
      window_minutes: input.windowMinutes,
      for_minutes: input.forMinutes ?? 0,
      cooldown_minutes: input.cooldownMinutes ?? DEFAULT_COOLDOWN_MINUTES,
      enabled: input.enabled === false ? 0 : 1,
      created_by: principal.subject,
      created_at: now,
      updated_at: now,
      pending_since: null,
      firing: 0,
      last_value: null,
      last_evaluated_at: null,
      last_fired_at: null,
      last_error: null,
    };
    await this.deps.repo.insertRule(row);
    return ruleOf(row);
  }

  /** The caller's rules. */
  async listRules(principal: Principal): Promise<{ items: AlertRule[] }> {
    return { items: (await this.deps.repo.rules(principal.accountId)).map(ruleOf) };
  }

  /** Changes a rule; a change of what it watches resets its state. @throws 404, 400 as createRule. */
  async updateRule(principal: Principal, id: string, patch: AlertRulePatch): Promise<AlertRule> {
    const current = await this.deps.repo.findRule(principal.accountId, id);
    if (!current) throw notFound(`alert rule ${id}`);
    const metric = patch.metric ?? current.metric;
    const model = patch.model === undefined ? (current.model_name === null ? null : { name: current.model_name, version: current.model_version }) : patch.model;
    await this.checkRule(metric, model);
    const watchChanged = patch.metric !== undefined || patch.model !== undefined || patch.comparator !== undefined || patch.threshold !== undefined || patch.windowMinutes !== undefined || patch.enabled === false;
    const updated = await this.deps.repo.updateRule(principal.accountId, id, {
      name: patch.name ?? current.name,
      metric,
      model_name: model?.name ?? null,
      model_version: model?.version ?? null,
      comparator: patch.comparator ?? current.comparator,
      threshold: patch.threshold ?? current.threshold,
      window_minutes: patch.windowMinutes ?? current.window_minutes,
      for_minutes: patch.forMinutes ?? current.for_minutes,
      cooldown_minutes: patch.cooldownMinutes ?? current.cooldown_minutes,
      enabled: patch.enabled === undefined ? current.enabled : patch.enabled ? 1 : 0,
      updated_at: this.clock().toISOString(),
      ...(watchChanged ? { pending_since: null, firing: 0 } : {}),
    });
    if (!updated) throw notFound(`alert rule ${id}`);
    return ruleOf(updated);
  }

  /** Deletes a rule (its alerts stay). @throws 404 when unknown or another account's. */
  async deleteRule(principal: Principal, id: string): Promise<void> {
    if (!(await this.deps.repo.deleteRule(principal.accountId, id))) throw notFound(`alert rule ${id}`);
  }

  /** The caller's alerts, newest first. */
  async listAlerts(principal: Principal, q: AlertQuery): Promise<{ items: Alert[] }> {
    return { items: (await this.deps.repo.alerts(principal.accountId, q.status, q.limit ?? 100)).map(alertOf) };
  }

  /** Acknowledges an open alert (again: no change). @throws 404; 409 XQC_ALERT_RESOLVED for a resolved one. */
  async acknowledge(principal: Principal, id: string): Promise<Alert> {
    const a = await this.deps.repo.findAlert(principal.accountId, id);
    if (!a) throw notFound(`alert ${id}`);
    if (a.status === 'resolved') throw conflict('XQC_ALERT_RESOLVED', `alert ${id} is resolved`);
    if (a.status === 'acknowledged') return alertOf(a);
    return alertOf((await this.deps.repo.updateAlert(principal.accountId, id, { status: 'acknowledged', acknowledged_at: this.clock().toISOString(), acknowledged_by: principal.subject })) as AlertRow);
  }

  /** Resolves an alert (again: no change). @throws 404. */
  async resolve(principal: Principal, id: string): Promise<Alert> {
    const a = await this.deps.repo.findAlert(principal.accountId, id);
    if (!a) throw notFound(`alert ${id}`);
    if (a.status === 'resolved') return alertOf(a);
    return alertOf((await this.deps.repo.updateAlert(principal.accountId, id, { status: 'resolved', resolved_at: this.clock().toISOString(), resolved_by: principal.subject })) as AlertRow);
  }

  /** Evaluates every enabled rule of `accountId` once (see the module comment). */
  async evaluate(accountId: string): Promise<EvaluationResult> {
    const result: EvaluationResult = { evaluated: 0, fired: [], errors: [] };
    for (const rule of await this.deps.repo.rules(accountId, true)) {
      const now = this.clock();
      const at = now.toISOString();
      const from = new Date(now.getTime() - rule.window_minutes * MINUTE).toISOString();
      let value: number | null;
      let error: string | null = null;
      try {
        value = await this.deps.figures(accountId, rule, from, at);
      } catch (e) {
        value = null;
        error = e instanceof Error ? e.message : String(e);
        result.errors.push({ ruleId: rule.id, error });
      }
      result.evaluated++;
      const holds = value !== null && Number.isFinite(value) && (rule.comparator === '>' ? value > Number(rule.threshold) : value < Number(rule.threshold));
      const pendingSince = holds ? (rule.pending_since ?? at) : null;
      const firing = holds && now.getTime() - Date.parse(pendingSince as string) >= rule.for_minutes * MINUTE;
      const cooled = rule.last_fired_at === null || now.getTime() - Date.parse(rule.last_fired_at) >= rule.cooldown_minutes * MINUTE;
      const state = { pending_since: pendingSince, firing: firing ? 1 : 0, last_value: value, last_evaluated_at: at, last_error: error };
      if (!(firing && cooled)) {
        await this.deps.repo.updateRule(accountId, rule.id, state);
        continue;
      }
      const alert: AlertRow = {
        id: randomUUID(),
        account_id: accountId,
        rule_id: rule.id,
        rule_name: rule.name,
        metric: rule.metric,
        comparator: rule.comparator,
        threshold: Number(rule.threshold),
        value: value as number,
        model_name: rule.model_name,
        model_version: rule.model_version,
        window_from: from,
        window_to: at,
        status: 'open',
        fired_at: at,
        acknowledged_at: null,
        acknowledged_by: null,
        resolved_at: null,
        resolved_by: null,
      };
      await this.deps.repo.transaction(async (trx) => {
        await this.deps.repo.insertAlert(alert, trx);
        await this.deps.repo.updateRule(accountId, rule.id, { ...state, last_fired_at: at }, trx);
      });
      await this.deps.events.publish(accountId, 'alert.fired', alertFiredData(alert));
      const hooks = await this.deps.webhooks.list(accountId);
      for (const h of hooks) {
        await this.deps.queue.enqueue('webhook.deliver', { webhookId: h.id, alertId: alert.id, event: 'alert.fired' }, { accountId, maxAttempts: WEBHOOK_MAX_ATTEMPTS });
      }
      result.fired.push({ ruleId: rule.id, alertId: alert.id, webhooks: hooks.length });
    }
    return result;
  }
}
