/**
 * The explanation methods as the viewer presents them: names and plain descriptions, which
 * answer at once and which run as a job, the settings an engineer may change, and the rules
 * that turn a result's figures (completeness error, consensus, agreement, quality) into a
 * sentence. The list of methods itself comes from the server (the `POST /explain` schema of
 * its OpenAPI document, see {@link methodsFromOpenApi}) and the model's task; this catalogue
 * only describes them. Pure functions: no React, no fetching.
 */

/** A setting of a method the viewer offers (the server checks it against the core's table). */
export interface MethodSetting {
  /** Parameter name as the core declares it. */
  name: string;
  /** Label of the form field. */
  label: string;
  kind: 'integer' | 'number' | 'enum';
  /** Accepted values of an enum. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** What the setting changes, for the field's hint. */
  hint: string;
}

/** How the viewer describes one method. */
export interface MethodInfo {
  /** Registry name (`ig`, `gradcampp`, ...). */
  name: string;
  /** Full name, e.g. "Integrated Gradients". */
  label: string;
  /** Tab label (short). */
  short: string;
  family: 'gradient' | 'cam' | 'perturbation' | 'anomaly';
  /** One sentence for an operator: what the heatmap shows. */
  what: string;
  /** Signed maps also show evidence against the target. */
  signed: boolean;
  /** Settings offered in the form ("Run with other settings"). */
  settings: readonly MethodSetting[];
}

/** Methods the server may answer inline (one or two backward passes each); the rest run as a job. */
export const FAST_METHODS: ReadonlySet<string> = new Set(['gradcam', 'gradcampp', 'saliency', 'gradxinput']);

const FILL: MethodSetting = { name: 'fill', label: 'Hidden pixels show', kind: 'enum', values: ['mean', 'zero', 'blur'], hint: 'what replaces the pixels the method hides' };
const N_SEGMENTS: MethodSetting = { name: 'nSegments', label: 'Superpixels', kind: 'integer', min: 2, max: 400, hint: 'how many regions the image is cut into (SLIC); more regions give a finer map and take longer' };

