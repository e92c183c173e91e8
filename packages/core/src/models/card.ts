/**
 * The model card: everything XAI-QC needs to run, explain and judge a model, stored as
 * `model_card.yaml` beside the `.onnx` file. A card is validated once, on load, against
 * {@link ModelCardSchema} (Ajv), then checked across fields (good and severity labels
 * among the labels, mean/std lengths against the colour). Every field has one spelling;
 * fields with a default are filled, so a minimal card is a task and a label list.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { XqcError } from '../errors.ts';
import { ioError, writeFileAtomic } from '../io/atomic-write.ts';
import { InputSpecSchema, ModelCardSchema } from './card.schema.ts';
import type { InputSpec, ModelCard, SeverityRule, Task } from './card.schema.ts';
import { TASK_ADAPTERS } from './tasks/index.ts';

export type { InputSpec, ModelCard, SeverityRule, Task } from './card.schema.ts';

/** Default severity rules: large or confident defects are graded higher. */
export const DEFAULT_SEVERITY: readonly SeverityRule[] = ModelCardSchema.properties.severity.default as SeverityRule[];

/** Spellings older readers accepted, and the one spelling a card uses now. */
const RENAMED: Readonly<Record<string, string>> = {
  '/good_labels': 'goodLabels',
  '/intended_use': 'intendedUse',
  '/input/size': 'input.height and input.width',
};

let ajv: Ajv | undefined;
let validator: ValidateFunction | undefined;
let inputValidator: ValidateFunction | undefined;

function compile(schema: object): ValidateFunction {
  ajv ??= new Ajv({ useDefaults: true, allErrors: false, strict: true, allowUnionTypes: true });
  return ajv.compile(schema);
}

function validate(raw: unknown): boolean {
  validator ??= compile(ModelCardSchema);
  return validator(raw);
}

function fail(path: string, message: string, details: Record<string, unknown> = {}): never {
  throw new XqcError('XQC_CARD_INVALID', `model card: ${path || '(root)'} ${message}`, { details: { path, ...details } });
}

