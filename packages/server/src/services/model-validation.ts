/**
 * Validation of an uploaded model version, all in memory, before anything is stored:
 * the ONNX file parses (core `loadModel`: protobuf, IR and opset ranges, a well-formed
 * graph), the card passes core's card schema, the card's input spec agrees with the
 * graph's input (name, channels, height, width), the artifacts of anomaly models agree with
 * their `anomaly.json` (PatchCore: features.onnx and bank.npy, hashes and bank shape; a
 * detector trained on simulated defects: network.onnx and its hash), and one test run on a
 * blank image succeeds.
 */
import {
  AnomalyDetector,
  COMBINED_FORMAT,
  createImage,
  defaultOpset,
  loadModel,
  parseAnomalyConfig,
  parseModelCardYaml,
  parseSimulatedConfig,
  Predictor,
  readNpy,
  SessionCache,
  SIMULATED_FORMAT,
  XqcError,
} from '@xai-qc/core';
import type { AnomalyConfig, Model, ModelCard, SimulatedAnomalyConfig } from '@xai-qc/core';
import { ApiError } from '../errors/api-error.ts';
import { sha256Hex } from '../storage/blob-store.ts';

/**
 * Upload part names: the ONNX graph, its card, and the artifacts of anomaly models
 * (PatchCore: features, bank, anomaly; trained on simulated defects: network, anomaly).
 */
export const MODEL_FILES = Object.freeze({
  model: 'model.onnx',
  card: 'model_card.yaml',
  features: 'features.onnx',
  bank: 'bank.npy',
  anomaly: 'anomaly.json',
  network: 'network.onnx',
});

/** A part name of an upload. */
export type ModelFilePart = keyof typeof MODEL_FILES;

/** Parts a PatchCore anomaly model (`anomaly.json` format `xai-qc.patchcore`) needs beside `model` and `card`. */
export const ANOMALY_PARTS: readonly ModelFilePart[] = ['features', 'bank', 'anomaly'];

/** Parts an anomaly model trained on simulated defects (`anomaly.json` format `xai-qc.simulated`) needs beside `model` and `card`. */
export const SIMULATED_PARTS: readonly ModelFilePart[] = ['network', 'anomaly'];

/** Every artifact part of an anomaly model, of either format. */
const ARTIFACT_PARTS: readonly ModelFilePart[] = ['features', 'bank', 'anomaly', 'network'];

/** What validation learnt about a version. */
export interface ValidatedModel {
  card: ModelCard;
  irVersion: number;
  opset: number;
  inputName: string;
  /** Declared input shape; symbolic dims are strings, unknown ones null. */
  inputShape: (number | string | null)[];
  /** The files to store, by file name (model.onnx, model_card.yaml, and the anomaly artifacts). */
  files: { name: string; bytes: Uint8Array; mediaType: string }[];
  /** Task result of the blank-image test run (verdict and label). */
  testRun: { verdict: string; label: string; ms: number };
}

const MEDIA_TYPES: Readonly<Record<ModelFilePart, string>> = {
  model: 'application/octet-stream',
  card: 'application/yaml',
  features: 'application/octet-stream',
  bank: 'application/octet-stream',
  anomaly: 'application/json',
  network: 'application/octet-stream',
};

function invalid(code: string, message: string, field: string, cause?: unknown): ApiError {
  return new ApiError(422, code, message, { cause, errors: [{ field, message }] });
}

/** Rethrows a core error as a 422 naming the upload part it concerns. */
function asInvalid(e: unknown, field: string): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof XqcError) return invalid(e.code, `${MODEL_FILES[field as ModelFilePart] ?? field}: ${e.message}`, field, e);
  throw e;
}

function checkInputSpec(model: Model, card: ModelCard): { name: string; shape: (number | string | null)[] } {
  const inputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
  const name = card.input.name ?? inputs[0]?.name;
  const input = inputs.find((i) => i.name === name);
  if (!input) {
    throw invalid('XQC_CARD_MISMATCH', `card input.name '${name}' is not a graph input (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`, 'card');
  }
  const shape = input.shape ?? [];
  if (input.shape !== undefined && shape.length !== 4) {
    throw invalid('XQC_CARD_MISMATCH', `graph input '${input.name}' has rank ${shape.length}; the card's NCHW layout needs rank 4`, 'card');
  }
  const channels = card.input.color === 'gray' ? 1 : 3;
  const want: [number, number, string][] = [
    [1, channels, `channels (card color '${card.input.color}')`],
    [2, card.input.height, 'height (card input.height)'],
    [3, card.input.width, 'width (card input.width)'],
  ];
  for (const [axis, value, what] of want) {
    const dim = shape[axis];
    if (typeof dim === 'number' && dim !== value) {
      throw invalid('XQC_CARD_MISMATCH', `graph input '${input.name}' has ${dim} at axis ${axis} but the card says ${value} ${what}`, 'card');
    }
  }
  return { name: input.name, shape: shape.map((d) => d ?? null) };
}

