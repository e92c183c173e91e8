/**
 * Explanations: the method contract, targets and the batched model function, every
 * method by name, aggregation, quality measures, rendering and the one-image pipeline.
 */
export type { ExplainInput, Explainer, Explanation, MethodName } from './types.ts';
export type { Target } from './target.ts';
export { classTarget, regionTarget, scalarTarget, withSoftmax } from './target.ts';
export type { ModelFunctionOptions } from './model-function.ts';
export { ModelFunction } from './model-function.ts';
export { chooseCamLayer } from './layers.ts';
export { EXPLAINERS, checkMethodParams, describeMethodParams, explainerNames, getExplainer } from './registry.ts';
export type { ParamKind, ParamSpec, ParamTable } from './method-params.ts';
export { describeParams, resolveParams } from './method-params.ts';
export type { DegenerateMap } from './degenerate-map.ts';
export { degenerateMap } from './degenerate-map.ts';
export type { Decision, DecisionOverlay } from './decision.ts';
export { anomalyMap } from './methods/anomaly-map.ts';
export type { BaselineKind, InputNormalization } from './baselines.ts';
export type { CamParams } from './cam.ts';
export { saliency } from './methods/saliency.ts';
export type { GradientXInputParams } from './methods/gradient-x-input.ts';
export { gradientXInput } from './methods/gradient-x-input.ts';
export type { SmoothGradParams } from './methods/smoothgrad.ts';
export { smoothGrad } from './methods/smoothgrad.ts';
export type { IntegratedGradientsParams } from './methods/integrated-gradients.ts';
export { integratedGradients } from './methods/integrated-gradients.ts';
export type { GradientShapParams } from './methods/gradient-shap.ts';
export { gradientShap } from './methods/gradient-shap.ts';
export { gradCam } from './methods/grad-cam.ts';
export { gradCamPlusPlus } from './methods/grad-cam-pp.ts';
export type { FillKind } from './perturbation.ts';
export type { OcclusionParams } from './methods/occlusion.ts';
export { occlusion } from './methods/occlusion.ts';
export type { RiseParams } from './methods/rise.ts';
export { rise } from './methods/rise.ts';
export type { LimeParams } from './methods/lime.ts';
export { lime } from './methods/lime.ts';
export type { KernelShapParams } from './methods/kernel-shap.ts';
export { kernelShap } from './methods/kernel-shap.ts';
export type { SlicOptions, Superpixels } from './superpixels/slic.ts';
export { slic } from './superpixels/slic.ts';
export type { Agreement, ConsensusOptions, ConsensusResult, NormalizeMapOptions } from './aggregate.ts';
export { agreement, consensus, meanMap, medianMap, normalizeMap } from './aggregate.ts';
export type { MaskLike, PointingResult } from './quality/localisation.ts';
export { energyInMask, pointingGame } from './quality/localisation.ts';
export type { PerturbationCurve, PerturbationCurveOptions } from './quality/perturbation-curves.ts';
export { deletionCurve, insertionCurve } from './quality/perturbation-curves.ts';
export type { RandomisationOptions, RandomisationResult, RandomisationStage } from './quality/model-randomisation.ts';
export { modelRandomisationCheck } from './quality/model-randomisation.ts';
export type { ExplanationMontageOptions, HeatmapStyle, MontageAnnotations, MontagePanel } from './render.ts';
export { PREDICTION_COLOR, TRUTH_COLOR, explanationMontage, formatRuntime, heatmapImage, overlayExplanation, pngDataUrl, renderOverlay } from './render.ts';
export type { ImageTarget } from './image-target.ts';
export type { ExplainImageOptions, ExplainImageResult, ExplainImageSummary, ExplainProgress, ExplainSource, MapQuality, MethodSummary } from './explain-image.ts';
export { explainImage } from './explain-image.ts';
/** Anomaly explanations: retrieval over past inspections, features, surrogate, waterfall. */
export * from './anomaly/index.ts';
