/**
 * Explaining one inspected image end to end: preprocess as the model card says, decide
 * (decision.ts: verdict, probabilities, what to outline), choose the target
 * (image-target.ts), build the model function (CAM layer from the caller, the card's
 * explain.layer or the last spatial activation), run every requested method by registry
 * name with its declared parameters checked first, flag degenerate maps
 * (degenerate-map.ts) and leave them out of the aggregate and the consensus (aggregate.ts),
 * score the maps against a ground-truth mask when one is given (explain/quality), and map
 * them back onto the image. All model work happens at model resolution; maps come back at
 * the size of the image given, so a caller bounds memory by passing a display-size image
 * (decodeImage's maxSide). The summary is plain JSON; the maps come alongside.
 */
import { XqcError } from '../errors.ts';
import type { ImageU8, ScalarMap } from '../image/image.types.ts';
import type { Predictor } from '../models/predictor.ts';
import { mapToOriginal } from '../models/preprocess.ts';
import type { Prediction } from '../models/result.ts';
import { consensus } from './aggregate.ts';
import { decide } from './decision.ts';
import type { Decision, DecisionOverlay } from './decision.ts';
import { degenerateMap } from './degenerate-map.ts';
import { prepareExplainImage } from './explain-input.ts';
import type { DegenerateMap } from './degenerate-map.ts';
import { anomalyTarget, imageTarget } from './image-target.ts';
import type { ImageTarget } from './image-target.ts';
import { chooseCamLayer } from './layers.ts';
import { ModelFunction } from './model-function.ts';
import { energyInMask, pointingGame } from './quality/localisation.ts';
import type { MaskLike } from './quality/localisation.ts';
import { deletionCurve, insertionCurve } from './quality/perturbation-curves.ts';
import { checkMethodParams, getExplainer } from './registry.ts';
import { SUPERPIXEL_DEFAULTS } from './superpixels/coalitions.ts';
import type { SuperpixelParams } from './superpixels/coalitions.ts';
import { slic } from './superpixels/slic.ts';
import type { Superpixels } from './superpixels/slic.ts';
import type { Explanation } from './types.ts';

/** One step of {@link explainImage}, for progress reporting. */
export interface ExplainProgress {
  /** 1-based step and the number of steps (predict, then one per method, then quality). */
  step: number;
  steps: number;
  /** What the step is about to do, e.g. `predict`, `method gradcam`, `quality`. */
  stage: string;
}

/** Where the explained image and model came from, recorded in the summary. */
export interface ExplainSource {
  image?: { path?: string; sha256?: string; bytes?: number; format?: string; width: number; height: number };
  model?: { path?: string; sha256?: string };
}

/** Options of {@link explainImage}. */
export interface ExplainImageOptions {
  /** Registry names of the methods to run, in order; a name given twice is refused. */
  methods: readonly string[];
  /** Class index (classify, segment) or output element (other tasks); default: see image-target.ts. */
  target?: number;
  /** CAM layer; default the card's explain.layer, else the last spatial activation. */
  layer?: string;
  /** Seed of every sampling method (default 0). */
  seed?: number;
  /** Parameters by method name, e.g. `{ lime: { samples: 500 } }`; checked against each method's declared table. */
  params?: Readonly<Record<string, Record<string, unknown>>>;
  /** Ground-truth defect mask (nonzero = defect) of exactly the image's size. */
  mask?: MaskLike;
  /** SLIC settings of the superpixels LIME and Kernel SHAP share, computed once on the model-size image. */
  superpixels?: Partial<Omit<SuperpixelParams, 'segments'>>;
  /** Also compute deletion and insertion AUCs per method (2 x 21 forward passes each). */
  curves?: boolean;
  /** Pointing-game tolerance in image pixels (default 15 per 224 px of the longer side, as Zhang et al.). */
  pointingTolerance?: number;
  /** Largest batch per ONNX Runtime call (default 32). */
  maxBatch?: number;
  /** Provenance recorded in the summary (the CLI passes the files' paths and SHA-256). */
  source?: ExplainSource;
  /** Called before each step. */
  onProgress?: (e: ExplainProgress) => void;
}

