/**
 * The model card: everything XAI-QC needs to run, explain and judge a model, stored as
 * `model_card.yaml` beside the `.onnx` file. Cards are validated once on load; every
 * field has a documented default so a minimal card is a task and a label list.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import YAML from 'yaml';
import { XqcError } from '../errors.ts';

/** What a model does. */
export type Task = 'classify' | 'segment' | 'detect' | 'anomaly';

/** How an image becomes the model's input tensor. */
export interface InputSpec {
  /** Graph input name (default: the model's first input). */
  name?: string;
  /** Model input height and width in pixels. */
  height: number;
  width: number;
  /** 'stretch' resizes to height x width; 'letterbox' keeps the aspect ratio and pads. */
  resize: 'stretch' | 'letterbox';
  /** Only NCHW is supported by the adapters. */
  layout: 'NCHW';
  color: 'rgb' | 'bgr' | 'gray';
  /** Per-channel mean and std in 0..1 units: v = (pixel / 255 - mean) / std. */
  mean: number[];
  std: number[];
}

/** A rule that grades a finding: the first matching rule (top to bottom) gives the severity. */
export interface SeverityRule {
  severity: 'minor' | 'major' | 'critical';
  /** Applies to these labels only (default all defect labels). */
  labels?: string[];
  /** Minimum defect area as a fraction of the image (0..1). */
  minAreaFraction?: number;
  /** Minimum score (probability) of the finding. */
  minScore?: number;
}

/** Card of one model. */
export interface ModelCard {
  name: string;
  version: string;
  task: Task;
  /** Class names in output order. For segmentation index 0 is the background. */
  labels: string[];
  /** Labels that mean "no defect" (default `['good']` when present, else the background label for segmenters). */
  goodLabels: string[];
  input: InputSpec;
  /** Output value names (default: the model's first output). */
  outputs: { logits?: string };
  /** Explanation settings: the last spatial activation for CAM methods. */
  explain: { layer?: string };
  /** Decision thresholds: reject when the defect probability is at least `reject`. */
  thresholds: { reject: number; pixel?: number; minAreaPixels?: number };
  severity: SeverityRule[];
  calibration?: { temperature: number; ece?: number; eceAfter?: number; fittedOn?: string };
  dataset?: { name?: string; hash?: string; split?: Record<string, number> };
  metrics?: Record<string, unknown>;
  training?: Record<string, unknown>;
  intendedUse?: string;
  limitations?: string[];
}

const TASKS: readonly Task[] = ['classify', 'segment', 'detect', 'anomaly'];

/** Default severity rules: large or confident defects are graded higher. */
export const DEFAULT_SEVERITY: readonly SeverityRule[] = [
  { severity: 'critical', minAreaFraction: 0.05 },
  { severity: 'major', minAreaFraction: 0.01 },
  { severity: 'minor' },
];

function fail(msg: string): never {
  throw new XqcError('XQC_MODEL_INVALID', `model card: ${msg}`);
}

function numList(v: unknown, name: string, len?: number): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail(`${name} must be a list of numbers`);
  if (len !== undefined && v.length !== len && v.length !== 1) fail(`${name} must have 1 or ${len} values`);
  return v as number[];
}

/**
 * Validates a parsed card object and fills defaults.
 * @throws XQC_MODEL_INVALID naming the first bad field.
 */
