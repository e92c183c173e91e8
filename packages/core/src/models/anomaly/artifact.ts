/**
 * The fitted detector on disk, beside each other in one folder:
 *
 * - `features.onnx`: the backbone trunk with the feature head (`feature-head.ts`);
 * - `bank.npy`: the memory bank [M, D] float32 (numpy's .npy, so Python reads it too);
 * - `anomaly.json`: format name and version, the SHA-256 of the source backbone, of
 *   `features.onnx` and of `bank.npy`, the layers, projection and dimensions, the scoring
 *   settings, thresholds and normalisation (this file's {@link AnomalyConfig});
 * - `model.onnx`: the whole detector as one graph (`export-onnx.ts`), also hashed here;
 * - `model_card.yaml`: task `anomaly`, written by `train-anomaly.ts`.
 *
 * Loading checks the format version and both hashes, so a bank never meets a feature
 * graph it was not fitted with.
 *
 * A detector trained on simulated defects (format `xai-qc.simulated`,
 * {@link SimulatedAnomalyConfig}) keeps `network.onnx` (the segmentation network at the
 * model input, hashed in `anomaly.json`) instead of `features.onnx` and `bank.npy`;
 * {@link readAnyAnomalyArtifacts} reads either format.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XqcError } from '../../errors.ts';
import { ioError } from '../../io/atomic-write.ts';
import { readNpy } from '../../io/npy.ts';
import type { Model } from '../../onnx/ir.ts';
import { loadModel } from '../../onnx/model-io.ts';
import { parseInputSpec } from '../card.ts';
import type { InputSpec } from '../card.ts';
import type { FeatureLayer } from './feature-layers.ts';
import type { ScoringConfig } from './scorer.ts';
import type { ScoreNormalisation, ThresholdChoice } from './thresholds.ts';
import type { CombinedFusion } from './combined/combined-scorer.ts';

/** File names inside a detector folder. */
export const ANOMALY_FILES = Object.freeze({
  config: 'anomaly.json',
  features: 'features.onnx',
  bank: 'bank.npy',
  model: 'model.onnx',
  card: 'model_card.yaml',
});

/** Format name and the version this code writes and reads. */
export const ANOMALY_FORMAT = 'xai-qc.patchcore';
export const ANOMALY_FORMAT_VERSION = 1;

/** Contents of `anomaly.json`. */
export interface AnomalyConfig {
  format: typeof ANOMALY_FORMAT;
  version: typeof ANOMALY_FORMAT_VERSION;
  createdAt: string;
  /** How images become the input tensor (as in the model card). */
  input: InputSpec;
  backbone: { source: string; sha256: string; layers: FeatureLayer[] };
  features: {
    file: string;
    sha256: string;
    output: string;
    grid: [number, number];
    concatChannels: number;
    dim: number;
    aggregation: 'avg-pool-3x3';
    projection: 'adaptive-avg-pool' | 'identity';
  };
  bank: {
    file: string;
    sha256: string;
    size: number;
    dim: number;
    /** Patches the coreset was drawn from. */
    sourcePatches: number;
    coreset: { ratio: number; seed: number; projectionDim: number };
  };
  scoring: ScoringConfig;
  thresholds: { image: ThresholdChoice; pixel: ThresholdChoice };
  normalisation: { image: ScoreNormalisation; pixel: ScoreNormalisation };
  /** The single-graph export, when written. */
  export?: { file: string; sha256: string; outputs: string[] };
}

/** Format name and version of a detector trained on simulated defects (`train/anomaly/train-simulated.ts`). */
export const SIMULATED_FORMAT = 'xai-qc.simulated';
export const SIMULATED_FORMAT_VERSION = 1;

/** File name of the simulated detector's segmentation network (probability map output). */
export const SIMULATED_NETWORK_FILE = 'network.onnx';

/**
 * Contents of `anomaly.json` for a detector trained on simulated defects: `network.onnx`
 * maps the prepared input [N, C, H, W] to the defect probability [N, 1, H, W]; the raw
 * map is that probability smoothed by a Gaussian of `scoring.sigma` pixels (reflect
 * padding), the raw image score the mean of the `scoring.topK` largest raw map pixels.
 */