/** The most specific Ajv error (deepest path), phrased with the field's JSON path. */
function describe(errors: readonly ErrorObject[], prefix = ''): { path: string; message: string } {
  const deepest = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const e = { ...deepest, instancePath: `${prefix}${deepest.instancePath}` };
  const path = e.instancePath;
  if (e.keyword === 'additionalProperties') {
    const extra = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
    const renamed = RENAMED[extra];
    return { path: extra, message: renamed ? `is not a card field; spell it ${renamed}` : `is not a card field (allowed here: ${allowedAt(path).join(', ')})` };
  }
  if (e.keyword === 'required') return { path: `${path}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
  if (e.keyword === 'anyOf' || e.keyword === 'const') return { path, message: `must be one of ${allowedValues(path).join(', ')}` };
  if (e.keyword === 'type' && (e.params as { type: string }).type === 'number') return { path, message: 'must be a finite number' };
  return { path, message: e.message ?? 'is invalid' };
}

/** The schema node at a JSON path of the card (array items followed). */
function schemaAt(path: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = ModelCardSchema as unknown as Record<string, unknown>;
  for (const part of path.split('/').slice(1)) {
    if (!node) return undefined;
    if (/^\d+$/.test(part) && node.items) node = node.items as Record<string, unknown>;
    else node = (node.properties as Record<string, Record<string, unknown>> | undefined)?.[part];
  }
  return node;
}

function allowedAt(path: string): string[] {
  return Object.keys((schemaAt(path)?.properties as object | undefined) ?? {});
}

function allowedValues(path: string): string[] {
  const node = schemaAt(path);
  const options = (node?.anyOf as { const?: unknown }[] | undefined) ?? (node ? [node] : []);
  return options.map((o) => JSON.stringify(o.const));
}

/** Fails on the first non-finite number anywhere under `value` (free-form sections). */
function checkFinite(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, `must be a finite number, got ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkFinite(v, `${path}/${i}`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkFinite(v, `${path}/${k}`);
  } else if (value !== null && !['string', 'boolean'].includes(typeof value)) {
    fail(path, `must be a string, number, boolean, list or mapping, got ${typeof value}`);
  }
}

/**
 * Validates a parsed card object (not modified) and returns it with defaults filled.
 * `goodLabels` defaults to `['good']` when a label is 'good', to the first (background)
 * label for segmenters and detectors, else to none.
 * @throws XQC_CARD_INVALID naming the first bad field by its JSON path (also in `details.path`)
 */
export function parseModelCard(raw: unknown): ModelCard {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('', 'must be a mapping of card fields');
  const card = structuredClone(raw) as Record<string, unknown>;
  // The task's default (none for an unknown task or bad labels, which fail validation just below).
  if (card.goodLabels === undefined) {
    const known = typeof card.task === 'string' && Object.hasOwn(TASK_ADAPTERS, card.task) && Array.isArray(card.labels);
    card.goodLabels = known ? TASK_ADAPTERS[card.task as Task].defaultGoodLabels((card.labels as unknown[]).filter((l): l is string => typeof l === 'string')) : [];
  }
  if (!validate(card)) {
    const { path, message } = describe(validator?.errors ?? []);
    fail(path, message);
  }
  const c = card as unknown as ModelCard;
  if (c.metrics !== undefined) checkFinite(c.metrics, '/metrics');
  if (c.training !== undefined) checkFinite(c.training, '/training');
  c.goodLabels.forEach((g, i) => {
    if (!c.labels.includes(g)) fail(`/goodLabels/${i}`, `'${g}' is not one of the labels (${c.labels.join(', ')})`);
  });
  c.severity.forEach((rule, i) =>
    rule.labels?.forEach((l, j) => {
      if (!c.labels.includes(l)) fail(`/severity/${i}/labels/${j}`, `'${l}' is not one of the labels (${c.labels.join(', ')})`);
    }),
  );
  parseInputSpec(c.input);
  if (c.input.resize === 'tile' && c.task !== 'anomaly') fail('/input/resize', `'tile' applies to anomaly detectors only (their maps are stitched from tiles); a ${c.task} model takes 'stretch' or 'letterbox'`);
  return c;
}

/**
 * Validates an input spec alone (as `anomaly.json` stores it) against the card's
 * `input` schema, and returns it with defaults filled.
 * @throws XQC_CARD_INVALID naming the field (`/input/...`)
 */
export function parseInputSpec(raw: unknown): InputSpec {
  const spec = structuredClone(raw ?? {}) as InputSpec;
  // The default of `input` belongs to the card; Ajv refuses a default at a schema's root.
  inputValidator ??= compile(Object.fromEntries(Object.entries(InputSpecSchema).filter(([k]) => k !== 'default')));
  if (!inputValidator(spec)) {
    const { path, message } = describe(inputValidator.errors ?? [], '/input');
    fail(path, message);
  }
  const channels = spec.color === 'gray' ? 1 : 3;
  for (const key of ['mean', 'std'] as const) {
    const n = spec[key].length;
    if (n !== 1 && n !== channels) fail(`/input/${key}`, `must have 1 or ${channels} values for color '${spec.color}', got ${n}`);
  }
  return spec;
}

/** Parses `model_card.yaml` text. */
export function parseModelCardYaml(text: string): ModelCard {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new XqcError('XQC_CARD_INVALID', `model card is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
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
    throw ioError('read', path, e);
  }
  try {
    return parseModelCardYaml(text);
  } catch (e) {
    if (e instanceof XqcError) throw new XqcError(e.code, `${path}: ${e.message}`, { cause: e, details: e.details ? { ...e.details } : undefined });
    throw e;
  }
}

/** Validates `card` and writes it atomically as YAML. */
export async function writeModelCard(path: string, card: ModelCard): Promise<void> {
  await writeFileAtomic(path, modelCardToYaml(parseModelCard(card)));
}

export { defectIndices } from './labels.ts';