/** The catalogue, in the order the tabs show the methods. */
export const METHOD_CATALOG: readonly MethodInfo[] = [
  {
    name: 'saliency',
    label: 'Saliency',
    short: 'Saliency',
    family: 'gradient',
    what: 'Pixels where a tiny change would move the score the most. Fast, but noisy.',
    signed: false,
    settings: [],
  },
  {
    name: 'gradxinput',
    label: 'Gradient x input',
    short: 'Grad x input',
    family: 'gradient',
    what: 'Each pixel\u2019s sensitivity times its value: pixels that push the score up, and (signed) those that push it down.',
    signed: true,
    settings: [],
  },
  {
    name: 'smoothgrad',
    label: 'SmoothGrad',
    short: 'SmoothGrad',
    family: 'gradient',
    what: 'Saliency averaged over noisy copies of the image: less speckle, the same idea.',
    signed: false,
    settings: [
      { name: 'samples', label: 'Noisy copies', kind: 'integer', min: 1, max: 500, hint: 'more copies give a smoother map and take longer' },
      { name: 'sigma', label: 'Noise level', kind: 'number', min: 0, max: 1, hint: 'noise as a fraction of the image\u2019s value range' },
      { name: 'mode', label: 'Averaging', kind: 'enum', values: ['abs', 'square', 'mean'], hint: 'abs: mean of |gradient|; square: SmoothGrad-Squared; mean: the paper\u2019s form' },
    ],
  },
  {
    name: 'ig',
    label: 'Integrated Gradients',
    short: 'Integrated Gradients',
    family: 'gradient',
    what: 'How much each pixel adds to the score compared with a blank image; the parts add up to the score (completeness).',
    signed: true,
    settings: [
      { name: 'steps', label: 'Steps', kind: 'integer', min: 1, max: 512, hint: 'more steps lower the completeness error and take longer' },
      { name: 'rule', label: 'Integration rule', kind: 'enum', values: ['gauss-legendre', 'midpoint', 'trapezoid', 'left', 'right'], hint: 'how the path integral is summed' },
      { name: 'baseline', label: 'Compared with', kind: 'enum', values: ['black', 'blurred', 'noise'], hint: 'the reference image the path starts from' },
    ],
  },
  {
    name: 'gradshap',
    label: 'Gradient SHAP',
    short: 'Gradient SHAP',
    family: 'gradient',
    what: 'Integrated Gradients averaged over random reference images: each pixel\u2019s expected share of the score.',
    signed: true,
    settings: [{ name: 'samples', label: 'Samples', kind: 'integer', min: 1, max: 1000, hint: 'random draws; more draws give a steadier map' }],
  },
  {
    name: 'gradcam',
    label: 'Grad-CAM',
    short: 'Grad-CAM',
    family: 'cam',
    what: 'The regions a deep layer of the network looked at for this answer. Coarse, but robust.',
    signed: false,
    settings: [],
  },
  {
    name: 'gradcampp',
    label: 'Grad-CAM++',
    short: 'Grad-CAM++',
    family: 'cam',
    what: 'Like Grad-CAM, weighted to cover several or thin defects better.',
    signed: false,
    settings: [],
  },
  {
    name: 'occlusion',
    label: 'Occlusion',
    short: 'Occlusion',
    family: 'perturbation',
    what: 'A patch slides over the image; where covering it drops the score, the model relied on that area.',
    signed: true,
    settings: [
      { name: 'window', label: 'Patch size (px)', kind: 'integer', min: 1, max: 512, hint: 'side of the covering patch at model input size (default 1/8 of the image)' },
      { name: 'stride', label: 'Step (px)', kind: 'integer', min: 1, max: 512, hint: 'distance between patch positions (default half the patch)' },
      FILL,
    ],
  },
  {
    name: 'rise',
    label: 'RISE',
    short: 'RISE',
    family: 'perturbation',
    what: 'The image is shown through many random masks; pixels that keep the score high when visible matter.',
    signed: true,
    settings: [
      { name: 'masks', label: 'Masks', kind: 'integer', min: 1, max: 8000, hint: 'more masks give a steadier map and take longer' },
      { name: 'grid', label: 'Grid', kind: 'integer', min: 2, max: 32, hint: 'cells per side of each random mask' },
    ],
  },
  {
    name: 'lime',
    label: 'LIME',
    short: 'LIME',
    family: 'perturbation',
    what: 'The image is cut into regions; a simple model learns which regions, when hidden, change the answer.',
    signed: true,
    settings: [{ name: 'samples', label: 'Samples', kind: 'integer', min: 2, max: 5000, hint: 'perturbed images; more give a steadier fit' }, N_SEGMENTS, FILL],
  },
  {
    name: 'kernelshap',
    label: 'Kernel SHAP',
    short: 'Kernel SHAP',
    family: 'perturbation',
    what: 'Each image region\u2019s fair share of the score (Shapley values); the shares add up to the score.',
    signed: true,
    settings: [{ name: 'samples', label: 'Samples', kind: 'integer', min: 1, max: 5000, hint: 'region combinations tried' }, N_SEGMENTS, FILL],
  },
  {
    name: 'anomalymap',
    label: 'Anomaly map',
    short: 'Anomaly map',
    family: 'anomaly',
    what: 'The detector\u2019s own map: how far each patch is from every good part it has seen. Above half is beyond the limit.',
    signed: false,
    settings: [],
  },
];

const BY_NAME = new Map(METHOD_CATALOG.map((m) => [m.name, m]));

/** The description of `name`; a method the catalogue does not know gets a neutral one. */
export function methodInfo(name: string): MethodInfo {
  return BY_NAME.get(name) ?? { name, label: name, short: name, family: 'gradient', what: 'An explanation method of the server.', signed: false, settings: [] };
}

/** Whether a request for `method` alone may answer at once (otherwise it runs as a job). */
export function isFast(method: string): boolean {
  return FAST_METHODS.has(method);
}

/**
 * Method names from a schema description of the form `core registry names, each once: a, b, c`
 * (the `methods` field of the `POST /explain` body). Undefined when the text has no list.
 */