export interface SimulatedAnomalyConfig {
  format: typeof SIMULATED_FORMAT;
  version: typeof SIMULATED_FORMAT_VERSION;
  createdAt: string;
  input: InputSpec;
  network: {
    file: string;
    sha256: string;
    architecture: 'unet';
    width: number;
    depth: number;
    /** Input [height, width] of the U-Net: the model input padded (reflect) up to multiples of 2^depth. */
    padded: [number, number];
    /** Output name of the defect probability [N, 1, H, W]. */
    output: string;
    /** Mirrored copies of the input whose probabilities the network averages (`withTestTimeFlips`); absent in detectors fitted before it: 1. */
    testTimeFlips?: 1 | 2 | 4;
    /** The network also scores a half-scale view and returns the geometric mean of both scales' maps (`withTestTimeViews`); absent in detectors fitted before it: false. */
    halfScale?: boolean;
  };
  scoring: { sigma: number; topK: number };
  training: {
    seed: number;
    cropSize: [number, number];
    batchSize: number;
    steps: number;
    stoppedBy: 'budget' | 'steps';
    /** Steps whose weights were averaged into the network (0: the final weights); absent in detectors fitted before it. */
    averagedSteps?: number;
    seconds: number;
    finalLoss: number;
  };
  thresholds: { image: ThresholdChoice; pixel: ThresholdChoice };
  normalisation: { image: ScoreNormalisation; pixel: ScoreNormalisation };
  export?: { file: string; sha256: string; outputs: string[] };
}

/** Format name and version of the combined detector (`combined/combined-scorer.ts`, `train/anomaly/train-combined.ts`). */
export const COMBINED_FORMAT = 'xai-qc.combined';
export const COMBINED_FORMAT_VERSION = 1;

/** The sub-folders of a combined detector, one detector folder of each part's format. */
export const COMBINED_PARTS = Object.freeze({ patchcore: 'patchcore', simulated: 'simulated' });

/**
 * Contents of `anomaly.json` for the combined detector: a PatchCore detector folder in
 * `patchcore/` and a simulated-defect detector folder in `simulated/` (each with its own
 * `anomaly.json`, whose SHA-256 is recorded here), the fusion constants of the image score,
 * and the thresholds and normalisation of the fused score (image) and of the simulated
 * part's map (pixel). `input` is the simulated part's.
 */
export interface CombinedAnomalyConfig {
  format: typeof COMBINED_FORMAT;
  version: typeof COMBINED_FORMAT_VERSION;
  createdAt: string;
  input: InputSpec;
  parts: Record<'patchcore' | 'simulated', { dir: string; sha256: string }>;
  fusion: CombinedFusion;
  training: { seed: number; timeBudgetSeconds: number | null; seconds: { patchcore: number; simulated: number; fusion: number; total: number } };
  thresholds: { image: ThresholdChoice; pixel: ThresholdChoice };
  normalisation: { image: ScoreNormalisation; pixel: ScoreNormalisation };
}

/** The `anomaly.json` of any detector format. */
export type AnyAnomalyConfig = AnomalyConfig | SimulatedAnomalyConfig | CombinedAnomalyConfig;

/** SHA-256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function invalid(msg: string): never {
  throw new XqcError('XQC_ANOMALY', `anomaly.json: ${msg}`);
}

const isInt = (v: unknown, min = 1): boolean => Number.isInteger(v) && (v as number) >= min;
const isName = (v: unknown): boolean => typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v);
const isHash = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

function checkNormalisation(n: ScoreNormalisation | undefined, what: string): void {
  if (!n || ![n.low, n.threshold, n.high].every(Number.isFinite) || !(n.low < n.threshold && n.threshold < n.high)) {
    invalid(`normalisation.${what} must have finite low < threshold < high`);
  }
}

/**
 * Checks a parsed `anomaly.json`.
 * @throws XQC_ANOMALY naming the first bad field (an unknown format or a newer version included)
 */
