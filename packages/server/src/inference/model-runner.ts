/**
 * One loaded model version inside an inference worker: decodes a batch of encoded images,
 * preprocesses them as the card says, runs the model once for the whole batch (through
 * core's Predictor or AnomalyDetector, so the worker never touches ONNX Runtime itself),
 * and turns each result into the API's {@link DetectOutput}: probabilities with the card's
 * temperature, findings with masks (PNG, RLE, polygon), anomaly maps, MC-Dropout
 * uncertainty and conformal sets. Everything here runs on the worker's thread.
 */
import {
  AnomalyDetector,
  decodeImageWithFormat,
  encodePng,
  imageSignals,
  isXqcError,
  loadModelFile,
  mcDropout,
  predictionSets,
  Predictor,
  referralReason,
  rleToMask,
} from '@xai-qc/core';
import type { AnomalyPrediction, ConformalPredictor, DecodedImage, ImageSignals, ModelCard, Prediction, ReferralRule, SessionOptions, Tensor } from '@xai-qc/core';
import type { ConformalOutput, DetectOptions, DetectOutput, FindingOutput, ItemError, McDropoutRequest, ModelSpec, UncertaintyOutput } from './inference.types.ts';
import { maskOutline } from './mask-polygon.ts';

/** A per-item outcome as it crosses back to the API thread. */
export type RunnerOutcome = { value: DetectOutput } | { error: ItemError };

/** Turns any thrown value into a clonable {@link ItemError}. */
export function toItemError(e: unknown): ItemError {
  if (isXqcError(e)) return { code: e.code, message: e.message, details: e.details ? { ...e.details } : undefined };
  return { code: 'XQC_RUNTIME', message: e instanceof Error ? e.message : String(e) };
}

/**
 * The conformal predictor and referral rule of a classifier card calibrated by `xaiqc
 * calibrate` (`calibration.conformal`: alpha, score, the validation quantile and the
 * referral threshold on `1 - max probability`); undefined when the card has none.
 */
