/**
 * Explaining one inspected image end to end: preprocess as the model card says, predict,
 * choose the target (image-target.ts), build the model function (CAM layer from the
 * caller, the card's explain.layer or the last spatial activation), run every requested
 * method by registry name, compare the maps (aggregate.ts consensus), score them against
 * a ground-truth mask when one is given (explain/quality), and map them back onto the
 * original image. The summary is plain JSON; the maps come alongside.
 */
import { XqcError } from '../errors.ts';
import { resizeNearest } from '../image/image-resize.ts';
import type { ImageU8, ScalarMap } from '../image/image.types.ts';
import type { Predictor } from '../models/predictor.ts';
import { mapToOriginal } from '../models/preprocess.ts';
import type { Prediction } from '../models/result.ts';
import { consensus } from './aggregate.ts';
import { imageTarget } from './image-target.ts';
import type { ImageTarget } from './image-target.ts';
import { chooseCamLayer } from './layers.ts';
import { ModelFunction } from './model-function.ts';
import { energyInMask, pointingGame } from './quality/localisation.ts';
import type { MaskLike } from './quality/localisation.ts';
import { deletionCurve, insertionCurve } from './quality/perturbation-curves.ts';
import { getExplainer } from './registry.ts';
import { SUPERPIXEL_DEFAULTS } from './superpixels/coalitions.ts';
import type { SuperpixelParams } from './superpixels/coalitions.ts';
import { slic } from './superpixels/slic.ts';
import type { Superpixels } from './superpixels/slic.ts';
import type { Explanation } from './types.ts';

/** Options of {@link explainImage}. */
export interface ExplainImageOptions {
  /** Registry names of the methods to run, in order. */
  methods: readonly string[];
  /** Class index (classify, segment) or output element (other tasks); default: see image-target.ts. */
  target?: number;
  /** CAM layer; default the card's explain.layer, else the last spatial activation. */
  layer?: string;
  /** Seed of every sampling method (default 0). */
  seed?: number;
  /** Parameters by method name, e.g. `{ lime: { samples: 500 } }`. */
  params?: Readonly<Record<string, Record<string, unknown>>>;
  /** Ground-truth defect mask (nonzero = defect), any size (resized nearest to the image). */
  mask?: MaskLike;
  /** SLIC settings of the superpixels LIME and Kernel SHAP share, computed once on the model-size image. */
  superpixels?: Partial<Omit<SuperpixelParams, 'segments'>>;
  /** Also compute deletion and insertion AUCs per method (2 x 21 forward passes each). */
  curves?: boolean;
  /** Pointing-game tolerance in original-image pixels (default 15 per 224 px of the longer side, as Zhang et al.). */
  pointingTolerance?: number;
  /** Largest batch per ONNX Runtime call (default 32). */
  maxBatch?: number;
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
  /** |sum of attributions - (f(x) - f(baseline))| for methods with completeness (ig, kernelshap; gradshap's expected gap). */
  completenessError?: number;
  /** Agreement of this map with the consensus map, in [0, 1] (two methods or more). */
  agreement?: number;
  quality?: MapQuality;
  extras: Record<string, unknown>;
}

/** The JSON summary of {@link explainImage}. */
export interface ExplainImageSummary {
  model: { name: string; version: string; task: string };
  image: { width: number; height: number };
  input: { width: number; height: number };
  prediction?: Omit<Prediction, 'mask' | 'findings'> & { findings: Omit<Prediction['findings'][number], 'rle'>[] };
  target: Omit<ImageTarget, 'target'> & { of: string; description: string; score: number };
  layer?: string;
  superpixels?: { count: number; nSegments: number; compactness: number; slicSigma: number };
  seed: number;
  methods: MethodSummary[];
  consensus?: { score: number; meanSpearman: number; meanIou: number };
  totalMs: number;
}