export function parseAnomalyConfig(raw: unknown): AnomalyConfig {
  if (typeof raw !== 'object' || raw === null) invalid('not an object');
  const c = raw as AnomalyConfig;
  if (c.format !== ANOMALY_FORMAT) invalid(`format is '${String(c.format)}', expected '${ANOMALY_FORMAT}'`);
  if (c.version !== ANOMALY_FORMAT_VERSION) invalid(`version ${String(c.version)} is not supported (this XAI-QC reads version ${ANOMALY_FORMAT_VERSION})`);
  try {
    parseInputSpec(c.input);
  } catch (e) {
    invalid(`input: ${(e as Error).message}`);
  }
  if (!c.backbone || !isHash(c.backbone.sha256) || !Array.isArray(c.backbone.layers) || c.backbone.layers.length === 0) invalid('backbone must have a sha256 and layers');
  const f = c.features;
  if (!f || !isName(f.file) || !isHash(f.sha256) || !isInt(f.dim) || !Array.isArray(f.grid) || !f.grid.every((v) => isInt(v))) invalid('features must name a file with its sha256, dim and grid');
  const b = c.bank;
  if (!b || !isName(b.file) || !isHash(b.sha256) || !isInt(b.size) || b.dim !== f.dim) invalid('bank must name a file with its sha256, a size, and the feature dim');
  const s = c.scoring;
  if (!s || (s.imageScore !== 'reweighted' && s.imageScore !== 'max') || !isInt(s.neighbours) || !(s.sigma > 0)) invalid('scoring must have imageScore reweighted|max, neighbours >= 1 and sigma > 0');
  if (!c.thresholds?.image || !c.thresholds?.pixel) invalid('thresholds.image and thresholds.pixel are required');
  checkNormalisation(c.normalisation?.image, 'image');
  checkNormalisation(c.normalisation?.pixel, 'pixel');
  if (c.export && (!isName(c.export.file) || !isHash(c.export.sha256))) invalid('export must name a file with its sha256');
  return c;
}

/**
 * Checks a parsed `anomaly.json` of the simulated format.
 * @throws XQC_ANOMALY naming the first bad field
 */
export function parseSimulatedConfig(raw: unknown): SimulatedAnomalyConfig {
  if (typeof raw !== 'object' || raw === null) invalid('not an object');
  const c = raw as SimulatedAnomalyConfig;
  if (c.format !== SIMULATED_FORMAT) invalid(`format is '${String(c.format)}', expected '${SIMULATED_FORMAT}'`);
  if (c.version !== SIMULATED_FORMAT_VERSION) invalid(`version ${String(c.version)} is not supported (this XAI-QC reads version ${SIMULATED_FORMAT_VERSION})`);
  try {
    parseInputSpec(c.input);
  } catch (e) {
    invalid(`input: ${(e as Error).message}`);
  }
  const n = c.network;
  if (!n || !isName(n.file) || !isHash(n.sha256) || n.architecture !== 'unet' || !isInt(n.width) || !isInt(n.depth) || typeof n.output !== 'string' || n.output === '') {
    invalid('network must name a file with its sha256, the architecture unet, width, depth and output');
  }
  if (!Array.isArray(n.padded) || n.padded.length !== 2 || !n.padded.every((v) => isInt(v)) || n.padded[0] < c.input.height || n.padded[1] < c.input.width) {
    invalid('network.padded must be [height, width] at least the input size');
  }
  if (n.testTimeFlips !== undefined && ![1, 2, 4].includes(n.testTimeFlips)) invalid('network.testTimeFlips must be 1, 2 or 4');
  if (n.halfScale !== undefined && typeof n.halfScale !== 'boolean') invalid('network.halfScale must be true or false');
  const s = c.scoring;
  if (!s || !(s.sigma > 0) || !Number.isFinite(s.sigma) || !isInt(s.topK) || s.topK > c.input.height * c.input.width) invalid('scoring must have sigma > 0 and topK from 1 to the input pixels');
  if (!c.training || !isInt(c.training.steps, 0) || (c.training.stoppedBy !== 'budget' && c.training.stoppedBy !== 'steps')) invalid('training must record steps and stoppedBy budget|steps');
  if (c.training.averagedSteps !== undefined && (!isInt(c.training.averagedSteps, 0) || c.training.averagedSteps > c.training.steps)) invalid('training.averagedSteps must be an integer from 0 to steps');
  if (!c.thresholds?.image || !c.thresholds?.pixel) invalid('thresholds.image and thresholds.pixel are required');
  checkNormalisation(c.normalisation?.image, 'image');
  checkNormalisation(c.normalisation?.pixel, 'pixel');
  if (c.export && (!isName(c.export.file) || !isHash(c.export.sha256))) invalid('export must name a file with its sha256');
  return c;
}

const isStats = (v: unknown): boolean => {
  const s = v as { mean?: unknown; std?: unknown } | null;
  return typeof s === 'object' && s !== null && Number.isFinite(s.mean) && Number.isFinite(s.std) && (s.std as number) > 0;
};