export function conformalOfCard(card: ModelCard): { predictor: ConformalPredictor; rule: ReferralRule } | undefined {
  const c = card.calibration?.conformal;
  if (!c || card.task !== 'classify') return undefined;
  return {
    predictor: { score: c.score, alpha: c.alpha, quantile: c.threshold, randomized: c.score === 'aps', numClasses: card.labels.length, calibrationSize: 0 },
    rule: { uncertaintyThreshold: c.referralThreshold ?? Number.POSITIVE_INFINITY, targetErrorRate: Number.NaN, acceptedFraction: Number.NaN, acceptedErrorRate: Number.NaN },
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

async function maskPng(mask: Uint8Array, width: number, height: number): Promise<string> {
  const data = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) data[i] = mask[i] ? 255 : 0;
  return base64(await encodePng({ width, height, channels: 1, data }, { compressionLevel: 3 }));
}

/** A model version loaded in a worker. */
export class ModelRunner {
  private constructor(
    readonly spec: ModelSpec,
    private readonly predictor: Predictor | undefined,
    private readonly detector: AnomalyDetector | undefined,
    private readonly session: SessionOptions,
  ) {}

  /** Loads the version's files and compiles its session (with `session` thread settings). */
  static async load(spec: ModelSpec, session: SessionOptions): Promise<ModelRunner> {
    if (spec.runner === 'patchcore') {
      const detector = await AnomalyDetector.load(spec.path, { session, severity: spec.card.severity, minAreaPixels: spec.card.thresholds.minAreaPixels });
      return new ModelRunner(spec, undefined, detector, session);
    }
    const predictor = new Predictor(await loadModelFile(spec.path), spec.card, { session });
    await predictor.forwardSession();
    return new ModelRunner(spec, predictor, undefined, session);
  }

  /**
   * Runs a batch of encoded images. An image that cannot be decoded fails alone; a failure
   * of the model run fails the whole batch. With `options.signals`, each result carries its
   * image's monitoring signals (core imageSignals), measured after the model run.
   */
  async detect(images: readonly Uint8Array[], options: DetectOptions): Promise<RunnerOutcome[]> {
    const { outcomes, signals } = await this.detectThenSignals(images, options);
    if (options.signals) {
      const measured = signals();
      outcomes.forEach((o, i) => {
        const s = measured[i];
        if ('value' in o && s) o.value.signals = s;
      });
    }
    return outcomes;
  }

  /**
   * Runs a batch as {@link detect} does, without the monitoring signals, and returns with the
   * outcomes a function that measures them (one entry per image, in order; null for an image
   * that did not decode). The inference worker sends the outcomes first and then the signals,
   * so the API thread stores the blobs and opens the inspection's transaction while the worker
   * measures: the statistics (about 0.12 ms for a 224 x 224 image) leave the request's critical
   * path. onnxruntime-node runs a session on the calling thread, so measuring them in the
   * worker before or after the run would otherwise add their full time to every /detect.
   */
  async detectThenSignals(images: readonly Uint8Array[], options: DetectOptions): Promise<{ outcomes: RunnerOutcome[]; signals: () => (ImageSignals | null)[] }> {
    const outcomes: RunnerOutcome[] = new Array(images.length);
    const decoded: { index: number; image: DecodedImage; decodeMs: number }[] = [];
    // sharp decodes on libuv's thread pool, so the images of a batch decode in parallel.
    const settled = await Promise.all(
      images.map(async (bytes): Promise<{ image: DecodedImage; decodeMs: number } | { error: ItemError }> => {
        const t0 = performance.now();
        try {
          return { image: await decodeImageWithFormat(bytes, { maxPixels: options.maxPixels }), decodeMs: performance.now() - t0 };
        } catch (e) {
          return { error: toItemError(e) };
        }
      }),
    );
    settled.forEach((r, index) => {
      if ('error' in r) outcomes[index] = { error: r.error };
      else decoded.push({ index, image: r.image, decodeMs: r.decodeMs });
    });
    const signals = (): (ImageSignals | null)[] => {
      const out: (ImageSignals | null)[] = new Array(images.length).fill(null);
      for (const d of decoded) out[d.index] = imageSignals(d.image.image);
      return out;
    };
    if (decoded.length === 0) return { outcomes, signals };
    const run = this.detector ? await this.runAnomaly(decoded) : await this.runOnnx(decoded, options.uncertainty);
    for (let j = 0; j < decoded.length; j++) outcomes[decoded[j].index] = { value: run[j] };
    return { outcomes, signals };
  }

  private async runOnnx(decoded: { image: DecodedImage; decodeMs: number }[], uncertainty: McDropoutRequest | undefined): Promise<DetectOutput[]> {
    const predictor = this.predictor as Predictor;
    const t0 = performance.now();
    const { tensor, placements } = predictor.prepare(decoded.map((d) => d.image.image));
    const t1 = performance.now();
    const logits = await predictor.forward(tensor);
    let mc: UncertaintyOutput[] | undefined;
    if (uncertainty) mc = await this.mcDropout(predictor, tensor, uncertainty);
    const t2 = performance.now();
    const predictions = predictor.postprocess(logits, placements);
    const conformal = conformalOfCard(this.spec.card);
    const outputs: DetectOutput[] = [];
    for (let j = 0; j < predictions.length; j++) {
      const out = await this.toOutput(predictions[j], decoded[j].image, decoded[j].decodeMs);
      if (mc) out.uncertainty = mc[j];
      if (conformal) out.conformal = conformalOutput(conformal, predictions[j].probabilities, this.spec.card.labels);
      outputs.push(out);
    }
    const t3 = performance.now();
    for (const o of outputs) Object.assign(o.timings, { preprocessMs: t1 - t0, computeMs: t2 - t1, postprocessMs: t3 - t2, batchSize: decoded.length });
    return outputs;
  }

  private async mcDropout(predictor: Predictor, tensor: Tensor<'float32'>, u: McDropoutRequest): Promise<UncertaintyOutput[]> {
    const card = this.spec.card;
    const r = await mcDropout(predictor.model, tensor, {
      input: predictor.inputName,
      output: predictor.outputName,
      samples: u.samples,
      seed: u.seed,
      temperature: card.calibration?.temperature ?? 1,
      session: this.session,
    });
    const k = r.classes;
    const perImage = r.measures.predictiveEntropy.length / r.images;
    const out: UncertaintyOutput[] = [];
    for (let i = 0; i < r.images; i++) {
      const mean = new Array<number>(k).fill(0);
      const variance = new Array<number>(k).fill(0);
      let pe = 0;
      let ee = 0;
      let mi = 0;
      let dis = 0;
      for (let p = i * perImage; p < (i + 1) * perImage; p++) {
        for (let c = 0; c < k; c++) {
          mean[c] += r.measures.mean[p * k + c] / perImage;
          variance[c] += r.measures.variance[p * k + c] / perImage;
        }
        pe += r.measures.predictiveEntropy[p] / perImage;
        ee += r.measures.expectedEntropy[p] / perImage;
        mi += r.measures.mutualInformation[p] / perImage;
        dis += r.disagreement[p] / perImage;
      }
      out.push({ method: 'mc-dropout', samples: u.samples, seed: u.seed, meanProbabilities: mean, variance, predictiveEntropy: pe, expectedEntropy: ee, mutualInformation: mi, disagreement: dis });
    }
    return out;
  }

  private async runAnomaly(decoded: { image: DecodedImage; decodeMs: number }[]): Promise<DetectOutput[]> {
    const detector = this.detector as AnomalyDetector;
    const t1 = performance.now();
    const { predictions } = await detector.predict(decoded.map((d) => d.image.image), decoded.length);
    const t2 = performance.now();
    const outputs: DetectOutput[] = [];
    for (let j = 0; j < predictions.length; j++) {
      const p = predictions[j] as AnomalyPrediction;
      const out = await this.toOutput(p, decoded[j].image, decoded[j].decodeMs);
      const map = new Uint8Array(p.anomalyMap.data.length);
      for (let i = 0; i < map.length; i++) map[i] = Math.round(Math.min(1, Math.max(0, p.anomalyMap.data[i])) * 255);
      out.anomaly = {
        score: p.defectProbability,
        rawScore: p.rawScore,
        mapPng: base64(await encodePng({ width: p.anomalyMap.width, height: p.anomalyMap.height, channels: 1, data: map }, { compressionLevel: 3 })),
      };
      outputs.push(out);
    }
    const t3 = performance.now();
    for (const o of outputs) Object.assign(o.timings, { preprocessMs: 0, computeMs: t2 - t1, postprocessMs: t3 - t2, batchSize: decoded.length });
    return outputs;
  }

  private async toOutput(p: Prediction, d: DecodedImage, decodeMs: number): Promise<DetectOutput> {
    const findings: FindingOutput[] = [];
    for (const f of p.findings) {
      const out: FindingOutput = { label: f.label, classIndex: f.classIndex, score: f.score, severity: f.severity };
      if (f.box) out.box = f.box;
      if (f.area !== undefined) out.area = f.area;
      if (f.rle) {
        const [height, width] = f.rle.size;
        const mask = rleToMask(f.rle);
        out.rle = f.rle;
        out.polygon = maskOutline(mask, width, height);
        out.maskPng = await maskPng(mask, width, height);
      }
      findings.push(out);
    }
    return {
      image: { width: d.image.width, height: d.image.height, channels: d.image.channels, format: d.format },
      task: p.task,
      verdict: p.verdict,
      label: p.label,
      classIndex: p.classIndex,
      score: p.score,
      defectProbability: p.defectProbability,
      probabilities: p.probabilities,
      labels: p.task === 'anomaly' ? ['good', 'anomaly'] : this.spec.card.labels,
      findings,
      timings: { decodeMs, preprocessMs: 0, computeMs: 0, postprocessMs: 0, batchSize: 1 },
    };
  }
}

function conformalOutput(c: { predictor: ConformalPredictor; rule: ReferralRule }, probabilities: number[], labels: string[]): ConformalOutput {
  const [set] = predictionSets(c.predictor, probabilities);
  const uncertainty = 1 - Math.max(...probabilities);
  const reason = referralReason(c.rule, set.length, uncertainty);
  return { alpha: c.predictor.alpha, set: set.map((i) => labels[i]), referred: reason !== null, reason };
}