/** Quality of one map against the mask (and the deletion/insertion AUCs when asked). */
export interface MapQuality {
  pointingHit?: boolean;
  pointingDistance?: number;
  energyInMask?: number;
  deletionAuc?: number;
  insertionAuc?: number;
}

/** One method in the summary. */
export interface MethodSummary {
  method: string;
  runtimeMs: number;
  evaluations: number;
  params: Record<string, unknown>;
  /** Set when the map carries no explanation; such a map is left out of the aggregate and the consensus. */
  degenerate?: DegenerateMap;
  /** |sum of attributions - (f(x) - f(baseline))| for methods with completeness (ig, kernelshap; gradshap's expected gap). */
  completenessError?: number;
  /** Agreement of this map with the consensus map, in [0, 1] (two usable maps or more). */
  agreement?: number;
  quality?: MapQuality;
  extras: Record<string, unknown>;
}

/** The JSON summary of {@link explainImage}. */
export interface ExplainImageSummary {
  model: { name: string; version: string; task: string; path?: string; sha256?: string };
  /** The image the maps are drawn at; `source` adds where it came from and its original size. */
  image: { width: number; height: number } & Partial<NonNullable<ExplainSource['image']>> & { original?: { width: number; height: number } };
  input: { width: number; height: number };
  /** Verdict, the probability or score it rests on, class probabilities (decision.ts). */
  decision?: Decision;
  prediction?: Omit<Prediction, 'mask' | 'findings'> & { findings: Omit<Prediction['findings'][number], 'rle'>[] };
  target: Omit<ImageTarget, 'target'> & { of: string; description: string; score: number };
  layer?: string;
  superpixels?: { count: number; nSegments: number; compactness: number; slicSigma: number };
  seed: number;
  methods: MethodSummary[];
  /** Aggregate of the usable maps: pixel-wise mean of their normalised maps, and its consensus score (two usable maps or more). */
  consensus?: { score: number; meanSpearman: number; meanIou: number; methods: string[]; excluded: string[] };
  totalMs: number;
}

/** What {@link explainImage} returns. */
export interface ExplainImageResult {
  summary: ExplainImageSummary;
  /** Maps at the image's size, by method. */
  maps: Record<string, ScalarMap>;
  /** Maps at model-input resolution, by method. */
  modelMaps: Record<string, ScalarMap>;
  /** Aggregate map in [0, 1] at the image's size (two usable maps or more). */
  consensusMap?: ScalarMap;
  /** What the decision outlines on the image (predicted mask, boxes), at the image's size. */
  overlay: DecisionOverlay;
  explanations: Explanation[];
}

const CAM_METHODS = new Set(['gradcam', 'gradcampp']);
const SUPERPIXEL_METHODS = new Set(['lime', 'kernelshap']);
const SLIC_KEYS = ['segments', 'nSegments', 'compactness', 'slicSigma'];

/** Plain JSON: typed arrays become arrays, non-finite numbers null, undefined and functions dropped. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => jsonSafe(Number(x)));
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = jsonSafe(x);
    return out;
  }
  return v;
}

/** The prediction without its pixel masks and run-length encodings. */
function predictionSummary(prediction: Prediction): NonNullable<ExplainImageSummary['prediction']> {
  const { mask: _mask, findings, ...rest } = prediction;
  return { ...rest, findings: findings.map(({ rle: _rle, ...finding }) => finding) };
}

function checkMask(mask: MaskLike, width: number, height: number): MaskLike {
  if (mask.data.length !== mask.width * mask.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the mask holds ${mask.data.length} values; expected ${mask.width}x${mask.height}`);
  }
  if (mask.width !== width || mask.height !== height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the mask is ${mask.width}x${mask.height}; the image is ${width}x${height}: give a mask of the image's size`);
  }
  return mask;
}

