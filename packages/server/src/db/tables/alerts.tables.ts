/**
 * Tables of alerting (migration 0012-alerts): webhooks an account registered, the log of
 * every delivery attempt, alert rules with their evaluation state, and the alerts they fired.
 */
import type { Insertable, Selectable } from 'kysely';

/** A webhook: where `alert.fired` notifications are POSTed, signed with `secret`. */
export interface WebhooksTable {
  id: string;
  account_id: string;
  /** http(s) URL the notifications are POSTed to. */
  url: string;
  /**
   * HMAC-SHA256 key of the `x-xqc-signature` header. Kept in plain text because the server
   * must sign with it (a hash could not sign); shown to the caller once, at creation, and
   * never returned again. Protect the database as you protect the other credentials.
   */
  secret: string;
  description: string | null;
  created_by: string;
  created_at: string;
}

/** One delivery attempt of one notification to one webhook. */
export interface WebhookDeliveriesTable {
  id: string;
  account_id: string;
  webhook_id: string;
  /** The delivery (the `webhook.deliver` job id, the `x-xqc-delivery` header): the same across its attempts. */
  delivery_id: string;
  /** The alert notified. */
  alert_id: string;
  /** The event type sent (`x-xqc-event`). */
  event: string;
  /** 1-based attempt number. */
  attempt: number;
  /** HTTP status of the answer; null when none came (network error, timeout). */
  status_code: number | null;
  /** 1 for a 2xx answer. */
  ok: number;
  error: string | null;
  duration_ms: number;
  created_at: string;
}

/** An alert rule and its evaluation state. */
export interface AlertRulesTable {
  id: string;
  account_id: string;
  name: string;
  /** One of ALERT_METRICS (services/alert.service.ts). */
  metric: string;
  model_name: string | null;
  model_version: string | null;
  /** `>` or `<`. */
  comparator: string;
  threshold: number;
  window_minutes: number;
  for_minutes: number;
  cooldown_minutes: number;
  enabled: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Since when the condition holds without a break; null when it does not hold. */
  pending_since: string | null;
  /** 1 while the condition has held for `for_minutes`. */
  firing: number;
  last_value: number | null;
  last_evaluated_at: string | null;
  last_fired_at: string | null;
  /** Why the last evaluation could not compute the figure, if it could not. */
  last_error: string | null;
}

/** An alert fired by a rule. */
export interface AlertsTable {
  id: string;
  account_id: string;
  /** The rule (null once the rule is deleted; the alert stays). */
  rule_id: string | null;
  rule_name: string;
  metric: string;
  comparator: string;
  threshold: number;
  value: number;
  model_name: string | null;
  model_version: string | null;
  window_from: string;
  window_to: string;
  /** `open`, `acknowledged` or `resolved`. */
  status: string;
  fired_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** The alerting tables, merged into the app's `Database`. */
export interface AlertTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
}

/** A webhook row. */
export type WebhookRow = Selectable<WebhooksTable>;
/** A delivery attempt row. */
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
/** A new delivery attempt row. */
export type NewWebhookDeliveryRow = Insertable<WebhookDeliveriesTable>;
/** An alert rule row. */
export type AlertRuleRow = Selectable<AlertRulesTable>;
/** An alert row. */
export type AlertRow = Selectable<AlertsTable>;