/** What {@link explainImage} returns. */
export interface ExplainImageResult {
  summary: ExplainImageSummary;
  /** Maps at the original image's size, by method. */
  maps: Record<string, ScalarMap>;
  /** Maps at model-input resolution, by method. */
  modelMaps: Record<string, ScalarMap>;
  /** Consensus map in [0, 1] at the original size (two methods or more). */
  consensusMap?: ScalarMap;
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

function maskAt(mask: MaskLike, width: number, height: number): MaskLike {
  if (mask.data.length !== mask.width * mask.height) {
    throw new XqcError('XQC_SHAPE_MISMATCH', `the mask holds ${mask.data.length} values; expected ${mask.width}x${mask.height}`);
  }
  if (mask.width === width && mask.height === height) return mask;
  const binary = Uint8Array.from(mask.data, (v) => (v ? 1 : 0));
  return resizeNearest({ width: mask.width, height: mask.height, channels: 1, data: binary }, width, height);
}

/**
 * Explains `image` with each of `options.methods` (see the module comment).
 * @throws XQC_INVALID_ARGUMENT for an empty or repeated method list, XQC_EXPLAIN for an
 *   unknown method or target, and whatever a method throws.
 */
export async function explainImage(predictor: Predictor, image: ImageU8, options: ExplainImageOptions): Promise<ExplainImageResult> {
  const t0 = performance.now();
  const names = [...options.methods];
  if (names.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'no explanation methods were requested');
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new XqcError('XQC_INVALID_ARGUMENT', `method '${repeated}' is requested twice`);
  const explainers = names.map(getExplainer);
  const seed = options.seed ?? 0;
  const card = predictor.card;

  const { tensor: x, placements, fitted } = predictor.prepare([image]);
  const placement = placements[0];
  const output = await predictor.forward(x);
  const prediction = card.task === 'classify' || card.task === 'segment' ? predictor.postprocess(output, placements)[0] : undefined;
  const chosen = imageTarget(card, predictor.outputName, output, prediction, options.target);
  const layer = names.some((n) => CAM_METHODS.has(n)) ? chooseCamLayer(predictor.model, chosen.target.of, options.layer ?? card.explain.layer, x.dims) : undefined;
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
  for (const e of explainers) explanations.push(await e.explain({ x, f, seed }, paramsFor(e.name)));
  const modelMaps = Object.fromEntries(explanations.map((e) => [e.method, e.map]));
  const maps = Object.fromEntries(explanations.map((e) => [e.method, mapToOriginal(e.map, placement)]));
  const agreed = explanations.length >= 2 ? consensus(explanations.map((e) => e.map)) : undefined;
  const mask = options.mask ? maskAt(options.mask, image.width, image.height) : undefined;
  const tolerance = options.pointingTolerance ?? (15 * Math.max(image.width, image.height)) / 224;

  const methods: MethodSummary[] = [];
  for (const [i, e] of explanations.entries()) {
    const quality: MapQuality = {};
    if (mask) {
      const hit = pointingGame(maps[e.method], mask, tolerance);
      quality.pointingHit = hit.hit;
      quality.pointingDistance = hit.distance;
      quality.energyInMask = energyInMask(maps[e.method], mask);
    }
    if (options.curves) {
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
      completenessError: typeof completeness === 'number' ? completeness : undefined,
      agreement: agreed?.agreement[i],
      quality: mask || options.curves ? quality : undefined,
      extras: jsonSafe(extras) as Record<string, unknown>,
    });
  }

  const summary: ExplainImageSummary = {
    model: { name: card.name, version: card.version, task: card.task },
    image: { width: image.width, height: image.height },
    input: { width: card.input.width, height: card.input.height },
    prediction: prediction && predictionSummary(prediction),
    target: { index: chosen.index, label: chosen.label, reason: chosen.reason, regionPixels: chosen.regionPixels, of: chosen.target.of, description: chosen.target.description, score },
    layer,
    superpixels: shared && { count: shared.count, nSegments: slicOptions.nSegments, compactness: slicOptions.compactness, slicSigma: slicOptions.slicSigma },
    seed,
    methods,
    consensus: agreed && { score: agreed.score, meanSpearman: agreed.meanSpearman, meanIou: agreed.meanIou },
    totalMs: performance.now() - t0,
  };
  return {
    summary: jsonSafe(summary) as ExplainImageSummary,
    maps,
    modelMaps,
    consensusMap: agreed && mapToOriginal(agreed.map, placement),
    explanations,
  };
}
