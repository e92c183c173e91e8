/**
 * Checks of a `POST /explain` request that need no database: method names against the core's
 * registry, parameters against each method's declared table (unknown, ill-typed, out of
 * range, or code-only: 400 naming what is valid), colormap and opacity; then, with the
 * inspection's model card and findings, whether the methods fit the model and which class a
 * target names. Parameters get their defaults filled in and a hash that keys the stored result.
 */
import { createHash } from 'node:crypto';
import { COLORMAP_NAMES, explainerNames, getExplainer, isXqcError, resolveParams } from '@xai-qc/core';
import type { ModelCard } from '@xai-qc/core';
import type { FindingRow } from '../db/tables/inspections.tables.ts';
import { badRequest } from '../errors/api-error.ts';
import type { JobPayloads } from '../jobs/job-names.ts';

/** SLIC settings a superpixel method may be given (core explain-image.ts). */
const SLIC_KEYS = ['nSegments', 'compactness', 'slicSigma'];

/** JSON with object keys sorted, so equal parameter sets hash alike. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SHA-256 of `s` (UTF-8), hex. */
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A request after {@link checkExplainRequest}. */
export interface CheckedRequest {
  /** Per method, in request order: parameters with defaults filled in and their key hash. */
  methods: { method: string; params: Record<string, unknown>; paramsHash: string }[];
  /** The caller's own parameters by method (what explainImage is given). */
  given: Record<string, Record<string, unknown>>;
  colormap: string;
  opacity: number;
}

/**
 * Checks methods, parameters, colormap and opacity.
 * @throws ApiError 400 XQC_EXPLAIN_METHOD, XQC_EXPLAIN_PARAM, XQC_EXPLAIN_COLORMAP, XQC_EXPLAIN_OPACITY
 */
export function checkExplainRequest(request: JobPayloads['explain']): CheckedRequest {
  const known: readonly string[] = explainerNames();
  const seen = new Set<string>();
  for (const m of request.methods) {
    if (!known.includes(m)) throw badRequest('XQC_EXPLAIN_METHOD', `methods: unknown method '${m}'; the methods are ${known.join(', ')}`);
    if (seen.has(m)) throw badRequest('XQC_EXPLAIN_METHOD', `methods: '${m}' is requested twice; name each method once`);
    seen.add(m);
  }
  const colormap = request.colormap ?? 'jet';
  if (!(COLORMAP_NAMES as readonly string[]).includes(colormap)) throw badRequest('XQC_EXPLAIN_COLORMAP', `colormap: unknown colormap '${colormap}'; one of ${COLORMAP_NAMES.join(', ')}`);
  const opacity = request.opacity ?? 0.5;
  if (!(opacity >= 0 && opacity <= 1)) throw badRequest('XQC_EXPLAIN_OPACITY', `opacity: must be in [0, 1], got ${opacity}`);
  const given = request.params ?? {};
  for (const m of Object.keys(given)) {
    if (!seen.has(m)) throw badRequest('XQC_EXPLAIN_PARAM', `params: parameters are given for '${m}', which is not requested (${request.methods.join(', ')})`);
  }
  const methods = request.methods.map((method) => {
    const table = getExplainer(method).params;
    const settable = Object.keys(table).filter((k) => table[k].cli !== false);
    const own = given[method] ?? {};
    for (const name of Object.keys(own)) {
      if (!settable.includes(name)) {
        throw badRequest('XQC_EXPLAIN_PARAM', `params.${method}: unknown parameter '${name}'; ${settable.length ? `its parameters are ${settable.join(', ')}` : 'it takes no parameters'}`);
      }
    }
    let params: Record<string, unknown>;
    try {
      params = resolveParams<Record<string, unknown>>(method, table, own);
    } catch (e) {
      if (isXqcError(e)) throw badRequest('XQC_EXPLAIN_PARAM', `params.${method}: ${e.message}`);
      throw e;
    }
    // explainImage shares one SLIC segmentation between lime and kernelshap unless a SLIC
    // setting is given, even one equal to its default; the key tells the two cases apart.
    const ownSegments = SLIC_KEYS.some((k) => Object.hasOwn(own, k));
    return { method, params, paramsHash: sha256(canonical(ownSegments ? { ...params, ownSegments } : params)) };
  });
  return { methods, given: Object.fromEntries(Object.entries(given).map(([k, v]) => [k, { ...v }])), colormap, opacity };
}

/**
 * Refuses methods that cannot explain this kind of model.
 * @throws ApiError 400 XQC_EXPLAIN_METHOD for anomalymap of a model that is not an anomaly detector
 */
export function checkMethodsFit(card: ModelCard, methods: readonly string[]): void {
  if (methods.includes('anomalymap') && card.task !== 'anomaly') {
    const others = explainerNames().filter((n) => n !== 'anomalymap');
    throw badRequest('XQC_EXPLAIN_METHOD', `methods: anomalymap explains anomaly detectors; model '${card.name}' is a ${card.task} model (use ${others.join(', ')})`);
  }
}

/**
 * The class (element) index a target names, or undefined for the model's own choice. A
 * finding names its class (an anomaly detector has one target, 0: its score).
 * @throws ApiError 400 XQC_EXPLAIN_TARGET naming the valid classes or findings
 */
export function resolveTarget(card: ModelCard, findings: readonly Pick<FindingRow, 'class_index'>[], target: JobPayloads['explain']['target']): number | undefined {
  if (target === undefined) return undefined;
  const anomaly = card.task === 'anomaly';
  if (typeof target === 'object') {
    const n = findings.length;
    if (target.finding < 0 || target.finding >= n) {
      throw badRequest('XQC_EXPLAIN_TARGET', `target.finding: ${target.finding} is out of range; the inspection has ${n === 0 ? 'no findings' : `${n} finding(s), indices 0..${n - 1}`}`);
    }
    return anomaly ? 0 : findings[target.finding].class_index;
  }
  const k = anomaly ? 1 : card.labels.length;
  if (target < 0 || target >= k) {
    const valid = anomaly ? '0 (the anomaly score)' : card.labels.map((l, i) => `${i} (${l})`).join(', ');
    throw badRequest('XQC_EXPLAIN_TARGET', `target: class ${target} is out of range for model '${card.name}'; valid: ${valid}`);
  }
  return target;
}
