/**
 * Deep ensembles (Lakshminarayanan et al. 2017): several independently trained models
 * with the same labels predict the same images; the mean is the prediction and their
 * disagreement the uncertainty. Members may differ in architecture and input size only
 * through their preprocessing, so each member receives its own prepared batch.
 */
import { XqcError } from '../errors.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Predictor } from '../models/predictor.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { SessionCache, SessionOptions } from '../runtime/session.ts';
import { classLastProbabilities, summariseSamples } from './stochastic.ts';
import type { StochasticPrediction } from './stochastic.ts';

/** Options of {@link ensemblePredict} and {@link ensembleImages}. */
export interface EnsembleOptions {
  cache?: SessionCache;
  session?: SessionOptions;
  /** `done` of `total` members have predicted: 0 first, then after each member. */
  onProgress?: (done: number, total: number) => void;
}

/** One ensemble member. */
export interface EnsembleMember {
  model: Model;
  input: string;
  output: string;
  labels: string[];
  temperature?: number;
}

/**
 * Ensemble prediction. `inputs[m]` is the batch prepared for member m (all with the same N).
 * @throws XQC_UNCERTAINTY when fewer than 2 members, labels differ, or outputs disagree in shape.
 */
export async function ensemblePredict(members: EnsembleMember[], inputs: Tensor<'float32'>[], o: EnsembleOptions = {}): Promise<StochasticPrediction> {
  if (members.length < 2) throw new XqcError('XQC_UNCERTAINTY', `an ensemble needs at least 2 members, got ${members.length}`);
  if (inputs.length !== members.length) throw new XqcError('XQC_UNCERTAINTY', `${inputs.length} input batches for ${members.length} members`);
  const labels = members[0].labels.join('\u0000');
  members.forEach((m, i) => {
    if (m.labels.join('\u0000') !== labels) throw new XqcError('XQC_UNCERTAINTY', `member ${i} has labels [${m.labels.join(', ')}], member 0 [${members[0].labels.join(', ')}]`);
  });
  const n = inputs[0].dims[0];
  const perSample: Float64Array[] = [];
  let spatial: number[] = [];
  o.onProgress?.(0, members.length);
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    if (inputs[i].dims[0] !== n) throw new XqcError('XQC_UNCERTAINTY', `member ${i} got ${inputs[i].dims[0]} images, member 0 got ${n}`);
    const session = await (o.cache ?? defaultSessionCache).get(saveModel(m.model), o.session);
    const out = (await session.run({ [m.input]: inputs[i] }, [m.output]))[m.output];
    const p = classLastProbabilities(out, m.temperature ?? 1);
    if (i > 0 && (p.spatial.join(',') !== spatial.join(',') || p.probs.length !== perSample[0].length)) {
      throw new XqcError('XQC_UNCERTAINTY', `member ${i} output [${out.dims.join(',')}] does not match member 0`);
    }
    spatial = p.spatial;
    perSample.push(p.probs);
    o.onProgress?.(i + 1, members.length);
  }
  return summariseSamples(perSample, members[0].labels.length, n, spatial);
}

/**
 * Ensemble prediction of decoded images: each member predictor prepares them with its own
 * card ({@link Predictor.prepare}) and contributes its probabilities at its own temperature.
 */
export async function ensembleImages(predictors: readonly Predictor[], images: readonly ImageU8[], o: EnsembleOptions = {}): Promise<StochasticPrediction> {
  return ensemblePredict(
    predictors.map((p) => ({ model: p.model, input: p.inputName, output: p.outputName, labels: p.card.labels, temperature: p.card.calibration?.temperature })),
    predictors.map((p) => p.prepare(images).tensor),
    o,
  );
}
