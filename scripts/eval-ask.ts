/**
 * Evaluates the question answerer on synthetic inspections of the demo models:
 *   npm run eval:ask                       60 images per model, seed 1
 *   npm run eval:ask -- --images 20 --seed 3 --out .tmp/ask-eval.json --no-kb
 *   npm run eval:ask -- --models surface-anomaly --model-dir surface-anomaly=runs/candidate
 * `--models` evaluates some of the demo models only; `--model-dir NAME=DIR` runs model NAME
 * from DIR instead of models/NAME (a candidate detector, before it replaces the shipped one).
 * The real demo models run on generated images (core's Predictor / AnomalyDetector);
 * Grad-CAM and saliency maps are computed for half the images; answers come from
 * answerQuestion without a language model, with the shipped defect book as the knowledge
 * base (or none with --no-kb). Scores per subtask follow packages/core/src/ask/eval-score.ts;
 * see docs/ask.md, "Evaluation".
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AnomalyDetector,
  ASK_SUBTASKS,
  allowedCitations,
  answerQuestion,
  assessCertainty,
  buildLocalAskContext,
  defaultIntentClassifier,
  defectBookIndex,
  explainImage,
  GRID_REGIONS,
  pointInRegion,
  Predictor,
  readModelCard,
  scoreAnswer,
  validateCitations,
} from '@xai-qc/core';
import type { AnomalyPrediction, AskContext, AskReference, AskSubtask, KbPassage, LocalExplanationMap, ModelCard, Prediction } from '@xai-qc/core';
import { EVAL_MODELS, generateModelSet } from './ask-eval/generate.ts';
import type { EvalImage, EvalModel, EvalQuestion } from './ask-eval/generate.ts';

const INTENT_OF: Record<AskSubtask, string> = {
  present: 'defect_present',
  type: 'defect_type',
  location: 'location',
  description: 'description',
  cause: 'cause_remedy',
  confidence: 'confidence',
  explanation: 'explanation',
};

interface Row {
  model: string;
  subtask: AskSubtask;
  /** whether the model's own output was right on what the subtask asks (present, type, location); null otherwise */
  modelRight: boolean | null;
  question: string;
  intent: string;
  correct: boolean;
  citationsValid: boolean;
  latencyMs: number;
  short: string;
  detail: string;
  /** location questions answered wrong: why (see locationCause) */
  cause?: string;
}

/** Grid region with the most positive mass of a map (computed here, apart from the answerer's summary). */
function topRegion(map: { width: number; height: number; data: Float32Array }): (typeof GRID_REGIONS)[number] | null {
  const cells = new Array<number>(9).fill(0);
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      const v = map.data[y * map.width + x];
      if (v > 0) cells[Math.min(2, Math.floor((3 * y) / map.height)) * 3 + Math.min(2, Math.floor((3 * x) / map.width))] += v;
    }
  }
  const best = cells.indexOf(Math.max(...cells));
  return cells[best] > 0 ? GRID_REGIONS[best] : null;
}

async function predictAll(model: EvalModel, dir: string, card: ModelCard, images: EvalImage[]): Promise<{ predictions: Prediction[]; predictor?: Predictor }> {
  if (model.runner === 'anomaly') {
    const detector = await AnomalyDetector.load(dir, { severity: card.severity, minAreaPixels: card.thresholds.minAreaPixels, input: card.input });
    return { predictions: (await detector.predict(images.map((i) => i.sample.image), 16)).predictions };
  }
  const predictor = await Predictor.load(join(dir, 'model.onnx'));
  return { predictions: (await predictor.predict(images.map((i) => i.sample.image), 16)).predictions, predictor };
}

async function explanationsFor(predictor: Predictor | undefined, image: EvalImage): Promise<{ maps: LocalExplanationMap[]; consensus?: { score: number; meanIou: number; meanSpearman: number; methods: string[] } }> {
  if (!predictor || !image.explain) return { maps: [] };
  const r = await explainImage(predictor, image.sample.image, { methods: ['gradcam', 'saliency'], seed: 0 });
  const maps = r.summary.methods.map((m) => ({
    id: `${m.method}-${image.index}`,
    method: m.method,
    targetLabel: r.summary.target.label,
    map: r.maps[m.method],
    agreement: m.agreement ?? null,
    degenerate: m.degenerate ? m.degenerate.message : null,
  }));
  return { maps, consensus: r.summary.consensus };
}

