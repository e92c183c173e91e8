/**
 * Live event schemas: one TypeBox schema per event type of events/event-bus.ts
 * `EventPayloads`, and {@link XqcEventSchema}, the union a WebSocket client of
 * `GET /api/xai-qc/ws` receives as JSON text frames. The events plugin registers them with
 * `addSchema`, so they are components of the OpenAPI document (and types of the client).
 * A new event type is one entry in `EventPayloads` and one here: {@link EVENT_SCHEMAS} is
 * checked against `EventType` by the compiler, and the schema tests check every entry.
 */
import { Type } from '@sinclair/typebox';
import type { TObject, TSchema } from '@sinclair/typebox';
import { API_PREFIX } from '../api-prefix.ts';
import type { EventType } from '../events/event-bus.ts';

const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

/** The envelope every event shares, around `data` of type `type`. */
function eventSchema<T extends EventType, D extends TObject>(type: T, id: string, description: string, data: D) {
  return Type.Object(
    {
      type: Type.Literal(type),
      accountId: Type.String({ description: 'the account the event belongs to (always the connected principal\'s)' }),
      at: Type.String({ format: 'date-time', description: 'ISO-8601 UTC time of publication' }),
      data,
    },
    { $id: id, title: id, description, additionalProperties: false },
  );
}

/** `inspection.created`: a new inspection was stored (POST /detect, /detect/batch). */
export const InspectionCreatedEventSchema = eventSchema(
  'inspection.created',
  'InspectionCreatedEvent',
  'A new inspection was stored; read it with GET /inspections/{inspectionId}.',
  Type.Object(
    {
      inspectionId: Type.String({ format: 'uuid' }),
      modelName: Type.String(),
      modelVersion: Type.String(),
      verdict: Type.String({ description: 'the inspection verdict (pass, reject, review, ...)' }),
      score: Type.Union([Type.Number(), Type.Null()], { description: 'the score of the verdict, null when the model has none' }),
    },
    { additionalProperties: false },
  ),
);

/** `explanation.ready`: a stored explanation can be read. */
export const ExplanationReadyEventSchema = eventSchema(
  'explanation.ready',
  'ExplanationReadyEvent',
  'A stored explanation of an inspection is ready; read it with GET /inspections/{inspectionId}/explanations.',
  Type.Object(
    {
      inspectionId: Type.String({ format: 'uuid' }),
      explanationId: Type.String(),
      method: Type.String({ description: 'the explanation method (grad-cam, integrated-gradients, ...)' }),
      jobId: Type.Union([Type.String(), Type.Null()], { description: 'the job that computed it; null when it was computed inline' }),
    },
    { additionalProperties: false },
  ),
);

/** `job.progress`: a job recorded progress. */
export const JobProgressEventSchema = eventSchema(
  'job.progress',
  'JobProgressEvent',
  'A running job recorded progress; GET /jobs/{jobId} has the same figures.',
  Type.Object(
    {
      jobId: Type.String({ format: 'uuid' }),
      name: Type.String({ description: 'the job name' }),
      progress: Type.Number({ minimum: 0, maximum: 1 }),
      message: NullableString('what the job said it was doing'),
    },
    { additionalProperties: false },
  ),
);

/** `job.finished`: a job ended for good. */
export const JobFinishedEventSchema = eventSchema(
  'job.finished',
  'JobFinishedEvent',
  'A job ended for good: succeeded, failed (the dead letter, after its last attempt; retries send nothing) or cancelled.',
  Type.Object(
    {
      jobId: Type.String({ format: 'uuid' }),
      name: Type.String({ description: 'the job name' }),
      status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
      error: NullableString('message of the last failed attempt, null unless failed'),
    },
    { additionalProperties: false },
  ),
);

/** `run.epoch`: a train run finished an epoch. */
export const RunEpochEventSchema = eventSchema(
  'run.epoch',
  'RunEpochEvent',
  'A train run finished an epoch; GET /runs/{runId} lists every epoch so far.',
  Type.Object(
    {
      runId: Type.String({ format: 'uuid' }),
      jobId: Type.String({ format: 'uuid' }),
      epoch: Type.Integer({ minimum: 1 }),
      epochs: Type.Integer({ minimum: 1, description: 'epochs asked for (early stopping may end sooner)' }),
      trainLoss: Type.Number({ description: 'mean training loss of the epoch' }),
      valMetric: Type.Number({ description: 'validation figure: accuracy (classify) or defect Dice (segment)' }),
      lr: Type.Number({ description: 'learning rate at the end of the epoch' }),
      seconds: Type.Number(),
      best: Type.Boolean({ description: 'the best validation figure so far' }),
    },
    { additionalProperties: false },
  ),
);

