/** Explanation viewer, trust panel and anomaly answers of one inspection (used by the inspection page). */
export { ExplanationPanel } from './ExplanationPanel.tsx';
export type { ExplanationPanelProps } from './ExplanationPanel.tsx';
export { TrustPanel } from './TrustPanel.tsx';
export type { TrustPanelProps } from './TrustPanel.tsx';
export { AnomalyAnswers } from './AnomalyAnswers.tsx';
export type { AnomalyAnswersProps } from './AnomalyAnswers.tsx';
export type { Explanation, ExplanationAggregate, Inspection } from './types.ts';
