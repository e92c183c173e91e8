/**
 * Types shared by the architecture builders of the zoo.
 */
import type { Model } from '../../onnx/ir.ts';

/** Options every builder takes. */
export interface ZooOptions {
  /** Seed of the weight initialisation (default 0): equal seeds give byte-identical models. */
  seed?: number;
  /** Default-domain opset, 13..21 (default 17). */
  opset?: number;
  /**
   * Emit the training form (default false): BatchNormalization with training_mode=1 and
   * running-statistics outputs, Dropout switched on.
   */
  training?: boolean;
}

/** Where a BatchNormalization keeps its running statistics. */
export interface BatchNormState {
  /** Node name (also its output value). */
  node: string;
  /** Initializers holding the running mean and variance [C]. */
  mean: string;
  var: string;
  /** Graph outputs with the updated running statistics (training form only, else null). */
  meanOut: string | null;
  varOut: string | null;
}

/** A built architecture and the names other modules need. */
export interface ZooModel {
  /** Input `input` [N,3,H,W] float32; output `logits` [N,K] or [N,K,H,W] float32. */
  model: Model;
  /** Activations at the end of each stage, shallow to deep (feature extraction, anomaly banks). */
  featureLayers: string[];
  /** The last spatial activation before pooling or the head (the Grad-CAM layer). */
  lastSpatial: string;
  /** Trainable initializers (conv and linear weights and biases, BN scale and shift). */
  parameters: string[];
  batchNorms: BatchNormState[];
}
