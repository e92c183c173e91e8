/**
 * The PatchCore feature extractor as one ONNX graph: the backbone up to the chosen layers,
 * then per layer a 3x3 average pool (stride 1, zero padding counted, i.e. the mean over
 * each patch's 3x3 neighbourhood as in the paper's local aggregation), the deeper maps
 * resized bilinearly (half-pixel centres) to the shallowest map's grid, concatenation
 * along channels, and a projection to the target dimension D by adaptive average pooling
 * over channels (the reference implementation's reduction: output channel i is the mean of
 * input channels floor(i C / D) .. ceil((i + 1) C / D) - 1). One session run gives
 * `patch_features` [N, D, h, w].
 */
import { XqcError } from '../../errors.ts';
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Model } from '../../onnx/ir.ts';
import { cloneModel, defaultOpset } from '../../onnx/ir.ts';
import { removeUnused } from '../../onnx/passes/remove-unused.ts';
import { tensor } from '../../onnx/tensor.ts';
import type { FeatureLayer } from './feature-layers.ts';
import { imageInput } from './feature-layers.ts';

/** Output value of the feature graph. */
export const FEATURES_OUTPUT = 'patch_features';

/** Default target dimension (the reference implementation's `target_embed_dimension`). */
export const DEFAULT_FEATURE_DIM = 1024;

/** The built feature graph and what it produces. */
export interface FeatureExtractor {
  /** Input: the backbone's image input [N, C, H, W]; output {@link FEATURES_OUTPUT} [N, dim, grid[0], grid[1]]. */
  model: Model;
  inputName: string;
  layers: FeatureLayer[];
  /** Patch grid [h, w] (the shallowest layer's map). */
  grid: [number, number];
  /** Channels after concatenation. */
  concatChannels: number;
  /** Channels after projection. */
  dim: number;
  projection: 'adaptive-avg-pool' | 'identity';
}

/**
 * The adaptive average pooling of C channels down to D as a matrix: W [D, C] float32 with
 * W[i, c] = 1 / (e_i - s_i) for s_i = floor(i C / D) <= c < e_i = ceil((i + 1) C / D)
 * (PyTorch `adaptive_avg_pool1d`), else 0.
 */
export function adaptiveAvgPoolMatrix(c: number, d: number): Float32Array {
  const w = new Float32Array(d * c);
  for (let i = 0; i < d; i++) {
    const s = Math.floor((i * c) / d);
    const e = Math.ceil(((i + 1) * c) / d);
    for (let k = s; k < e; k++) w[i * c + k] = 1 / (e - s);
  }
  return w;
}

/**
 * Appends the feature head to (a copy of) `backbone` and keeps only what it needs.
 * @param layers from `chooseFeatureLayers`, shallowest first
 * @param size input [height, width]; the image input is redeclared [N, C, height, width]
 * @param dim target dimension (default min(concatenated channels, {@link DEFAULT_FEATURE_DIM}))
 */
export function buildFeatureExtractor(backbone: Model, layers: readonly FeatureLayer[], size: [number, number], dim?: number): FeatureExtractor {
  if (layers.length === 0) throw new XqcError('XQC_ANOMALY', 'no feature layer given');
  const m = cloneModel(backbone);
  const g = m.graph;
  const input = imageInput(m);
  const inputInfo = g.inputs.find((i) => i.name === input.name);
  if (inputInfo) inputInfo.shape = ['N', input.channels, size[0], size[1]];
  // Declared shapes of intermediate values were made for the backbone's own input size.
  g.valueInfo = [];
  g.outputs = [];
  const b = new GraphBuilder(g, defaultOpset(m), 'patchcore');
  const ref = layers[0];
  const grid: [number, number] = [ref.height, ref.width];
  const maps = layers.map((layer) => {
    const pooled = b.op1('AveragePool', [layer.name], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], count_include_pad: 1 });
    if (layer.height === grid[0] && layer.width === grid[1]) return pooled;
    const lead = b.op1('Slice', [b.shape(pooled), b.int64s([0]), b.int64s([2])]);
    const sizes = b.op1('Concat', [lead, b.int64s(grid)], { axis: 0 });
    return b.op1('Resize', [pooled, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  });
  const concatChannels = layers.reduce((s, l) => s + l.channels, 0);
  const target = dim ?? Math.min(concatChannels, DEFAULT_FEATURE_DIM);
  if (!(Number.isInteger(target) && target >= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `feature dimension must be a positive integer, got ${target}`);
  const out = b.reserve(FEATURES_OUTPUT);
  const cat = maps.length === 1 ? maps[0] : b.op1('Concat', maps, { axis: 1 });
  const projection = target < concatChannels ? 'adaptive-avg-pool' : 'identity';
  if (projection === 'identity') {
    b.op('Identity', [cat], {}, { outputNames: [out] });
  } else {
    const weight = b.constant(tensor('float32', [target, concatChannels, 1, 1], adaptiveAvgPoolMatrix(concatChannels, target)), 'channel_pool');
    b.op('Conv', [cat, weight], { kernel_shape: [1, 1] }, { outputNames: [out] });
  }
  const outDim = projection === 'identity' ? concatChannels : target;
  g.outputs = [{ name: out, dtype: 'float32', shape: ['N', outDim, grid[0], grid[1]] }];
  return {
    model: removeUnused(m),
    inputName: input.name,
    layers: [...layers],
    grid,
    concatChannels,
    dim: outDim,
    projection,
  };
}