function reference(q: EvalQuestion, image: EvalImage, ctx: AskContext, kbAvailable: boolean, leadRegion: (typeof GRID_REGIONS)[number] | null): AskReference {
  const label = image.sample.label;
  switch (q.subtask) {
    case 'present':
      return { subtask: 'present', answer: image.defective !== q.good ? 'yes' : 'no' };
    case 'type':
      return { subtask: 'type', label };
    case 'location':
      return { subtask: 'location', points: image.points ?? [], image: { width: image.sample.image.width, height: image.sample.image.height } };
    case 'description':
    case 'cause':
      return { subtask: q.subtask, label, kbAvailable };
    case 'confidence':
      return { subtask: 'confidence', probability: ctx.inspection.score, unsure: assessCertainty(ctx.inspection).unsure };
    case 'explanation': {
      // A model without a good label (the cell classifier) judges no defects: its explanation answer names the class instead.
      const judges = ctx.inspection.task !== 'classify' || ctx.inspection.goodLabels.length > 0;
      return judges ? { subtask: 'explanation', verdict: ctx.inspection.verdict, region: leadRegion } : { subtask: 'explanation', verdict: null, label: ctx.inspection.label, region: leadRegion };
    }
  }
}

/**
 * Whether the model's output itself was right on what a subtask asks, so that the answerer's
 * faithfulness (right where the model was right) can be told from the model's errors.
 */
function modelRight(q: EvalQuestion, image: EvalImage, ctx: AskContext): boolean | null {
  const i = ctx.inspection;
  const defects = i.findings.filter((f) => !i.goodLabels.includes(f.label)).sort((a, b) => (b.area ?? -1) - (a.area ?? -1));
  switch (q.subtask) {
    case 'present':
      return (i.verdict === 'reject') === image.defective;
    case 'type':
      return (i.task === 'classify' ? i.label : defects[0]?.label) === image.sample.label;
    case 'location': {
      const c = defects.find((f) => f.centroid)?.centroid;
      return c !== undefined && GRID_REGIONS.some((r) => pointInRegion(c, r, i.image) && (image.points ?? []).some((p) => pointInRegion(p, r, i.image, 0.05)));
    }
    default:
      return null;
  }
}

