/**
 * The anomaly detector's own map offered as an explanation method: the `anomaly_map`
 * output [1, 1, H, W] of an exported PatchCore detector (models/anomaly/export-onnx.ts).
 * Per pixel it is the distance of that pixel's patch features to the nearest patch of the
 * good images, resized to the input, Gaussian-smoothed and normalised so that 0.5 is the
 * pixel threshold. It needs no gradient and takes no parameters; it shows where the
 * detector saw something unlike the good images, while the gradient methods explain the
 * image score itself. One forward pass.
 */
import { XqcError } from '../../errors.ts';
import { DETECTOR_OUTPUTS } from '../../models/anomaly/export-onnx.ts';
import { saveModel } from '../../onnx/model-io.ts';
import { defaultSessionCache } from '../../runtime/session.ts';
import { checkExplainInput, since } from '../explain-input.ts';
import { resolveParams } from '../method-params.ts';
import type { ParamTable } from '../method-params.ts';
import type { ExplainInput, Explainer, Explanation } from '../types.ts';

/** The anomaly map has no parameters. */
export type AnomalyMapParams = Record<string, never>;

/** The anomaly map declares no parameters. */
export const ANOMALY_MAP_PARAMS: ParamTable = Object.freeze({});

/** See the module comment. */
export const anomalyMap: Explainer<AnomalyMapParams> = {
  name: 'anomalymap',
  params: ANOMALY_MAP_PARAMS,
  async explain(input: ExplainInput, params: Partial<AnomalyMapParams> = {}): Promise<Explanation> {
    const t0 = performance.now();
    resolveParams<AnomalyMapParams>('anomalymap', ANOMALY_MAP_PARAMS, params);
    const shape = checkExplainInput(input);
    const { model, options } = input.f;
    const outputs = model.graph.outputs.map((o) => o.name);
    if (!outputs.includes(DETECTOR_OUTPUTS.map)) {
      throw new XqcError('XQC_EXPLAIN', `method anomalymap needs an anomaly detector with a '${DETECTOR_OUTPUTS.map}' output; this model's outputs are ${outputs.join(', ')}`);
    }
    const wanted = [DETECTOR_OUTPUTS.map, ...(outputs.includes(DETECTOR_OUTPUTS.score) ? [DETECTOR_OUTPUTS.score] : [])];
    const bytes = saveModel({ ...model, graph: { ...model.graph, outputs: wanted.map((name) => ({ name })) } });
    const session = await (options.cache ?? defaultSessionCache).get(bytes, options.session);
    const out = await session.run({ [options.input]: input.x }, wanted);
    const map = out[DETECTOR_OUTPUTS.map];
    if (map.data.length !== shape.width * shape.height) {
      throw new XqcError('XQC_EXPLAIN', `'${DETECTOR_OUTPUTS.map}' is [${map.dims.join(', ')}]; expected [1, 1, ${shape.height}, ${shape.width}]`);
    }
    const score = out[DETECTOR_OUTPUTS.score]?.data[0];
    return {
      method: 'anomalymap',
      map: { width: shape.width, height: shape.height, data: Float32Array.from(map.data as Float32Array) },
      params: {},
      runtimeMs: since(t0),
      evaluations: 1,
      extras: typeof score === 'number' ? { score } : {},
    };
  },
};
