/**
 * Schemas of the alerting routes (TypeBox): webhooks and their delivery log, alert rules
 * with their evaluation state, and alerts.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** Body of `POST /webhooks`. */
export const WebhookInputSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, description: 'an http:// or https:// URL; anything else is 400 XQC_WEBHOOK_URL' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

/** A webhook body. */
export type WebhookInput = Static<typeof WebhookInputSchema>;

const WebhookFields = {
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  description: NullableString,
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
};

/** A webhook as listed (never with its secret). */
export const WebhookSchema = Type.Object(WebhookFields, { $id: 'Webhook', title: 'Webhook' });

/** A webhook as listed. */
export type Webhook = Static<typeof WebhookSchema>;

/** A webhook as created: the only answer that carries its secret. */
export const WebhookCreatedSchema = Type.Object(
  {
    ...WebhookFields,
    secret: Type.String({ description: 'the HMAC-SHA256 key of x-xqc-signature; shown once, never returned again' }),
  },
  { $id: 'WebhookCreated', title: 'WebhookCreated' },
);

/** A created webhook. */
export type WebhookCreated = Static<typeof WebhookCreatedSchema>;

/** The account's webhooks. */
export const WebhookListSchema = Type.Object({ items: Type.Array(Type.Ref('Webhook')) });

/** One delivery attempt. */
export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deliveryId: Type.String({ description: 'the x-xqc-delivery header: the same across the attempts of one delivery' }),
    alertId: Type.String({ format: 'uuid' }),
    event: Type.String({ description: 'the x-xqc-event header' }),
    attempt: Type.Integer({ minimum: 1 }),
    statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'the answer\'s HTTP status; null when none came' }),
    ok: Type.Boolean({ description: 'a 2xx answer' }),
    error: NullableString,
    durationMs: Type.Number(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'WebhookDelivery', title: 'WebhookDelivery' },
);

/** A delivery attempt. */
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

/** Query of `GET /webhooks/{id}/deliveries`. */
export const DeliveryQuerySchema = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false });

/** The delivery log of a webhook, newest first. */
export const WebhookDeliveryListSchema = Type.Object({ items: Type.Array(Type.Ref('WebhookDelivery')) });

const ModelRef = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), version: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
  { additionalProperties: false, description: 'the model (and version) the figure is computed for; required for ece and driftLevel' },
);

const RuleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  metric: Type.String({ minLength: 1, maxLength: 100, description: 'escapeRate, falseRejectRate, referralRate, latencyP99 (ms), ece, driftLevel (0 none, 1 possible, 2 drift: the latest monitor results of the model) or errorRate (failed /detect over all); anything else is 400 XQC_ALERT_METRIC' }),
  model: Type.Optional(ModelRef),
  comparator: Type.Union([Type.Literal('>'), Type.Literal('<')]),
  threshold: Type.Number(),
  windowMinutes: Type.Integer({ minimum: 1, maximum: 525_600, description: 'the trailing range the figure is computed over' }),
  forMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600, description: 'how long the condition must hold before the rule fires (default 0)' })),
  cooldownMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600, description: 'no second alert of this rule within this many minutes of the last (default 60)' })),
  enabled: Type.Optional(Type.Boolean({ description: 'default true' })),
};

/** Body of `POST /alert-rules`. */
export const AlertRuleInputSchema = Type.Object(RuleFields, { additionalProperties: false });

/** An alert rule body. */
export type AlertRuleInput = Static<typeof AlertRuleInputSchema>;

/** Body of `PATCH /alert-rules/{id}`: any field of the rule. */
export const AlertRulePatchSchema = Type.Object(
  { ...RuleFields, name: Type.Optional(RuleFields.name), metric: Type.Optional(RuleFields.metric), model: Type.Optional(Type.Union([ModelRef, Type.Null()])), comparator: Type.Optional(RuleFields.comparator), threshold: Type.Optional(RuleFields.threshold), windowMinutes: Type.Optional(RuleFields.windowMinutes) },
  { additionalProperties: false, minProperties: 1 },
);

/** An alert rule patch. */
export type AlertRulePatch = Static<typeof AlertRulePatchSchema>;

/** An alert rule as returned, with its evaluation state. */
export const AlertRuleSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    metric: Type.String(),
    model: Type.Union([Type.Object({ name: Type.String(), version: NullableString }), Type.Null()]),
    comparator: Type.Union([Type.Literal('>'), Type.Literal('<')]),
    threshold: Type.Number(),
    windowMinutes: Type.Integer(),
    forMinutes: Type.Integer(),
    cooldownMinutes: Type.Integer(),
    enabled: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    state: Type.Object({
      pendingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'since when the condition holds; null when it does not' }),
      firing: Type.Boolean({ description: 'the condition has held for forMinutes' }),
      lastValue: NullableNumber,
      lastEvaluatedAt: NullableDate,
      lastFiredAt: NullableDate,
      lastError: Type.Union([Type.String(), Type.Null()], { description: 'why the last evaluation could not compute the figure' }),
    }),
  },
  { $id: 'AlertRule', title: 'AlertRule' },
);

/** An alert rule as returned. */
export type AlertRule = Static<typeof AlertRuleSchema>;

/** The account's alert rules. */
export const AlertRuleListSchema = Type.Object({ items: Type.Array(Type.Ref('AlertRule')) });

/** The alert statuses. */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** An alert. */
export const AlertSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    ruleId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'null once the rule was deleted' }),
    ruleName: Type.String(),
    metric: Type.String(),
    comparator: Type.String(),
    threshold: Type.Number(),
    value: Type.Number({ description: 'the figure that broke the threshold' }),
    model: Type.Union([Type.Object({ name: Type.String(), version: NullableString }), Type.Null()]),
    window: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
    status: Type.Union(ALERT_STATUSES.map((s) => Type.Literal(s))),
    firedAt: Type.String({ format: 'date-time' }),
    acknowledgedAt: NullableDate,
    acknowledgedBy: NullableString,
    resolvedAt: NullableDate,
    resolvedBy: NullableString,
  },
  { $id: 'Alert', title: 'Alert' },
);

/** An alert as returned. */
export type Alert = Static<typeof AlertSchema>;

/** Query of `GET /alerts`. */
export const AlertQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Union(ALERT_STATUSES.map((s) => Type.Literal(s)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

/** Alerts query. */
export type AlertQuery = Static<typeof AlertQuerySchema>;

/** Alerts, newest first. */
export const AlertListSchema = Type.Object({ items: Type.Array(Type.Ref('Alert')) });

/** Answer of `POST /alert-rules/evaluate`. */
export const EvaluateQueuedSchema = Type.Object({ jobId: Type.String({ format: 'uuid', description: 'the alerts.evaluate job (GET /jobs/{id})' }) });
