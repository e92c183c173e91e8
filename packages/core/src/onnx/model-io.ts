/**
 * Loading and saving ONNX models with validation: IR and opset ranges, a well-formed,
 * topologically ordered graph. Every failure is an `XqcError` with a stable code.
 */
import { readFile } from 'node:fs/promises';
import { XqcError, isXqcError } from '../errors.ts';
import { ioError, writeFileAtomic } from '../io/atomic-write.ts';
import type { Graph, Model } from './ir.ts';
import { defaultOpset } from './ir.ts';
import { decodeModel, encodeModel } from './proto/onnx-codec.ts';

/** IR versions the toolkit reads and writes. */
export const SUPPORTED_IR = { min: 3, max: 10 } as const;
/** Default-domain opsets the toolkit (builder, shape inference, autodiff) supports. */
export const SUPPORTED_OPSET = { min: 13, max: 21 } as const;

/** Options for {@link loadModel}. */
export interface LoadOptions {
  /** Check IR and opset ranges (default true). */
  checkVersions?: boolean;
}

/**
 * Parses and validates ONNX ModelProto bytes.
 * @throws XQC_MODEL_INVALID (malformed, truncated, dangling values), XQC_MODEL_UNSUPPORTED_IR,
 *   XQC_MODEL_UNSUPPORTED_OPSET, XQC_MODEL_EXTERNAL_DATA.
 */
export function loadModel(bytes: Uint8Array, options: LoadOptions = {}): Model {
  if (bytes.length === 0) throw new XqcError('XQC_MODEL_INVALID', 'ONNX file is empty');
  let model: Model;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    if (isXqcError(e)) throw e;
    throw new XqcError('XQC_MODEL_INVALID', `ONNX protobuf could not be decoded: ${(e as Error).message}`, { cause: e });
  }
  if (options.checkVersions !== false) checkVersions(model);
  validateGraph(model.graph, new Set());
  model.graph.nodes = topologicalOrder(model.graph);
  return model;
}

/** Reads and validates an ONNX file. */
export async function loadModelFile(path: string, options: LoadOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw ioError('read', path, e);
  }
  try {
    return loadModel(bytes, options);
  } catch (e) {
    if (isXqcError(e)) throw new XqcError(e.code, `${path}: ${e.message}`, { cause: e.cause, details: e.details });
    throw e;
  }
}

/** Serialises a model to ModelProto bytes. */
export function saveModel(model: Model): Uint8Array {
  return encodeModel(model);
}

/**
 * Writes a model atomically (see {@link writeFileAtomic}).
 * @throws XQC_IO naming the path and the reason
 */
export async function saveModelFile(model: Model, path: string): Promise<void> {
  await writeFileAtomic(path, saveModel(model));
}

/** Throws unless the model's IR version and default-domain opset are supported. */
export function checkVersions(model: Model): void {
  if (model.irVersion < SUPPORTED_IR.min || model.irVersion > SUPPORTED_IR.max) {
    throw new XqcError(
      'XQC_MODEL_UNSUPPORTED_IR',
      `ONNX IR version ${model.irVersion} is not supported (supported: ${SUPPORTED_IR.min} to ${SUPPORTED_IR.max})`,
    );
  }
  const opset = defaultOpset(model);
  if (opset < SUPPORTED_OPSET.min || opset > SUPPORTED_OPSET.max) {
    throw new XqcError(
      'XQC_MODEL_UNSUPPORTED_OPSET',
      `ONNX opset ${opset || 'missing'} is not supported (supported: ${SUPPORTED_OPSET.min} to ${SUPPORTED_OPSET.max})`,
    );
  }
}

/**
 * Checks that every node input is defined (graph input, initializer, an earlier node's
 * output, an outer-scope value, or '' for an omitted optional), that no value is produced
 * twice, and that every graph output exists.
 */
export function validateGraph(g: Graph, outer: ReadonlySet<string>): void {
  const defined = new Set<string>(outer);
  for (const v of g.inputs) defined.add(v.name);
  for (const k of g.initializers.keys()) defined.add(k);
  const produced = new Set<string>();
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (produced.has(o)) throw new XqcError('XQC_MODEL_INVALID', `value '${o}' is produced by more than one node`);
      produced.add(o);
      defined.add(o);
    }
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !defined.has(i)) {
        throw new XqcError('XQC_MODEL_INVALID', `node '${n.name || n.opType}' reads undefined value '${i}'`);
      }
    }
    for (const a of Object.values(n.attributes)) {
      if (a.type === 'graph') validateGraph(a.value, defined);
      if (a.type === 'graphs') for (const sg of a.value) validateGraph(sg, defined);
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o.name)) throw new XqcError('XQC_MODEL_INVALID', `graph output '${o.name}' is never produced`);
  }
}

/** Nodes in a topological order (stable for already sorted graphs). Throws on a cycle. */
export function topologicalOrder(g: Graph): Graph['nodes'] {
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const state = new Uint8Array(g.nodes.length);
  const order: Graph['nodes'] = [];
  const visit = (start: number): void => {
    const stack: [number, number][] = [[start, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, k] = top;
      if (k === 0) {
        if (state[i] === 2) {
          stack.pop();
          continue;
        }
        state[i] = 1;
      }
      const deps = nodeDeps(g.nodes[i]);
      if (k < deps.length) {
        top[1] = k + 1;
        const p = producer.get(deps[k]);
        if (p === undefined || p === i) continue;
        if (state[p] === 1) throw new XqcError('XQC_MODEL_INVALID', `graph has a cycle through node '${g.nodes[p].name || g.nodes[p].opType}'`);
        if (state[p] === 0) stack.push([p, 0]);
        continue;
      }
      state[i] = 2;
      order.push(g.nodes[i]);
      stack.pop();
    }
  };
  for (let i = 0; i < g.nodes.length; i++) if (state[i] === 0) visit(i);
  return order;
}

function nodeDeps(n: Graph['nodes'][number]): string[] {
  const deps = n.inputs.filter((x) => x !== '');
  for (const a of Object.values(n.attributes)) {
    const graphs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
    for (const sg of graphs) for (const sn of sg.nodes) for (const i of sn.inputs) if (i) deps.push(i);
  }
  return deps;
}
