/**
 * The explicit list of explanation methods, by name, so the CLI and the server can look a
 * method up. Add a method by importing it and inserting it in EXPLAINERS (keep the list
 * alphabetical by method name); nothing is discovered by globbing, and a name listed
 * twice throws when this module loads.
 */
import { XqcError } from '../errors.ts';
import { describeParams, resolveParams } from './method-params.ts';
import { anomalyMap } from './methods/anomaly-map.ts';
import { gradCamPlusPlus } from './methods/grad-cam-pp.ts';
import { gradCam } from './methods/grad-cam.ts';
import { gradientShap } from './methods/gradient-shap.ts';
import { gradientXInput } from './methods/gradient-x-input.ts';
import { integratedGradients } from './methods/integrated-gradients.ts';
import { kernelShap } from './methods/kernel-shap.ts';
import { lime } from './methods/lime.ts';
import { occlusion } from './methods/occlusion.ts';
import { rise } from './methods/rise.ts';
import { saliency } from './methods/saliency.ts';
import { smoothGrad } from './methods/smoothgrad.ts';
import type { Explainer, MethodName } from './types.ts';

/** Every shipped method, alphabetical by name. */
export const EXPLAINERS: readonly Explainer[] = [
  anomalyMap,
  gradCam,
  gradCamPlusPlus,
  gradientShap,
  gradientXInput,
  integratedGradients,
  kernelShap,
  lime,
  occlusion,
  rise,
  saliency,
  smoothGrad,
];

const byName = new Map<string, Explainer>();
for (const e of EXPLAINERS) {
  if (byName.has(e.name)) throw new XqcError('XQC_EXPLAIN', `explanation method '${e.name}' is registered twice`);
  byName.set(e.name, e);
}

/** Names of the registered methods, alphabetical. */
export function explainerNames(): MethodName[] {
  return EXPLAINERS.map((e) => e.name);
}

/**
 * The method called `name`.
 * @throws XQC_EXPLAIN naming the known methods when there is none.
 */
export function getExplainer(name: string): Explainer {
  const e = byName.get(name);
  if (!e) throw new XqcError('XQC_EXPLAIN', `unknown explanation method '${name}'; known: ${explainerNames().join(', ')}`);
  return e;
}

/**
 * Checks `params` against the declared parameters of method `name` without running it,
 * so a misspelt or ill-typed parameter fails before any model work.
 * @throws XQC_EXPLAIN for an unknown method, XQC_INVALID_ARGUMENT naming the valid parameters.
 */
export function checkMethodParams(name: string, params: Readonly<Record<string, unknown>>): void {
  resolveParams(name, getExplainer(name).params, params);
}

/** Help lines of method `name`: one per parameter a user can set, with kind, default and meaning. */
export function describeMethodParams(name: string): string[] {
  return describeParams(getExplainer(name).params);
}