/** Why a location answer was wrong: the model missed the defect, located nothing, located only elsewhere, or the answer named a wrong finding first. */
function locationCause(image: EvalImage, ctx: AskContext): string {
  const i = ctx.inspection;
  if (i.verdict === 'pass') return 'the model passed the part (missed the defect)';
  const located = i.findings.filter((f) => f.centroid && !i.goodLabels.includes(f.label));
  if (!located.length) return 'rejected without a located region; the map it points by lies off the defect';
  const right = located.some((f) => GRID_REGIONS.some((r) => pointInRegion(f.centroid as [number, number], r, i.image) && (image.points ?? []).some((p) => pointInRegion(p, r, i.image, 0.05))));
  return right ? 'a finding lies in a right cell, but the answer named another first' : 'every finding lies off the defect';
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'no-kb': { type: 'boolean', default: false },
      models: { type: 'string' },
      'model-dir': { type: 'string', multiple: true, default: [] },
    },
  });
  const count = Number(values.images);
  const seed = Number(values.seed);
  if (!Number.isInteger(count) || count < 4 || !Number.isInteger(seed) || seed < 0) throw new Error('XQC_INVALID_ARGUMENT: --images must be an integer >= 4 and --seed a non-negative integer');
  const names = EVAL_MODELS.map((m) => m.name);
  const only = values.models ? values.models.split(',').map((s) => s.trim()).filter(Boolean) : [...names];
  const dirs = new Map(names.map((n) => [n, join('models', n)]));
  for (const spec of values['model-dir']) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new Error(`XQC_INVALID_ARGUMENT: --model-dir takes NAME=DIR, got "${spec}"`);
    only.push(spec.slice(0, eq));
    dirs.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length) throw new Error(`XQC_INVALID_ARGUMENT: unknown model(s) ${unknown.join(', ')}; the evaluated models are ${names.join(', ')}`);
  const evaluated = EVAL_MODELS.filter((m) => only.includes(m.name));
  const t0 = performance.now();
  defaultIntentClassifier();
  const trainMs = performance.now() - t0;
  const kb = values['no-kb'] ? undefined : defectBookIndex();
  const baseRetrieve = (q: string, k: number): Promise<KbPassage[]> => (kb ? kb.search(q, k) : Promise.resolve([]));
  const now = new Date('2026-12-05T12:00:00Z');
  const rows: Row[] = [];
  for (const model of evaluated) {
    const tm = performance.now();
    const dir = dirs.get(model.name) as string;
    const card = await readModelCard(join(dir, 'model_card.yaml'));
    const { images, questions } = generateModelSet(model, seed, count);
    const { predictions, predictor } = await predictAll(model, dir, card, images);
    const contexts = new Map<number, { ctx: AskContext; maps: LocalExplanationMap[] }>();
    for (const image of images) {
      const { maps, consensus } = await explanationsFor(predictor, image);
      const ctx = buildLocalAskContext({ card, prediction: predictions[image.index], image: { width: image.sample.image.width, height: image.sample.image.height }, explanations: maps, consensus, id: `${model.name}-${image.index}`, createdAt: now.toISOString() });
      contexts.set(image.index, { ctx, maps });
    }
    for (const q of questions) {
      const image = images[q.image];
      const { ctx: base, maps } = contexts.get(q.image) as { ctx: AskContext; maps: LocalExplanationMap[] };
      const retrieved: KbPassage[] = [];
      const ctx: AskContext = { ...base, retrieve: async (text, k) => {
        const r = await baseRetrieve(text, k);
        retrieved.push(...r);
        return r;
      } };
      const t = performance.now();
      const answer = await answerQuestion(q.text, ctx, { now });
      const latencyMs = performance.now() - t;
      // The reference region of an explanation question: the most massive cell of the map the answer leads with.
      const lead = base.explanations.find((e) => !e.degenerate);
      const leadMap = lead?.id === 'anomalymap' ? (predictions[q.image] as AnomalyPrediction).anomalyMap : maps.find((m) => (m.id ?? m.method) === lead?.id)?.map;
      const ref = reference(q, image, ctx, Boolean(kb), leadMap ? topRegion(leadMap) : null);
      const passages = new Map(retrieved.map((p) => [p.id, p.text]));
      const score = scoreAnswer(answer, ref, card.labels, passages);
      const check = validateCitations(answer, allowedCitations(ctx, retrieved));
      const row: Row = { model: model.name, subtask: q.subtask, modelRight: modelRight(q, image, ctx), question: q.text, intent: answer.intent, correct: score.correct, citationsValid: check.valid, latencyMs, short: answer.short, detail: score.detail };
      if (q.subtask === 'location' && !score.correct) row.cause = locationCause(image, ctx);
      rows.push(row);
    }
    process.stderr.write(`${model.name}: ${images.length} images, ${questions.length} questions, ${((performance.now() - tm) / 1000).toFixed(1)} s\n`);
  }

  const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const lines: string[] = [];
  lines.push(`ask evaluation: seed ${seed}, ${count} images per model, ${rows.length} questions, knowledge base: ${kb ? `defect book (${kb.size} passages, BM25)` : 'none (--no-kb): description and cause are scored on the class alone'}`);
  const moved = evaluated.filter((m) => dirs.get(m.name) !== join('models', m.name));
  if (moved.length) lines.push(`models run from other folders: ${moved.map((m) => `${m.name} from ${dirs.get(m.name)}`).join(', ')}`);
  lines.push('');
  lines.push(['model', ...ASK_SUBTASKS].join('\t'));
  for (const m of evaluated) {
    lines.push([m.name, ...ASK_SUBTASKS.map((s) => {
      const r = rows.filter((x) => x.model === m.name && x.subtask === s);
      return r.length ? `${pct(r.filter((x) => x.correct).length, r.length)} (${r.length})` : '-';
    })].join('\t'));
  }
  lines.push(['all', ...ASK_SUBTASKS.map((s) => {
    const r = rows.filter((x) => x.subtask === s);
    return `${pct(r.filter((x) => x.correct).length, r.length)} (${r.length})`;
  })].join('\t'));
  const lat = rows.map((r) => r.latencyMs).sort((a, b) => a - b);
  lines.push('');
  for (const s of ['present', 'type', 'location'] as const) {
    const r = rows.filter((x) => x.subtask === s);
    const right = r.filter((x) => x.modelRight);
    lines.push(`${s}: the model's output was right for ${pct(right.length, r.length)}; answers right where the model was right: ${pct(right.filter((x) => x.correct).length, right.length)}; where it was wrong: ${pct(r.filter((x) => !x.modelRight && x.correct).length, r.length - right.length)}`);
  }
  const causes = new Map<string, Map<string, number>>();
  for (const r of rows.filter((x) => x.cause)) {
    const m = causes.get(r.cause as string) ?? new Map<string, number>();
    m.set(r.model, (m.get(r.model) ?? 0) + 1);
    causes.set(r.cause as string, m);
  }
  if (causes.size) lines.push(`location answers wrong, by cause: ${[...causes].map(([c, m]) => `${c}: ${[...m].map(([k, n]) => `${k} ${n}`).join(', ')}`).join('; ')}`);
  lines.push(`intent understood as the subtask's intent: ${pct(rows.filter((r) => r.intent === INTENT_OF[r.subtask]).length, rows.length)}`);
  lines.push(`answers with every citation valid: ${pct(rows.filter((r) => r.citationsValid).length, rows.length)}`);
  lines.push(`answerQuestion latency (no language model): p50 ${quantile(lat, 0.5).toFixed(2)} ms, p95 ${quantile(lat, 0.95).toFixed(2)} ms, max ${lat[lat.length - 1].toFixed(2)} ms`);
  lines.push(`intent classifier training at first use: ${trainMs.toFixed(0)} ms`);
  lines.push(`machine load: ${execFileSync('uptime').toString().trim()}`);
  const wrong = rows.filter((r) => !r.correct || !r.citationsValid);
  if (wrong.length) {
    lines.push('');
    lines.push(`first wrong answers (of ${wrong.length}):`);
    for (const r of wrong.slice(0, 15)) lines.push(`  ${r.model} ${r.subtask} "${r.question}" -> [${r.intent}] ${r.short} | ${r.detail}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, JSON.stringify({ seed, images: count, rows }, null, 1));
  }
}

await main();