/** `alert.fired`: an alert rule fired. */
export const AlertFiredEventSchema = eventSchema(
  'alert.fired',
  'AlertFiredEvent',
  'An alert rule fired: its figure broke the threshold for the rule\'s duration; GET /alerts lists it. Webhooks of the account receive it too.',
  Type.Object(
    {
      alertId: Type.String({ format: 'uuid' }),
      ruleId: Type.String({ format: 'uuid' }),
      ruleName: Type.String(),
      metric: Type.String({ description: 'escapeRate, falseRejectRate, referralRate, latencyP99, ece, driftLevel or errorRate' }),
      comparator: Type.String({ description: '> or <' }),
      threshold: Type.Number(),
      value: Type.Number({ description: 'the figure over the rule\'s window' }),
      modelName: NullableString('the model of the rule, null for all'),
      modelVersion: NullableString('the version of the rule, null for all'),
      firedAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
);

/** `review.created`: a review became the current one of an inspection. */
export const ReviewCreatedEventSchema = eventSchema(
  'review.created',
  'ReviewCreatedEvent',
  'A review was recorded and is now the current one of its inspection (metrics, calibration and the review queue change); GET /inspections/{inspectionId}/reviews has it.',
  Type.Object(
    {
      inspectionId: Type.String({ format: 'uuid' }),
      reviewId: Type.String({ format: 'uuid' }),
      verdict: Type.Union([Type.Literal('pass'), Type.Literal('reject')], { description: 'the true verdict' }),
      label: Type.String({ description: 'the true class' }),
      agrees: Type.Boolean({ description: "verdict and label equal the model's" }),
      reviewer: Type.String({ description: 'the subject of the reviewer' }),
    },
    { additionalProperties: false },
  ),
);

/** `monitor.result`: a monitor stored a result. */
export const MonitorResultEventSchema = eventSchema(
  'monitor.result',
  'MonitorResultEvent',
  'A monitor stored a result: its overall drift level and the signals at drift; GET /monitors/{id}/results has the whole result.',
  Type.Object(
    {
      monitorId: Type.String({ format: 'uuid' }),
      resultId: Type.String({ format: 'uuid' }),
      modelName: Type.String(),
      modelVersion: Type.String(),
      level: Type.Union([Type.Literal('none'), Type.Literal('possible'), Type.Literal('drift')]),
      driftedSignals: Type.Array(Type.String(), { description: 'signals whose level is drift' }),
      computedAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
);

/** The schema of each event type; the compiler rejects a missing or unknown type. */
export const EVENT_SCHEMAS = {
  'inspection.created': InspectionCreatedEventSchema,
  'explanation.ready': ExplanationReadyEventSchema,
  'job.progress': JobProgressEventSchema,
  'job.finished': JobFinishedEventSchema,
  'run.epoch': RunEpochEventSchema,
  'alert.fired': AlertFiredEventSchema,
  'review.created': ReviewCreatedEventSchema,
  'monitor.result': MonitorResultEventSchema,
} as const satisfies { readonly [T in EventType]: TObject };

/** How the WebSocket is reached, for the union schema's description and the docs. */
export const EVENTS_WS_DESCRIPTION =
  `One message of the live-event WebSocket at ${API_PREFIX}/ws (ws:// or wss:// on the API's host). ` +
  'Authenticate on connect, before the upgrade: an Authorization bearer header or x-api-key header where the client can set ' +
  'headers, else the subprotocols `xqc-events` and `xqc-token.<token>` (a browser: new WebSocket(url, ["xqc-events", "xqc-token." + token])); ' +
  'the server answers with the subprotocol `xqc-events`. A missing or bad credential is refused with 401 before the upgrade. ' +
  'The server sends each event of the caller\'s account as one JSON text frame; it reads nothing from the client. ' +
  'Delivery is at most once, in publication order per publishing process; after a reconnect, read what was missed from the REST API.';

/** Any live event: what one WebSocket text frame holds. */
export const XqcEventSchema = Type.Union(
  Object.values(EVENT_SCHEMAS).map((s) => Type.Ref(s.$id as string)),
  { $id: 'XqcEvent', title: 'XqcEvent', description: EVENTS_WS_DESCRIPTION },
);

/** Every schema the events plugin registers, components first. */
export const EVENT_SHARED_SCHEMAS: readonly TSchema[] = [...Object.values(EVENT_SCHEMAS), XqcEventSchema];