export function parseMethodList(description: string | undefined): string[] | undefined {
  if (!description) return undefined;
  const m = /:\s*([a-z0-9_-]+(?:\s*,\s*[a-z0-9_-]+)*)\s*\.?\s*$/i.exec(description);
  if (!m) return undefined;
  const names = m[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

/**
 * The method names the server declares, read from its OpenAPI document: the description of
 * `methods` in the body of `POST {prefix}/explain` (following one `$ref`). Undefined when the
 * document does not have it.
 */
export function methodsFromOpenApi(doc: unknown, prefix = '/api/xai-qc'): string[] | undefined {
  const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
  let schema = at(doc, 'paths', `${prefix}/explain`, 'post', 'requestBody', 'content', 'application/json', 'schema');
  const ref = at(schema, '$ref');
  if (typeof ref === 'string' && ref.startsWith('#/')) schema = at(doc, ...ref.slice(2).split('/'));
  const description = at(schema, 'properties', 'methods', 'description');
  return parseMethodList(typeof description === 'string' ? description : undefined);
}

/**
 * The tabs for a model: the server's methods (or the catalogue when the server's list is not
 * known) in catalogue order, unknown server methods after them; `anomalymap` only for
 * anomaly detectors, which it alone explains.
 */
export function methodsForModel(serverMethods: readonly string[] | undefined, task: string): string[] {
  const names = serverMethods ?? METHOD_CATALOG.map((m) => m.name);
  const known = METHOD_CATALOG.map((m) => m.name).filter((n) => names.includes(n));
  const unknown = names.filter((n) => !BY_NAME.has(n));
  return [...known, ...unknown].filter((n) => n !== 'anomalymap' || task === 'anomaly');
}

/** A figure with its plain reading. */
export interface Reading {
  label: string;
  value: string;
  /** good: supports trusting the map; warn: read it with care; bad: do not rely on it; info: neutral. */
  tone: 'good' | 'warn' | 'bad' | 'info';
  hint: string;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The completeness check of a method whose attributions should add up to the score change
 * (Integrated Gradients, Kernel SHAP; Gradient SHAP's expected gap). Relative error from the
 * extras when present, else the absolute error against the score change the extras give.
 */
export function completenessReading(method: string, completenessError: number | null, extras: Record<string, unknown>): Reading | undefined {
  if (!finite(completenessError)) return undefined;
  let relative: number | undefined = finite(extras.relativeCompletenessError) ? extras.relativeCompletenessError : undefined;
  if (relative === undefined && finite(extras.score)) {
    const base = finite(extras.baselineScore) ? extras.baselineScore : finite(extras.baseValue) ? extras.baseValue : finite(extras.expectedBaselineScore) ? extras.expectedBaselineScore : undefined;
    if (base !== undefined && extras.score !== base) relative = completenessError / Math.abs(extras.score - base);
  }
  const label = method === 'gradshap' ? 'Completeness gap' : 'Completeness error';
  if (relative === undefined) return { label, value: completenessError.toPrecision(3), tone: 'info', hint: 'How far the parts miss the score change (absolute; the score change is not known).' };
  const pct = `${(relative * 100).toFixed(relative < 0.01 ? 2 : 1)} %`;
  // Gradient SHAP's gap is an expectation over random baselines: larger by nature, so a looser bar.
  const [good, fair] = method === 'gradshap' ? [0.1, 0.3] : [0.05, 0.15];
  if (relative <= good) return { label, value: pct, tone: 'good', hint: 'The parts add up to the score change: the map accounts for the whole decision.' };
  if (relative <= fair) return { label, value: pct, tone: 'warn', hint: method === 'ig' ? 'The parts miss the score change a little; run again with more steps for a closer map.' : 'The parts miss the score change a little; more samples give a closer map.' };
  return { label, value: pct, tone: 'bad', hint: method === 'ig' ? 'The parts do not add up to the score change: raise the steps before relying on this map.' : 'The parts do not add up to the score change: raise the samples before relying on this map.' };
}

/** How far several methods agree (the aggregate's consensus score, 0..1). */
export function consensusReading(score: number, members: number): Reading {
  const value = score.toFixed(2);
  if (members < 2) return { label: 'Consensus', value, tone: 'info', hint: 'One method only: run at least two to see whether they agree.' };
  if (score >= 0.6) return { label: 'Consensus', value, tone: 'good', hint: 'The methods agree on where the evidence is: the highlighted area is a reliable reason for the answer.' };
  if (score >= 0.35) return { label: 'Consensus', value, tone: 'warn', hint: 'The methods agree on the main area but not on the details: trust the hot spot, not the faint parts.' };
  return { label: 'Consensus', value, tone: 'bad', hint: 'The methods disagree: no single heatmap should be taken as the reason. Compare them side by side.' };
}

/** How far one method agrees with the consensus map (0..1). */
export function agreementReading(agreement: number): Reading {
  const value = agreement.toFixed(2);
  if (agreement >= 0.5) return { label: 'Agreement with the others', value, tone: 'good', hint: 'This map shows what the other methods show.' };
  if (agreement >= 0.25) return { label: 'Agreement with the others', value, tone: 'warn', hint: 'This map partly differs from the others.' };
  return { label: 'Agreement with the others', value, tone: 'bad', hint: 'This map differs from the others: it may be misleading for this image.' };
}

/** Quality figures against the reviewed mask (pointing game, energy in mask, deletion / insertion AUC). */
export function qualityReadings(quality: Record<string, unknown> | null): Reading[] {
  if (!quality) return [];
  const out: Reading[] = [];
  const hit = quality.pointingHit ?? quality.pointingGame;
  if (typeof hit === 'boolean') {
    out.push({ label: 'Pointing game', value: hit ? 'hit' : 'miss', tone: hit ? 'good' : 'bad', hint: hit ? 'The hottest point lies on the defect a reviewer marked.' : 'The hottest point lies off the defect a reviewer marked.' });
  }
  if (finite(quality.energyInMask)) {
    const e = quality.energyInMask;
    out.push({ label: 'Energy in mask', value: `${(e * 100).toFixed(1)} %`, tone: e >= 0.5 ? 'good' : e >= 0.2 ? 'warn' : 'bad', hint: 'Share of the heat that lies on the defect a reviewer marked.' });
  }
  if (finite(quality.deletionAuc)) out.push({ label: 'Deletion AUC', value: quality.deletionAuc.toFixed(3), tone: 'info', hint: 'Score left while the hottest pixels are removed; lower is better.' });
  if (finite(quality.insertionAuc)) out.push({ label: 'Insertion AUC', value: quality.insertionAuc.toFixed(3), tone: 'info', hint: 'Score regained while the hottest pixels are restored; higher is better.' });
  return out;
}

/** A parameter value as text: numbers trimmed, objects as compact JSON. */
export function formatParam(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '\u2013';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The parameters of a result for display, in name order, leaving out what is not set. */
export function paramEntries(params: Record<string, unknown>): [string, string][] {
  return Object.keys(params)
    .filter((k) => params[k] !== undefined)
    .sort()
    .map((k) => [k, formatParam(params[k])]);
}

/**
 * Parses the settings form (strings from inputs) into `POST /explain` params of one method:
 * empty fields are left to the server's defaults.
 * @returns the params, or the first problem as a sentence
 */
export function parseSettings(method: string, values: Record<string, string>): { params: Record<string, number | string> } | { error: string } {
  const params: Record<string, number | string> = {};
  for (const s of methodInfo(method).settings) {
    const raw = (values[s.name] ?? '').trim();
    if (raw === '') continue;
    if (s.kind === 'enum') {
      if (!s.values?.includes(raw)) return { error: `${s.label} must be one of ${s.values?.join(', ')}.` };
      params[s.name] = raw;
      continue;
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) return { error: `${s.label} must be a number.` };
    if (s.kind === 'integer' && !Number.isInteger(v)) return { error: `${s.label} must be a whole number.` };
    if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) return { error: `${s.label} must be between ${s.min} and ${s.max}.` };
    params[s.name] = v;
  }
  return { params };
}

/** The least a stored result needs for {@link pickExplanation}. */
export interface StoredLike {
  id: string;
  method: string;
  createdAt: string;
  target: { key: string };
}

/** The result a tab shows: `preferredId` when it is of `method` and `targetKey`, else the newest of `method` for `targetKey`. */
export function pickExplanation<T extends StoredLike>(items: readonly T[], method: string, targetKey: string, preferredId?: string): T | undefined {
  const mine = items.filter((e) => e.method === method);
  const preferred = preferredId ? mine.find((e) => e.id === preferredId && e.target.key === targetKey) : undefined;
  if (preferred) return preferred;
  return mine.filter((e) => e.target.key === targetKey).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

/** The aggregate the consensus tab shows: for `targetKey`, most members first, then newest. */
export function pickAggregate<T extends { targetKey: string; members: unknown[]; createdAt: string }>(aggregates: readonly T[], targetKey: string): T | undefined {
  return aggregates
    .filter((a) => a.targetKey === targetKey)
    .sort((a, b) => b.members.length - a.members.length || b.createdAt.localeCompare(a.createdAt))[0];
}
