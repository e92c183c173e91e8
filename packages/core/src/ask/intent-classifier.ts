/**
 * The intent classifier: multinomial logistic regression over hashed text features
 * (`text-features.ts`), trained on the committed corpus (`corpus/`) by seeded stochastic
 * gradient descent the first time it is needed, then cached. Training takes well under a
 * second, so the corpus stays the single source of truth: no weights file can drift from it.
 *
 * Model: p(k | x) = softmax_k(W_k . x + b_k), W [K, D] float32, D = FEATURE_DIM, K = 12
 * (the eleven answerable intents and an out-of-domain class `unknown`).
 * Loss: mean cross-entropy + (lambda / 2) |W|^2, minimised by SGD with a 1/sqrt(t) step.
 */
import { uniformRng } from '../util/random.ts';
import { expandCorpus } from './corpus/expand.ts';
import type { CorpusQuestion } from './corpus/expand.ts';
import { FEATURE_DIM, featurize, questionTokens } from './text-features.ts';
import type { SparseFeatures } from './text-features.ts';
import { ASK_INTENTS } from './types.ts';
import type { AskIntent } from './types.ts';

/** The classes of the classifier, in weight-row order. */
export const CLASSIFIER_CLASSES: readonly AskIntent[] = [...ASK_INTENTS, 'unknown'];

/** Training options (defaults beside them). */
export interface TrainIntentOptions {
  /** Shuffle seed (default 11). */
  seed?: number;
  /** Passes over the data (default 6). */
  epochs?: number;
  /** Initial step size (default 1). */
  lr?: number;
  /** L2 weight (default 1e-5). */
  lambda?: number;
}

/** A trained intent classifier. */
export class IntentClassifier {
  private constructor(
    /** [K, D] weights */
    readonly weights: Float32Array,
    /** [K] biases */
    readonly bias: Float32Array,
    /** how many questions it was trained on */
    readonly trainedOn: number,
  ) {}

  /** Trains on `questions` (their `intent` is the target) deterministically for the options. */
  static train(questions: readonly Pick<CorpusQuestion, 'text' | 'intent'>[], options: TrainIntentOptions = {}): IntentClassifier {
    const k = CLASSIFIER_CLASSES.length;
    const w = new Float32Array(k * FEATURE_DIM);
    const b = new Float32Array(k);
    const xs = questions.map((q) => featurize(questionTokens(q.text)));
    const ys = questions.map((q) => CLASSIFIER_CLASSES.indexOf(q.intent));
    const rand = uniformRng(options.seed ?? 11);
    const epochs = options.epochs ?? 6;
    const lr0 = options.lr ?? 1;
    const lambda = options.lambda ?? 1e-5;
    const order = xs.map((_, i) => i);
    const logits = new Float64Array(k);
    let t = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const n of order) {
        const lr = lr0 / Math.sqrt(1 + t++ / order.length);
        const x = xs[n];
        scores(w, b, x, logits);
        softmaxInPlace(logits);
        const decay = 1 - lr * lambda;
        for (let c = 0; c < k; c++) {
          const g = logits[c] - (c === ys[n] ? 1 : 0);
          // A class the example barely moves is skipped (its L2 shrinkage with it): most
          // rows after the first epoch, which keeps training well under a second.
          if (Math.abs(g) < 1e-3) continue;
          const row = c * FEATURE_DIM;
          for (let f = 0; f < x.index.length; f++) {
            const at = row + x.index[f];
            w[at] = w[at] * decay - lr * g * x.value[f];
          }
          b[c] -= lr * g;
        }
      }
    }
    return new IntentClassifier(w, b, questions.length);
  }

  /**
   * Class probabilities of a question, best first.
   * @param labels the model's labels, masked like the corpus's class names
   */
  predict(text: string, labels: readonly string[] = []): { intent: AskIntent; p: number }[] {
    const x = featurize(questionTokens(text, labels));
    const logits = new Float64Array(CLASSIFIER_CLASSES.length);
    scores(this.weights, this.bias, x, logits);
    softmaxInPlace(logits);
    return CLASSIFIER_CLASSES.map((intent, c) => ({ intent, p: logits[c] })).sort((a, c) => c.p - a.p);
  }
}

function scores(w: Float32Array, b: Float32Array, x: SparseFeatures, out: Float64Array): void {
  for (let c = 0; c < out.length; c++) {
    const row = c * FEATURE_DIM;
    let s = b[c];
    for (let f = 0; f < x.index.length; f++) s += w[row + x.index[f]] * x.value[f];
    out[c] = s;
  }
}

function softmaxInPlace(v: Float64Array): void {
  let m = -Infinity;
  for (const x of v) m = Math.max(m, x);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i] - m);
    sum += v[i];
  }
  for (let i = 0; i < v.length; i++) v[i] /= sum;
}

let cached: IntentClassifier | undefined;

/**
 * The classifier every `parseQuestion` uses: trained once per process on the corpus's
 * training split and the held-out split together (the held-out figure in the docs and
 * the test comes from a classifier trained on the training split alone).
 */
export function defaultIntentClassifier(): IntentClassifier {
  cached ??= IntentClassifier.train(expandCorpus());
  return cached;
}

/** Held-out evaluation: train on the training split, classify the held-out one. */
export function evaluateHeldOut(options: TrainIntentOptions = {}): { accuracy: number; count: number; trainCount: number; confusions: { text: string; want: AskIntent; got: AskIntent }[] } {
  const corpus = expandCorpus();
  const train = corpus.filter((q) => q.split === 'train');
  const held = corpus.filter((q) => q.split === 'heldout');
  const model = IntentClassifier.train(train, options);
  const confusions: { text: string; want: AskIntent; got: AskIntent }[] = [];
  for (const q of held) {
    const got = model.predict(q.text)[0].intent;
    if (got !== q.intent) confusions.push({ text: q.text, want: q.intent, got });
  }
  return { accuracy: 1 - confusions.length / held.length, count: held.length, trainCount: train.length, confusions };
}
