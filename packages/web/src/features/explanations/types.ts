import type { components } from '@xai-qc/client';

/** An inspection as GET /api/xai-qc/inspections/{id} returns it. */
export type Inspection = components['schemas']['Inspection'];
/** A stored explanation (one method's heatmap for one target). */
export type Explanation = components['schemas']['Explanation'];
/** The consensus aggregate of several stored explanations. */
export type ExplanationAggregate = components['schemas']['ExplanationAggregate'];