/**
 * The card's explain.layer; for a scored model (an anomaly detector) without one, the deepest backbone layer
 * it takes features from (the card's training.layers), whose activations carry the patch
 * features the score is computed from; else none (chooseCamLayer then takes the last
 * spatial activation).
 */
function defaultCamLayer(predictor: Predictor): string | undefined {
  const card = predictor.card;
  if (card.explain.layer || predictor.task.targetKind !== 'score') return card.explain.layer;
  const layers = (card.training as { layers?: unknown } | undefined)?.layers;
  const last = Array.isArray(layers) ? layers[layers.length - 1] : undefined;
  return typeof last === 'string' && predictor.model.graph.nodes.some((n) => n.outputs.includes(last)) ? last : undefined;
}

/** Refuses repeated methods and parameters that a method does not declare, before any model work. */
function checkRequest(names: readonly string[], params: ExplainImageOptions['params']): void {
  if (names.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'no explanation methods were requested');
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new XqcError('XQC_INVALID_ARGUMENT', `method '${repeated}' is requested twice`);
  for (const n of names) getExplainer(n);
  for (const [method, given] of Object.entries(params ?? {})) {
    if (!names.includes(method)) throw new XqcError('XQC_INVALID_ARGUMENT', `parameters are given for method '${method}', which is not requested (${names.join(', ')})`);
    checkMethodParams(method, given);
  }
}

/**
 * Explains `image` with each of `options.methods` (see the module comment).
 * @throws XQC_INVALID_ARGUMENT for an empty or repeated method list or an undeclared or
 *   ill-typed parameter, XQC_SHAPE_MISMATCH for a mask of another size, XQC_EXPLAIN for an
 *   unknown method or target, and whatever a method throws.
 */