/**
 * Checks a parsed `anomaly.json` of the combined format.
 * @throws XQC_ANOMALY naming the first bad field
 */
export function parseCombinedConfig(raw: unknown): CombinedAnomalyConfig {
  if (typeof raw !== 'object' || raw === null) invalid('not an object');
  const c = raw as CombinedAnomalyConfig;
  if (c.format !== COMBINED_FORMAT) invalid(`format is '${String(c.format)}', expected '${COMBINED_FORMAT}'`);
  if (c.version !== COMBINED_FORMAT_VERSION) invalid(`version ${String(c.version)} is not supported (this XAI-QC reads version ${COMBINED_FORMAT_VERSION})`);
  try {
    parseInputSpec(c.input);
  } catch (e) {
    invalid(`input: ${(e as Error).message}`);
  }
  for (const part of ['patchcore', 'simulated'] as const) {
    const p = c.parts?.[part];
    if (!p || !isName(p.dir) || !isHash(p.sha256)) invalid(`parts.${part} must name a sub-folder (dir) and the SHA-256 of its anomaly.json`);
  }
  if (c.parts.patchcore.dir === c.parts.simulated.dir) invalid('parts.patchcore and parts.simulated must be different sub-folders');
  const f = c.fusion;
  if (!f || (f.imageScore !== 'mean-z' && f.imageScore !== 'mean-z-agreement') || f.map !== 'simulated' || !isStats(f.patchcore) || !isStats(f.simulated) || !isInt(f.good)) {
    invalid('fusion must have imageScore mean-z or mean-z-agreement, map simulated, patchcore and simulated {mean, std > 0} and the good image count');
  }
  if (f.imageScore === 'mean-z-agreement') {
    const a = f.agreement;
    if (!a || !isStats(a.patchcorePixel) || !isStats(a.simulatedPixel) || !isInt(a.topK, 1) || a.topK > c.input.height * c.input.width) {
      invalid('fusion mean-z-agreement must have agreement.patchcorePixel and agreement.simulatedPixel {mean, std > 0} and agreement.topK from 1 to the input pixels');
    }
  }
  if (!c.training || !Number.isInteger(c.training.seed)) invalid('training must record the seed');
  if (!c.thresholds?.image || !c.thresholds?.pixel) invalid('thresholds.image and thresholds.pixel are required');
  checkNormalisation(c.normalisation?.image, 'image');
  checkNormalisation(c.normalisation?.pixel, 'pixel');
  return c;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw ioError('read', path, e);
  }
}

/** A loaded detector folder. */
export interface AnomalyArtifacts {
  config: AnomalyConfig;
  featureModel: Model;
  /** [M, D] float32, row-major. */
  bank: Float32Array;
}

/** A loaded simulated-defect detector folder. */
export interface SimulatedArtifacts {
  config: SimulatedAnomalyConfig;
  network: Model;
}

/** A loaded detector folder of any format. */
export type AnyAnomalyArtifacts =
  | ({ kind: 'patchcore' } & AnomalyArtifacts)
  | ({ kind: 'simulated' } & SimulatedArtifacts)
  | { kind: 'combined'; config: CombinedAnomalyConfig; patchcore: AnomalyArtifacts; simulated: SimulatedArtifacts };

async function readConfigJson(dir: string): Promise<unknown> {
  const configPath = join(dir, ANOMALY_FILES.config);
  try {
    return JSON.parse(new TextDecoder().decode(await readBytes(configPath)));
  } catch (e) {
    if (e instanceof XqcError) throw e;
    throw new XqcError('XQC_ANOMALY', `${configPath} is not valid JSON`, { cause: e });
  }
}

/**
 * Reads a detector folder of either format, dispatching on `anomaly.json`'s `format`:
 * PatchCore as {@link readAnomalyArtifacts}; the simulated format reads `network.onnx`
 * and checks its SHA-256.
 * @throws XQC_ANOMALY on a bad config or a hash mismatch; XQC_IO when a file is missing
 */
export async function readAnyAnomalyArtifacts(dir: string): Promise<AnyAnomalyArtifacts> {
  const raw = await readConfigJson(dir);
  const format = (raw as { format?: unknown } | null)?.format;
  if (format === COMBINED_FORMAT) return readCombined(dir, raw);
  if (format !== SIMULATED_FORMAT) return { kind: 'patchcore', ...(await readPatchCore(dir, raw)) };
  return { kind: 'simulated', ...(await readSimulated(dir, raw)) };
}

