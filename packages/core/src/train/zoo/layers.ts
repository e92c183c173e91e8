/**
 * The layers every zoo architecture is made of. {@link NetBuilder} appends ONNX nodes
 * whose node name and output value name are the layer's module path (`layer4.1.conv2`),
 * with torch-style initializer names (`layer4.1.conv2.weight`, `layer4.1.bn2.running_var`)
 * and weights drawn from one seeded stream in creation order, so a seed fixes the model
 * bit for bit. BatchNormalization is emitted in inference form by default; `training`
 * switches it to batch statistics with running-statistics outputs, and turns Dropout on.
 */
import { XqcError, check } from '../../errors.ts';
import type { Attribute, Graph, Model, ValueInfo } from '../../onnx/ir.ts';
import { SUPPORTED_OPSET } from '../../onnx/model-io.ts';
import { tensor } from '../../onnx/tensor.ts';
import { fillNormal, uniformRng } from '../../util/random.ts';
import type { BatchNormState, ZooOptions } from './zoo.types.ts';

/** A convolution: channels in and out, square kernel, stride, padding (default "same" for odd kernels), groups. */
export interface ConvSpec {
  cin: number;
  cout: number;
  kernel: number;
  stride?: number;
  pad?: number;
  group?: number;
  /** Add a bias (default false: a BatchNormalization follows). */
  bias?: boolean;
}

/** Momentum of the running statistics in ONNX's convention: running = m * running + (1 - m) * batch (torch's 0.1). */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

const int = (value: number): Attribute => ({ type: 'int', value });
const ints = (value: number[]): Attribute => ({ type: 'ints', value });
const flt = (value: number): Attribute => ({ type: 'float', value });

/** Appends named layers to a new graph; see the module comment. */
export class NetBuilder {
  readonly graph: Graph;
  readonly opset: number;
  readonly training: boolean;
  /** Trainable initializers (weights, biases, BN scale and shift), in creation order. */
  readonly parameters: string[] = [];
  readonly batchNorms: BatchNormState[] = [];
  private readonly names = new Set<string>();
  private readonly uniform: () => number;

  constructor(name: string, options: ZooOptions) {
    this.opset = options.opset ?? 17;
    if (!Number.isInteger(this.opset) || this.opset < SUPPORTED_OPSET.min || this.opset > SUPPORTED_OPSET.max) {
      throw new XqcError('XQC_MODEL_UNSUPPORTED_OPSET', `opset ${this.opset} is not supported (${SUPPORTED_OPSET.min} to ${SUPPORTED_OPSET.max})`);
    }
    const seed = options.seed ?? 0;
    check(Number.isInteger(seed), `seed must be an integer, got ${seed}`);
    this.training = options.training ?? false;
    this.uniform = uniformRng(seed);
    this.graph = { name, nodes: [], inputs: [], outputs: [], initializers: new Map(), valueInfo: [] };
  }

  /** Declares the image input `[N, channels, height, width]` float32 with symbolic batch `N`. */
  input(name: string, channels: number, height: number, width: number): string {
    this.claim(name);
    this.graph.inputs.push({ name, dtype: 'float32', shape: ['N', channels, height, width] });
    return name;
  }

  /**
   * Conv with He-normal weights [cout, cin/group, k, k], std = sqrt(2 / (cout k^2)) (torchvision's
   * kaiming_normal_, mode fan_out, for ReLU networks) and a zero bias when asked for.
   */
  conv(name: string, x: string, s: ConvSpec, output = name): string {
    const stride = s.stride ?? 1;
    const group = s.group ?? 1;
    const pad = s.pad ?? (s.kernel - 1) / 2;
    check(s.cin % group === 0 && s.cout % group === 0, `${name}: channels ${s.cin}->${s.cout} not divisible by group ${group}`);
    const w = this.normalWeight(`${name}.weight`, [s.cout, s.cin / group, s.kernel, s.kernel], Math.sqrt(2 / (s.cout * s.kernel * s.kernel)));
    const inputs = [x, w];
    if (s.bias) inputs.push(this.zeroParam(`${name}.bias`, s.cout));
    return this.nodeOutputs('Conv', name, inputs, [output], {
      dilations: ints([1, 1]),
      group: int(group),
      kernel_shape: ints([s.kernel, s.kernel]),
      pads: ints([pad, pad, pad, pad]),
      strides: ints([stride, stride]),
    })[0];
  }