export async function explainImage(predictor: Predictor, image: ImageU8, options: ExplainImageOptions): Promise<ExplainImageResult> {
  const t0 = performance.now();
  const names = [...options.methods];
  checkRequest(names, options.params);
  const mask = options.mask ? checkMask(options.mask, image.width, image.height) : undefined;
  const explainers = names.map(getExplainer);
  const seed = options.seed ?? 0;
  const card = predictor.card;
  const steps = names.length + 2;
  const progress = (step: number, stage: string): void => options.onProgress?.({ step, steps, stage });

  progress(1, 'predict');
  const { tensor: x, placements, fitted } = prepareExplainImage(predictor, image);
  const placement = placements[0];
  const decided = await decide(predictor, x, placement);
  const outputs = predictor.model.graph.outputs.map((o) => o.name);
  const chosen =
    predictor.task.targetKind === 'score'
      ? anomalyTarget(outputs, predictor.outputName)
      : imageTarget(card, predictor.outputName, decided.output ?? (await predictor.forward(x)), decided.prediction, options.target);
  if (predictor.task.targetKind === 'score' && options.target !== undefined && options.target !== 0) {
    throw new XqcError('XQC_EXPLAIN', `an anomaly detector has one target, its anomaly score (index 0); got ${options.target}`);
  }
  const layer = names.some((n) => CAM_METHODS.has(n)) ? chooseCamLayer(predictor.model, chosen.target.of, options.layer ?? defaultCamLayer(predictor), x.dims) : undefined;
  const f = ModelFunction.create(predictor.model, { input: predictor.inputName, target: chosen.target, layer, maxBatch: options.maxBatch });
  const [score] = await f.values(x);

  const slicOptions = { ...SUPERPIXEL_DEFAULTS, ...options.superpixels };
  let shared: Superpixels | undefined;
  const paramsFor = (name: string): Record<string, unknown> => {
    const given = options.params?.[name] ?? {};
    const p: Record<string, unknown> = name === 'ig' ? { normalize: { mean: card.input.mean, std: card.input.std }, ...given } : { ...given };
    if (SUPERPIXEL_METHODS.has(name) && !SLIC_KEYS.some((k) => k in given)) {
      shared ??= slic(fitted[0], { segments: slicOptions.nSegments, compactness: slicOptions.compactness, sigma: slicOptions.slicSigma });
      p.segments = shared;
    }
    return p;
  };

  const explanations: Explanation[] = [];
  for (const [i, e] of explainers.entries()) {
    progress(2 + i, `method ${e.name}`);
    explanations.push(await e.explain({ x, f, seed }, paramsFor(e.name)));
  }
  progress(steps, 'quality');
  const modelMaps = Object.fromEntries(explanations.map((e) => [e.method, e.map]));
  const maps = Object.fromEntries(explanations.map((e) => [e.method, mapToOriginal(e.map, placement)]));
  const degenerate = explanations.map((e) => degenerateMap(e.map));
  const usable = explanations.flatMap((e, i) => (degenerate[i] ? [] : [i]));
  const agreed = usable.length >= 2 ? consensus(usable.map((i) => explanations[i].map)) : undefined;
  const agreementOf = (i: number): number | undefined => (agreed ? agreed.agreement[usable.indexOf(i)] : undefined);
  const tolerance = options.pointingTolerance ?? (15 * Math.max(image.width, image.height)) / 224;

  const methods: MethodSummary[] = [];
  for (const [i, e] of explanations.entries()) {
    const quality: MapQuality = {};
    if (mask && !degenerate[i]) {
      const hit = pointingGame(maps[e.method], mask, tolerance);
      quality.pointingHit = hit.hit;
      quality.pointingDistance = hit.distance;
      quality.energyInMask = energyInMask(maps[e.method], mask);
    }
    if (options.curves && !degenerate[i]) {
      quality.deletionAuc = (await deletionCurve(f, x, e.map)).auc;
      quality.insertionAuc = (await insertionCurve(f, x, e.map)).auc;
    }
    const extras = e.extras ?? {};
    const completeness = typeof extras.completenessError === 'number' ? extras.completenessError : extras.completenessGap;
    methods.push({
      method: e.method,
      runtimeMs: e.runtimeMs,
      evaluations: e.evaluations,
      params: jsonSafe(e.params) as Record<string, unknown>,
      degenerate: degenerate[i],
      completenessError: typeof completeness === 'number' ? completeness : undefined,
      agreement: agreementOf(i),
      quality: (mask || options.curves) && !degenerate[i] ? quality : undefined,
      extras: jsonSafe(extras) as Record<string, unknown>,
    });
  }

  const src = options.source;
  const summary: ExplainImageSummary = {
    model: { name: card.name, version: card.version, task: card.task, path: src?.model?.path, sha256: src?.model?.sha256 },
    image: {
      path: src?.image?.path,
      sha256: src?.image?.sha256,
      bytes: src?.image?.bytes,
      format: src?.image?.format,
      width: image.width,
      height: image.height,
      original: src?.image ? { width: src.image.width, height: src.image.height } : undefined,
    },
    input: { width: card.input.width, height: card.input.height },
    decision: decided.decision,
    prediction: decided.prediction && predictionSummary(decided.prediction),
    target: { index: chosen.index, label: chosen.label, reason: chosen.reason, regionPixels: chosen.regionPixels, of: chosen.target.of, description: chosen.target.description, score },
    layer,
    superpixels: shared && { count: shared.count, nSegments: slicOptions.nSegments, compactness: slicOptions.compactness, slicSigma: slicOptions.slicSigma },
    seed,
    methods,
    consensus: agreed && {
      score: agreed.score,
      meanSpearman: agreed.meanSpearman,
      meanIou: agreed.meanIou,
      methods: usable.map((i) => explanations[i].method),
      excluded: explanations.flatMap((e, i) => (degenerate[i] ? [e.method] : [])),
    },
    totalMs: performance.now() - t0,
  };
  return {
    summary: jsonSafe(summary) as ExplainImageSummary,
    maps,
    modelMaps,
    consensusMap: agreed && mapToOriginal(agreed.map, placement),
    overlay: decided.overlay,
    explanations,
  };
}
