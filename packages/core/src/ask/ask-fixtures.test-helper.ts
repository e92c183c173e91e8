/** A hand-made ask context for the answerer's tests: a weld radiograph with two findings. */
import type { AskContext, KbPassage } from './types.ts';

/** Passages the fixture's `retrieve` returns (best first by a word-overlap score). */
export const FIXTURE_PASSAGES: KbPassage[] = [
  { id: 'defect-book/weld#3', documentId: 'defect-book/weld', documentTitle: 'Defect book: weld radiograph defects', source: 'Porosity > What it looks like', text: 'Porosity shows as round dark spots, alone or in clusters, inside the weld bead. Pores are gas trapped as the metal solidified.', score: 0 },
  { id: 'defect-book/weld#4', documentId: 'defect-book/weld', documentTitle: 'Defect book: weld radiograph defects', source: 'Porosity > Typical causes', text: '- Moisture or contamination on the base metal or filler. - Shielding gas flow too low or too high, draughts at the torch.', score: 0 },
  { id: 'defect-book/weld#7', documentId: 'defect-book/weld', documentTitle: 'Defect book: weld radiograph defects', source: 'Crack > What it looks like', text: 'A crack is a sharp dark line, often branched, along or across the weld.', score: 0 },
];

/** A fresh context; `over` replaces top-level parts. */
export function weldContext(over: Partial<AskContext> = {}): AskContext {
  return {
    inspection: {
      id: 'insp-1',
      task: 'segment',
      modelName: 'weld-segmenter',
      modelVersion: '1.0.0',
      verdict: 'reject',
      label: 'porosity',
      score: 0.93,
      defectScore: 0.93,
      threshold: 0.5,
      goodLabels: ['background'],
      findings: [
        { label: 'porosity', score: 0.93, severity: 'major', box: [4, 6, 20, 18], area: 120, centroid: [12, 12] },
        { label: 'crack', score: 0.71, severity: 'minor', box: [100, 90, 124, 94], area: 40, centroid: [112, 92] },
      ],
      image: { width: 128, height: 128 },
      referred: false,
      createdAt: '2026-12-01T10:00:00Z',
    },
    explanations: [
      { id: 'expl-1', method: 'gradcam', targetLabel: 'porosity', regionShares: { 'upper left': 0.7, centre: 0.2, 'lower right': 0.1 }, peak: [0.1, 0.1], massInFindings: 0.65 },
    ],
    aggregate: { id: 'agg-1', members: ['gradcam', 'saliency'], meanIou: 0.6, meanSpearman: 0.7, score: 0.75 },
    similar: [
      { inspectionId: 'insp-0', distance: 0.12, verdict: 'reject', label: 'porosity', createdAt: '2026-11-20T08:00:00Z', review: { outcome: 'accepted' } },
    ],
    metrics: { modelVersion: '1.0.0', from: '2026-11-01', to: '2026-11-30', inspections: 420, reviewed: 60, accuracy: 0.95, escapeRate: 0.02, falseRejectRate: 0.03, referralRate: 0.05 },
    model: { name: 'weld-segmenter', version: '1.0.0', task: 'segment', labels: ['background', 'porosity', 'crack', 'lack_of_fusion'], intendedUse: 'Demo: weld radiographs.', limitations: ['synthetic data only'], metrics: { meanIou: 0.76 } },
    retrieve: (query: string, k: number) => {
      const words = new Set(query.toLowerCase().split(/\W+/));
      const scored = FIXTURE_PASSAGES.map((p) => ({ ...p, score: p.text.toLowerCase().split(/\W+/).filter((w) => words.has(w)).length + p.source.toLowerCase().split(/\W+/).filter((w) => words.has(w)).length }));
      return Promise.resolve(scored.sort((a, b) => b.score - a.score).slice(0, k));
    },
    ...over,
  };
}