  /**
   * ConvTranspose with kernel = stride (each output pixel sees one tap of each input
   * channel): He-normal weights [cin, cout, k, k] with std = sqrt(2 / cin), zero bias.
   */
  convTranspose(name: string, x: string, cin: number, cout: number, kernel = 2): string {
    const w = this.normalWeight(`${name}.weight`, [cin, cout, kernel, kernel], Math.sqrt(2 / cin));
    const bias = this.zeroParam(`${name}.bias`, cout);
    return this.node('ConvTranspose', name, [x, w, bias], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([kernel, kernel]),
      pads: ints([0, 0, 0, 0]),
      strides: ints([kernel, kernel]),
    });
  }

  /**
   * BatchNormalization over `channels`: y = gamma (x - mean) / sqrt(var + 1e-5) + beta with
   * gamma 1, beta 0, mean 0, var 1. In training form mean/var are the batch's and the
   * updated running statistics are extra outputs (also graph outputs).
   */
  batchNorm(name: string, x: string, channels: number): string {
    const ones = new Float32Array(channels).fill(1);
    const scale = this.param(`${name}.weight`, [channels], ones);
    const shift = this.zeroParam(`${name}.bias`, channels);
    const mean = this.constant(`${name}.running_mean`, [channels], new Float32Array(channels));
    const variance = this.constant(`${name}.running_var`, [channels], ones.slice());
    const inputs = [x, scale, shift, mean, variance];
    const attrs: Record<string, Attribute> = { epsilon: flt(BN_EPSILON), momentum: flt(BN_MOMENTUM) };
    if (!this.training) {
      this.batchNorms.push({ node: name, mean, var: variance, meanOut: null, varOut: null });
      return this.node('BatchNormalization', name, inputs, attrs);
    }
    const meanOut = `${name}.running_mean_out`;
    const varOut = `${name}.running_var_out`;
    const outputs = [name, meanOut, varOut];
    // BatchNormalization-9 (opset 13) has no training_mode: five outputs select training.
    if (this.opset >= 14) attrs.training_mode = int(1);
    else outputs.push(`${name}.saved_mean`, `${name}.saved_var`);
    const [y] = this.nodeOutputs('BatchNormalization', name, inputs, outputs, attrs);
    for (const o of [meanOut, varOut]) this.graph.outputs.push({ name: o, dtype: 'float32', shape: [channels] });
    this.batchNorms.push({ node: name, mean, var: variance, meanOut, varOut });
    return y;
  }

  relu(name: string, x: string): string {
    return this.node('Relu', name, [x]);
  }

  /** ReLU6 as Clip(x, 0, 6) (bounds as inputs, valid from opset 11). */
  relu6(name: string, x: string): string {
    const lo = this.graph.initializers.has('clip.min') ? 'clip.min' : this.constant('clip.min', [], new Float32Array([0]));
    const hi = this.graph.initializers.has('clip.max') ? 'clip.max' : this.constant('clip.max', [], new Float32Array([6]));
    return this.node('Clip', name, [x, lo, hi]);
  }

  maxPool(name: string, x: string, kernel: number, stride: number, pad: number): string {
    return this.node('MaxPool', name, [x], {
      ceil_mode: int(0),
      kernel_shape: ints([kernel, kernel]),
      pads: ints([pad, pad, pad, pad]),
      strides: ints([stride, stride]),
    });
  }

  globalAveragePool(name: string, x: string): string {
    return this.node('GlobalAveragePool', name, [x]);
  }

  globalMaxPool(name: string, x: string): string {
    return this.node('GlobalMaxPool', name, [x]);
  }

  flatten(name: string, x: string): string {
    return this.node('Flatten', name, [x], { axis: int(1) });
  }

  /**
   * Dropout with drop probability `ratio` (returns `x` unchanged when 0). Inference form:
   * an identity until a pass feeds training_mode; training form: on, with a seeded mask output.
   */
  dropout(name: string, x: string, ratio: number): string {
    check(ratio >= 0 && ratio < 1, `${name}: dropout ratio must be in [0, 1), got ${ratio}`);
    if (ratio === 0) return x;
    const r = this.constant(`${name}.ratio`, [], new Float32Array([ratio]));
    if (!this.training) return this.node('Dropout', name, [x, r]);
    const mode = this.claim(`${name}.training_mode`);
    this.graph.initializers.set(mode, tensor('bool', [], new Uint8Array([1])));
    const seed = Math.floor(this.uniform() * 2 ** 31);
    return this.nodeOutputs('Dropout', name, [x, r, mode], [name, `${name}.mask`], { seed: int(seed) })[0];
  }

  /** Gemm y = x W^T + b with W [cout, cin] ~ U(-1/sqrt(cin), 1/sqrt(cin)) (torch's Linear) and b = 0. */
  gemm(name: string, x: string, cin: number, cout: number, output = name): string {
    const bound = 1 / Math.sqrt(cin);
    const w = new Float32Array(cout * cin);
    for (let i = 0; i < w.length; i++) w[i] = (2 * this.uniform() - 1) * bound;
    const weight = this.param(`${name}.weight`, [cout, cin], w);
    const bias = this.zeroParam(`${name}.bias`, cout);
    return this.nodeOutputs('Gemm', name, [x, weight, bias], [output], { alpha: flt(1), beta: flt(1), transB: int(1) })[0];
  }

  add(name: string, a: string, b: string): string {
    return this.node('Add', name, [a, b]);
  }

  concat(name: string, xs: string[]): string {
    return this.node('Concat', name, xs, { axis: int(1) });
  }

  /** Nearest-neighbour upsampling by 2 in H and W (Resize with scales, no roi). */
  upsample2x(name: string, x: string): string {
    const scales = this.constant(`${name}.scales`, [4], new Float32Array([1, 1, 2, 2]));
    return this.node('Resize', name, [x, '', scales], { mode: { type: 'string', value: 'nearest' } });
  }

  /** Declares a graph output (float32). */
  output(name: string, shape: ValueInfo['shape']): void {
    this.graph.outputs.unshift({ name, dtype: 'float32', shape });
  }

  /** The finished model: IR 8, the builder's opset, `metadata` as metadata_props. */
  model(metadata: Record<string, string>): Model {
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: this.opset }],
      producerName: 'xai-qc',
      producerVersion: '',
      domain: '',
      modelVersion: 1,
      docString: '',
      metadata,
      graph: this.graph,
      extra: [],
    };
  }

  private node(opType: string, name: string, inputs: string[], attributes: Record<string, Attribute> = {}): string {
    return this.nodeOutputs(opType, name, inputs, [name], attributes)[0];
  }

  private nodeOutputs(opType: string, name: string, inputs: string[], outputs: string[], attributes: Record<string, Attribute> = {}): string[] {
    if (name !== outputs[0]) this.claim(name);
    for (const o of outputs) this.claim(o);
    this.graph.nodes.push({ name, opType, domain: '', inputs, outputs, attributes });
    return outputs;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new XqcError('XQC_GRAPH_INVALID', `zoo: name '${name}' is used twice`);
    this.names.add(name);
    return name;
  }

  private constant(name: string, dims: number[], data: Float32Array): string {
    this.claim(name);
    this.graph.initializers.set(name, tensor('float32', dims, data));
    return name;
  }

  private param(name: string, dims: number[], data: Float32Array): string {
    this.parameters.push(this.constant(name, dims, data));
    return name;
  }

  private zeroParam(name: string, n: number): string {
    return this.param(name, [n], new Float32Array(n));
  }

  private normalWeight(name: string, dims: number[], std: number): string {
    const data = new Float32Array(dims.reduce((a, d) => a * d, 1));
    fillNormal(data, this.uniform, std);
    return this.param(name, dims, data);
  }
}

/** Throws XQC_INVALID_ARGUMENT unless `v` is an integer in [min, max]. */
export function checkInt(what: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  check(Number.isInteger(v) && v >= min && v <= max, `${what} must be an integer in [${min}, ${max}], got ${v}`);
}

/** `[height, width]` of an `inputSize` option. */
export function sizeOf2d(inputSize: number | [number, number]): [number, number] {
  const [h, w] = typeof inputSize === 'number' ? [inputSize, inputSize] : inputSize;
  checkInt('input height', h, 1);
  checkInt('input width', w, 1);
  return [h, w];
}
