/**
 * Asking questions about an inspection: the shared types.
 *
 * Data flow (see docs/architecture.md, "Asking questions"):
 *   question text --parseQuestion--> ParsedQuestion (intent + slots, by a small trained text
 *   classifier) --answerQuestion(parsed, AskContext)--> Answer (short answer first, evidence,
 *   citations). The caller (the server, or the CLI for a local image) assembles the AskContext
 *   from the inspection record: nothing in core reads a database. Knowledge-base passages come
 *   through `AskContext.retrieve`, which the caller wires to its own index (per account on the
 *   server). An optional language model (an OpenAI-compatible endpoint) may rewrite the grounded
 *   answer; its answer is accepted only when every citation it makes was given to it.
 */

/** What a question asks. `unknown` when the classifier cannot place it. */
export type AskIntent =
  | 'defect_present'
  | 'defect_type'
  | 'location'
  | 'severity'
  | 'description'
  | 'cause_remedy'
  | 'confidence'
  | 'explanation'
  | 'similar_cases'
  | 'history_metrics'
  | 'model_facts'
  | 'unknown';

/** Every intent an answer can be given for (all but `unknown`), in a stable order. */
export const ASK_INTENTS: readonly Exclude<AskIntent, 'unknown'>[] = [
  'defect_present',
  'defect_type',
  'location',
  'severity',
  'description',
  'cause_remedy',
  'confidence',
  'explanation',
  'similar_cases',
  'history_metrics',
  'model_facts',
];

/** Named image regions a question or an answer can use (a 3 x 3 grid plus "edge"). */
export type ImageRegion =
  | 'upper left'
  | 'top'
  | 'upper right'
  | 'left'
  | 'centre'
  | 'right'
  | 'lower left'
  | 'bottom'
  | 'lower right'
  | 'edge';

/** The pieces of a question beyond its intent. */
export interface QuestionSlots {
  /** class names of the model mentioned in the question (as the model spells them) */
  classNames: string[];
  /** regions mentioned ("is there anything in the upper left?") */
  regions: ImageRegion[];
  /** an ISO date range mentioned ("since Monday", "in November"), inclusive, UTC days */
  dateFrom?: string;
  dateTo?: string;
}

/** A question understood. */
export interface ParsedQuestion {
  text: string;
  intent: AskIntent;
  /** the classifier's probability of `intent` */
  confidence: number;
  /** the next most likely intents with their probabilities, best first */
  alternatives: { intent: Exclude<AskIntent, 'unknown'>; p: number }[];
  slots: QuestionSlots;
}

/** One finding of the inspection, geometry in original image pixels. */
export interface AskFinding {
  label: string;
  score: number;
  severity?: 'minor' | 'major' | 'critical';
  /** [x0, y0, x1, y1) */
  box?: [number, number, number, number];
  /** pixels */
  area?: number;
  /** mask centroid [x, y] when a mask exists, else the box centre */
  centroid?: [number, number];
}

/** The inspection as the answerer sees it. */
export interface AskInspection {
  id: string;
  task: 'classify' | 'segment' | 'detect' | 'anomaly';
  modelName: string;
  modelVersion: string;
  verdict: 'pass' | 'reject';
  /** predicted class (classify), or the worst finding's class, or 'anomalous' / 'normal' */
  label: string;
  /** probability of `label` */
  score: number;
  /** defect probability or normalised anomaly score, compared with `threshold` */
  defectScore: number;
  threshold?: number;
  /** class probabilities (calibrated) when the model classifies */
  probabilities?: { label: string; p: number }[];
  /** labels meaning "no defect" */
  goodLabels: string[];
  findings: AskFinding[];
  image: { width: number; height: number; filename?: string };
  /** millimetres per pixel from the model card, when calibrated */
  pixelSizeMm?: number;
  referred: boolean;
  /** why it was referred, in words, when it was */
  referralReason?: string | null;
  /** MC-Dropout or other uncertainty when computed */
  uncertainty?: { method: string; predictiveEntropy?: number; mutualInformation?: number; std?: number } | null;
  /** the conformal prediction set when the card is conformally calibrated */
  conformalSet?: string[] | null;
  /** calibration state of the model card (temperature fitted, ECE measured) */
  calibration?: { calibrated: boolean; ece?: number } | null;
  createdAt: string;
  /** the current human review, when one exists */
  review?: { outcome: 'accepted' | 'rejected' | 'corrected'; label?: string | null; reviewer?: string; createdAt: string } | null;
}