/** A checked anomaly detector of either format, ready for the test run. */
type CheckedAnomaly =
  | { kind: 'patchcore'; config: AnomalyConfig; featureModel: Model; bank: Float32Array }
  | { kind: 'simulated'; config: SimulatedAnomalyConfig; network: Model };

/**
 * Checks the anomaly artifacts of an upload: `anomaly.json`'s `format` says which parts
 * belong (PatchCore {@link ANOMALY_PARTS}, simulated {@link SIMULATED_PARTS}); a missing
 * one, or one of the other format, is refused.
 */
function checkAnomalyArtifacts(parts: ReadonlyMap<ModelFilePart, Uint8Array>, card: ModelCard, modelBytes: Uint8Array): CheckedAnomaly {
  let raw: unknown;
  if (parts.has('anomaly')) {
    try {
      raw = JSON.parse(new TextDecoder().decode(parts.get('anomaly')));
    } catch (e) {
      throw invalid('XQC_ANOMALY', `anomaly.json is not valid JSON: ${(e as Error).message}`, 'anomaly', e);
    }
  }
  if ((raw as { format?: unknown } | null | undefined)?.format === COMBINED_FORMAT) {
    throw invalid('XQC_MODEL_INVALID', `anomaly.json has format '${COMBINED_FORMAT}' (a PatchCore and a simulated-defect detector in sub-folders); the registry does not take combined detectors yet: upload one of its parts (the folder patchcore/ or simulated/) instead`, 'anomaly');
  }
  const simulated = (raw as { format?: unknown } | null | undefined)?.format === SIMULATED_FORMAT;
  const needed = simulated ? SIMULATED_PARTS : ANOMALY_PARTS;
  for (const p of needed) {
    if (!parts.has(p)) {
      throw invalid(
        'XQC_MODEL_INVALID',
        simulated
          ? `an anomaly model trained on simulated defects needs the parts ${SIMULATED_PARTS.join(', ')} beside model and card; '${p}' is missing`
          : `an anomaly model needs the parts ${ANOMALY_PARTS.join(', ')} (PatchCore) or ${SIMULATED_PARTS.join(', ')} (trained on simulated defects) beside model and card; '${p}' is missing`,
        p,
      );
    }
  }
  const foreign = ARTIFACT_PARTS.find((p) => parts.has(p) && !needed.includes(p));
  if (foreign) {
    throw invalid('XQC_MODEL_INVALID', `${MODEL_FILES[foreign]} is not part of ${simulated ? 'a detector trained on simulated defects' : 'a PatchCore detector'} (anomaly.json format '${String((raw as { format?: unknown }).format)}'); send ${needed.join(', ')} beside model and card`, foreign);
  }
  if (simulated) return checkSimulatedArtifacts(parts, card, modelBytes, raw);
  let config: AnomalyConfig;
  try {
    config = parseAnomalyConfig(raw);
  } catch (e) {
    throw asInvalid(e, 'anomaly');
  }
  const features = parts.get('features') as Uint8Array;
  const bankBytes = parts.get('bank') as Uint8Array;
  if (sha256Hex(features) !== config.features.sha256) throw invalid('XQC_ANOMALY', 'features.onnx does not match the SHA-256 recorded in anomaly.json', 'features');
  if (sha256Hex(bankBytes) !== config.bank.sha256) throw invalid('XQC_ANOMALY', 'bank.npy does not match the SHA-256 recorded in anomaly.json', 'bank');
  if (config.export && config.export.sha256 !== sha256Hex(modelBytes)) throw invalid('XQC_ANOMALY', 'model.onnx does not match the export SHA-256 recorded in anomaly.json', 'model');
  if (config.input.height !== card.input.height || config.input.width !== card.input.width) {
    throw invalid('XQC_CARD_MISMATCH', `card input ${card.input.height}x${card.input.width} differs from anomaly.json input ${config.input.height}x${config.input.width}`, 'card');
  }
  let featureModel: Model;
  let bank;
  try {
    featureModel = loadModel(features);
  } catch (e) {
    throw asInvalid(e, 'features');
  }
  try {
    bank = readNpy(bankBytes);
  } catch (e) {
    throw asInvalid(e, 'bank');
  }
  if (bank.dtype !== 'float32' || bank.dims.length !== 2 || bank.dims[0] !== config.bank.size || bank.dims[1] !== config.bank.dim) {
    throw invalid('XQC_ANOMALY', `bank.npy is ${bank.dtype} [${bank.dims.join(', ')}], anomaly.json expects float32 [${config.bank.size}, ${config.bank.dim}]`, 'bank');
  }
  return { kind: 'patchcore', config, featureModel, bank: bank.data as Float32Array };
}