export function parseModelCard(raw: unknown): ModelCard {
  if (typeof raw !== 'object' || raw === null) fail('not a mapping');
  const r = raw as Record<string, unknown>;
  const task = r.task as Task;
  if (!TASKS.includes(task)) fail(`task must be one of ${TASKS.join(', ')}`);
  const labels = r.labels;
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((l) => typeof l !== 'string')) fail('labels must be a non-empty list of strings');
  if (new Set(labels).size !== labels.length) fail('labels must be unique');
  const inp = (r.input ?? {}) as Record<string, unknown>;
  const color = (inp.color ?? 'rgb') as InputSpec['color'];
  if (!['rgb', 'bgr', 'gray'].includes(color)) fail('input.color must be rgb, bgr or gray');
  const channels = color === 'gray' ? 1 : 3;
  const size = inp.size === undefined ? undefined : numList(inp.size, 'input.size');
  const height = Number(inp.height ?? size?.[0] ?? 224);
  const width = Number(inp.width ?? size?.[1] ?? size?.[0] ?? 224);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 8 || width < 8 || height > 8192 || width > 8192) {
    fail('input height/width must be integers in 8..8192');
  }
  const resize = (inp.resize ?? 'stretch') as InputSpec['resize'];
  if (resize !== 'stretch' && resize !== 'letterbox') fail('input.resize must be stretch or letterbox');
  if ((inp.layout ?? 'NCHW') !== 'NCHW') fail('input.layout must be NCHW');
  const mean = numList(inp.mean ?? [0], 'input.mean', channels);
  const std = numList(inp.std ?? [1], 'input.std', channels);
  if (std.some((s) => s <= 0)) fail('input.std must be positive');
  const thr = (r.thresholds ?? {}) as Record<string, unknown>;
  const reject = Number(thr.reject ?? 0.5);
  if (!(reject >= 0 && reject <= 1)) fail('thresholds.reject must be in [0, 1]');
  const goodDefault = labels.includes('good') ? ['good'] : task === 'segment' ? [labels[0]] : [];
  const goodLabels = (r.goodLabels ?? r.good_labels ?? goodDefault) as string[];
  for (const g of goodLabels) if (!labels.includes(g)) fail(`good label '${g}' is not in labels`);
  const severity = ((r.severity as SeverityRule[] | undefined) ?? [...DEFAULT_SEVERITY]).map((s, i) => {
    if (!['minor', 'major', 'critical'].includes(s.severity)) fail(`severity[${i}].severity must be minor, major or critical`);
    return { ...s };
  });
  const explain = (r.explain ?? {}) as { layer?: string };
  const outputs = (r.outputs ?? {}) as { logits?: string };
  const cal = r.calibration as ModelCard['calibration'];
  if (cal && !(cal.temperature > 0)) fail('calibration.temperature must be positive');
  return {
    name: String(r.name ?? 'model'),
    version: String(r.version ?? '0.0.0'),
    task,
    labels: labels as string[],
    goodLabels,
    input: { name: inp.name as string | undefined, height, width, resize, layout: 'NCHW', color, mean, std },
    outputs,
    explain,
    thresholds: {
      reject,
      pixel: thr.pixel === undefined ? undefined : Number(thr.pixel),
      minAreaPixels: thr.minAreaPixels === undefined ? undefined : Number(thr.minAreaPixels),
    },
    severity,
    calibration: cal,
    dataset: r.dataset as ModelCard['dataset'],
    metrics: r.metrics as ModelCard['metrics'],
    training: r.training as ModelCard['training'],
    intendedUse: (r.intendedUse ?? r.intended_use) as string | undefined,
    limitations: r.limitations as string[] | undefined,
  };
}

/** Parses `model_card.yaml` text. */
export function parseModelCardYaml(text: string): ModelCard {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new XqcError('XQC_MODEL_INVALID', `model card is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  return parseModelCard(raw);
}

/** Serialises a card as YAML (undefined fields omitted). */
export function modelCardToYaml(card: ModelCard): string {
  const clean = JSON.parse(JSON.stringify(card)) as Record<string, unknown>;
  return `# XAI-QC model card\n${YAML.stringify(clean, { lineWidth: 100 })}`;
}

/** Reads and validates a card file. */
export async function readModelCard(path: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new XqcError('XQC_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return parseModelCardYaml(text);
}

/** Writes a card atomically. */
export async function writeModelCard(path: string, card: ModelCard): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, modelCardToYaml(card));
  await rename(tmp, path);
}

/** Index of each label that is not a good label (the defect classes). */
export function defectIndices(card: ModelCard): number[] {
  return card.labels.map((l, i) => (card.goodLabels.includes(l) ? -1 : i)).filter((i) => i >= 0);
}