/** Where one explanation's heatmap puts its mass. */
export interface AskExplanationSummary {
  /** stored explanation id */
  id: string;
  method: string;
  /** the class the map explains */
  targetLabel?: string;
  /** share of positive mass per region (the 3 x 3 grid), summing to about 1 */
  regionShares: Partial<Record<Exclude<ImageRegion, 'edge'>, number>>;
  /** peak position, normalised to [0, 1] x [0, 1] */
  peak: [number, number];
  /** share of mass inside the findings' boxes or masks, when findings exist */
  massInFindings?: number | null;
  /** agreement with the consensus in [0, 1] when known */
  agreement?: number | null;
  /** why the map carries no explanation, when it does not */
  degenerate?: string | null;
}

/** The consensus of several explanation methods. */
export interface AskAggregate {
  id: string;
  members: string[];
  meanIou: number;
  meanSpearman: number;
  /** consensus score in [0, 1] */
  score: number;
}

/** A similar past inspection of the same model version in the same account. */
export interface AskSimilarCase {
  inspectionId: string;
  /** embedding distance, smaller is closer */
  distance: number;
  verdict: 'pass' | 'reject';
  label: string;
  createdAt: string;
  review?: { outcome: 'accepted' | 'rejected' | 'corrected'; label?: string | null } | null;
}

/** Figures of the model version from reviewed inspections. */
export interface AskMetrics {
  modelVersion: string;
  /** the period the figures cover (ISO) */
  from?: string;
  to?: string;
  inspections: number;
  reviewed: number;
  accuracy?: number | null;
  escapeRate?: number | null;
  falseRejectRate?: number | null;
  referralRate?: number | null;
  ece?: number | null;
}

/** The model card facts an answer may quote. */
export interface AskModelFacts {
  name: string;
  version: string;
  task: AskInspection['task'];
  labels: string[];
  intendedUse?: string;
  limitations?: string[];
  /** measured figures on the card, flattened to "path: value" pairs */
  metrics?: Record<string, number | string | boolean>;
}

/** A passage of the knowledge base found for a query. */
export interface KbPassage {
  /** passage id, stable */
  id: string;
  documentId: string;
  documentTitle: string;
  /** where it comes from: a file name, a section heading, a page */
  source: string;
  text: string;
  /** retrieval score, larger is better */
  score: number;
}

/** Everything the answerer may use about one inspection. */
export interface AskContext {
  inspection: AskInspection;
  explanations: AskExplanationSummary[];
  aggregate?: AskAggregate | null;
  similar: AskSimilarCase[];
  metrics?: AskMetrics | null;
  model: AskModelFacts;
  /** knowledge-base search scoped to the caller's account; k passages, best first */
  retrieve(query: string, k: number): Promise<KbPassage[]>;
}

/** What a citation points at. */
export type CitationKind = 'inspection' | 'finding' | 'explanation' | 'aggregate' | 'case' | 'metrics' | 'model' | 'kb';

/**
 * A piece of evidence an answer rests on. `id` is what the answer text cites in square
 * brackets, for example "[1]"; `ref` says what it is in the record:
 * inspection: a field path ("verdict", "probabilities", "uncertainty");
 * finding: its index; explanation / aggregate: the stored id; case: the inspection id;
 * metrics: the model version; model: a card field ("limitations"); kb: the passage id.
 */
export interface Citation {
  id: string;
  kind: CitationKind;
  ref: string;
  /** one line a person can read: "verdict: reject (score 0.93)", "Defect book: Scratches, causes" */
  label: string;
  /** for kb: the document and source */
  documentId?: string;
  source?: string;
}

/** One piece of evidence under the short answer. */
export interface EvidenceItem {
  text: string;
  /** citation ids this sentence rests on */
  citations: string[];
}

/** An answer. `answer` is the whole text: the short answer first, then the evidence. */
export interface Answer {
  question: string;
  intent: AskIntent;
  intentConfidence: number;
  slots: QuestionSlots;
  /** one or two sentences; `answer` starts with it */
  short: string;
  evidence: EvidenceItem[];
  citations: Citation[];
  /** the full text: short answer, then each evidence line with its [n] markers */
  answer: string;
  /** the model is unsure about the inspection (referred, high uncertainty, near the threshold) */
  unsure: boolean;
  /** the answer suggests a human review */
  suggestReview: boolean;
  /** when the question could not be placed or answered: what can be asked instead */
  canAnswer?: string[];
  /** who wrote the text: the grounded composer, or the language model (validated) */
  composer: 'grounded' | 'llm';
  /** why a language-model answer was refused and the grounded one used, when it was */
  llmRejected?: string | null;
}