/** The simulated-defect format: `anomaly.json` parses, `network.onnx` and `model.onnx` match its hashes, the input agrees with the card. */
function checkSimulatedArtifacts(parts: ReadonlyMap<ModelFilePart, Uint8Array>, card: ModelCard, modelBytes: Uint8Array, raw: unknown): CheckedAnomaly {
  let config: SimulatedAnomalyConfig;
  try {
    config = parseSimulatedConfig(raw);
  } catch (e) {
    throw asInvalid(e, 'anomaly');
  }
  const networkBytes = parts.get('network') as Uint8Array;
  if (sha256Hex(networkBytes) !== config.network.sha256) throw invalid('XQC_ANOMALY', 'network.onnx does not match the SHA-256 recorded in anomaly.json', 'network');
  if (config.export && config.export.sha256 !== sha256Hex(modelBytes)) throw invalid('XQC_ANOMALY', 'model.onnx does not match the export SHA-256 recorded in anomaly.json', 'model');
  if (config.input.height !== card.input.height || config.input.width !== card.input.width) {
    throw invalid('XQC_CARD_MISMATCH', `card input ${card.input.height}x${card.input.width} differs from anomaly.json input ${config.input.height}x${config.input.width}`, 'card');
  }
  let network: Model;
  try {
    network = loadModel(networkBytes);
  } catch (e) {
    throw asInvalid(e, 'network');
  }
  return { kind: 'simulated', config, network };
}

/**
 * Validates an upload's parts and runs the model once on a blank image of the card's input size.
 * @param parts bytes by part name; `model` and `card` required, for anomaly cards the parts of
 *   the format `anomaly.json` names ({@link ANOMALY_PARTS} or {@link SIMULATED_PARTS}).
 * @throws ApiError 422 with a stable code (XQC_MODEL_INVALID, XQC_MODEL_UNSUPPORTED_IR/OPSET,
 *   XQC_CARD_INVALID, XQC_CARD_MISMATCH, XQC_ANOMALY, XQC_MODEL_TEST_RUN_FAILED) naming the part.
 */
export async function validateModelUpload(parts: ReadonlyMap<ModelFilePart, Uint8Array>): Promise<ValidatedModel> {
  const modelBytes = parts.get('model');
  const cardBytes = parts.get('card');
  if (!modelBytes || modelBytes.length === 0) throw invalid('XQC_MODEL_INVALID', 'the model part (model.onnx) is missing or empty', 'model');
  if (!cardBytes || cardBytes.length === 0) throw invalid('XQC_CARD_INVALID', 'the card part (model_card.yaml) is missing or empty', 'card');
  let model: Model;
  try {
    model = loadModel(modelBytes);
  } catch (e) {
    throw asInvalid(e, 'model');
  }
  let card: ModelCard;
  try {
    card = parseModelCardYaml(new TextDecoder('utf-8', { fatal: true }).decode(cardBytes));
  } catch (e) {
    if (e instanceof TypeError) throw invalid('XQC_CARD_INVALID', 'model_card.yaml is not UTF-8 text', 'card', e);
    throw asInvalid(e, 'card');
  }
  const input = checkInputSpec(model, card);
  const anomaly = card.task === 'anomaly' ? checkAnomalyArtifacts(parts, card, modelBytes) : undefined;
  const testRun = await testRunBlank(model, card, anomaly);
  const files = (Object.keys(MODEL_FILES) as ModelFilePart[])
    .filter((p) => parts.has(p) && (p === 'model' || p === 'card' || (anomaly !== undefined && ARTIFACT_PARTS.includes(p))))
    .map((p) => ({ name: MODEL_FILES[p], bytes: parts.get(p) as Uint8Array, mediaType: MEDIA_TYPES[p] }));
  return { card, irVersion: model.irVersion, opset: defaultOpset(model), inputName: input.name, inputShape: input.shape, files, testRun };
}

/** Runs the model once on a mid-grey image of the card's input size, in a throwaway session cache. */
async function testRunBlank(model: Model, card: ModelCard, anomaly: CheckedAnomaly | undefined): Promise<ValidatedModel['testRun']> {
  const cache = new SessionCache(2);
  const channels = card.input.color === 'gray' ? 1 : 3;
  const image = createImage(card.input.width, card.input.height, channels, new Uint8Array(card.input.width * card.input.height * channels).fill(128));
  const t0 = performance.now();
  try {
    const detector = !anomaly
      ? undefined
      : anomaly.kind === 'simulated'
        ? await AnomalyDetector.createSimulated(anomaly.config, anomaly.network, { cache })
        : await AnomalyDetector.create(anomaly.config, anomaly.featureModel, anomaly.bank, { cache });
    const prediction = detector ? (await detector.predict([image])).predictions[0] : (await new Predictor(model, card, { cache }).predict([image])).predictions[0];
    return { verdict: prediction.verdict, label: prediction.label, ms: performance.now() - t0 };
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw invalid('XQC_MODEL_TEST_RUN_FAILED', `the test run on a blank ${card.input.width}x${card.input.height} image failed: ${reason}`, 'model', e);
  } finally {
    await cache.clear();
  }
}