/**
 * Reads a combined detector folder: its `anomaly.json`, then each part's folder, whose
 * `anomaly.json` must have the recorded SHA-256 and the part's format.
 * @throws XQC_ANOMALY naming a missing part or a mismatch
 */
async function readCombined(dir: string, raw: unknown): Promise<AnyAnomalyArtifacts> {
  const config = parseCombinedConfig(raw);
  const parts: Partial<Record<'patchcore' | 'simulated', unknown>> = {};
  for (const part of ['patchcore', 'simulated'] as const) {
    const sub = join(dir, config.parts[part].dir);
    const path = join(sub, ANOMALY_FILES.config);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new XqcError('XQC_ANOMALY', `the combined detector ${dir} lacks its ${part} part: ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a combined folder holds ${config.parts.patchcore.dir}/ (PatchCore) and ${config.parts.simulated.dir}/ (simulated) detector folders`, { cause: e });
    }
    if (sha256Hex(bytes) !== config.parts[part].sha256) throw new XqcError('XQC_ANOMALY', `${path} does not match the SHA-256 recorded for the ${part} part in ${join(dir, ANOMALY_FILES.config)}`);
    let partRaw: unknown;
    try {
      partRaw = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new XqcError('XQC_ANOMALY', `${path} is not valid JSON`, { cause: e });
    }
    const want = part === 'patchcore' ? ANOMALY_FORMAT : SIMULATED_FORMAT;
    if ((partRaw as { format?: unknown } | null)?.format !== want) throw new XqcError('XQC_ANOMALY', `the ${part} part ${sub} has format '${String((partRaw as { format?: unknown } | null)?.format)}', expected '${want}'`);
    parts[part] = part === 'patchcore' ? await readPatchCore(sub, partRaw) : await readSimulated(sub, partRaw);
  }
  const simulated = parts.simulated as SimulatedArtifacts;
  if (JSON.stringify(simulated.config.input) !== JSON.stringify(config.input)) throw new XqcError('XQC_ANOMALY', `the combined detector's input differs from its simulated part's (${join(dir, ANOMALY_FILES.config)})`);
  return { kind: 'combined', config, patchcore: parts.patchcore as AnomalyArtifacts, simulated };
}

async function readSimulated(dir: string, raw: unknown): Promise<SimulatedArtifacts> {
  const config = parseSimulatedConfig(raw);
  const bytes = await readBytes(join(dir, config.network.file));
  if (sha256Hex(bytes) !== config.network.sha256) {
    throw new XqcError('XQC_ANOMALY', `${config.network.file} does not match the SHA-256 recorded in ${ANOMALY_FILES.config}`);
  }
  return { config, network: loadModel(bytes) };
}

/**
 * Reads `anomaly.json`, `features.onnx` and `bank.npy` from `dir` and checks them
 * against each other.
 * @throws XQC_ANOMALY on a bad config, a hash mismatch or a bank of the wrong shape; XQC_IO when a file is missing
 */
export async function readAnomalyArtifacts(dir: string): Promise<AnomalyArtifacts> {
  return readPatchCore(dir, await readConfigJson(dir));
}

async function readPatchCore(dir: string, raw: unknown): Promise<AnomalyArtifacts> {
  const config = parseAnomalyConfig(raw);
  const featureBytes = await readBytes(join(dir, config.features.file));
  if (sha256Hex(featureBytes) !== config.features.sha256) {
    throw new XqcError('XQC_ANOMALY', `${config.features.file} does not match the SHA-256 recorded in ${ANOMALY_FILES.config}; the bank was fitted with another feature graph`);
  }
  const bankBytes = await readBytes(join(dir, config.bank.file));
  if (sha256Hex(bankBytes) !== config.bank.sha256) {
    throw new XqcError('XQC_ANOMALY', `${config.bank.file} does not match the SHA-256 recorded in ${ANOMALY_FILES.config}`);
  }
  const bank = readNpy(bankBytes);
  if (bank.dtype !== 'float32' || bank.dims.length !== 2 || bank.dims[0] !== config.bank.size || bank.dims[1] !== config.bank.dim) {
    throw new XqcError('XQC_ANOMALY', `${config.bank.file} is ${bank.dtype} [${bank.dims.join(', ')}], expected float32 [${config.bank.size}, ${config.bank.dim}]`);
  }
  return { config, featureModel: loadModel(featureBytes), bank: bank.data as Float32Array };
}
