/** Schemas of `GET /calibration` and `POST /calibration` (TypeBox). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

/** Query of `GET /calibration`. */
export const CalibrationQuerySchema = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 200, description: 'classifier name' }),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'default: the active version' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** Calibration query. */
export type CalibrationQuery = Static<typeof CalibrationQuerySchema>;

const Figures = Type.Object(
  { accuracy: Type.Number(), ece: Type.Number({ description: '15 equal-width bins' }), eceEqualMass: Type.Number(), mce: Type.Number(), brier: Type.Number(), nll: Type.Number() },
  { description: 'top-label calibration figures on the reviewed inspections' },
);
const Bins = Type.Array(
  Type.Object({ lower: Type.Number(), upper: Type.Number(), count: Type.Integer(), meanConfidence: Type.Union([Type.Number(), Type.Null()]), accuracy: Type.Union([Type.Number(), Type.Null()]) }),
  { description: 'reliability diagram, 15 equal-width bins of top-label confidence' },
);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** The response of `GET /calibration`. */
export const CalibrationStatusSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  versionId: Type.String(),
  range: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('drifting'), Type.Literal('uncalibrated'), Type.Literal('not enough reviews')], {
    description: 'not enough reviews (< minReviews), uncalibrated (no temperature in the card), drifting (served ECE > driftThreshold), else ok',
  }),
  reviewed: Type.Integer(),
  minReviews: Type.Integer(),
  temperature: Type.Union([Type.Number(), Type.Null()], { description: "the card's temperature" }),
  cardEce: Type.Union([Type.Number(), Type.Null()], { description: "ECE after scaling recorded in the card when it was calibrated" }),
  driftThreshold: NullableNumber,
  served: Type.Union([Figures, Type.Null()], { description: 'of the probabilities as served (after the temperature)' }),
  beforeScaling: Type.Union([Figures, Type.Null()], { description: 'of the same probabilities without the temperature' }),
  reliability: Type.Union([Type.Object({ served: Bins, beforeScaling: Type.Union([Bins, Type.Null()]) }), Type.Null()]),
});

/** Calibration status. */
export type CalibrationStatus = Static<typeof CalibrationStatusSchema>;

/** Body of `POST /calibration`. */
export const CalibrationFitSchema = Type.Object(
  {
    model: Type.String({ minLength: 1, maxLength: 200 }),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'default: the active version' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "conformal miscoverage; default the card's (no conformal refit when the card has none and none is given)" })),
  },
  { additionalProperties: false },
);

/** Fit request. */
export type CalibrationFit = Static<typeof CalibrationFitSchema>;
