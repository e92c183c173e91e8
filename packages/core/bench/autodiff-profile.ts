/**
 * Where a gradient graph spends its time, measured with sub-graphs (ONNX Runtime's own
 * profiler is not exposed by the runtime seam):
 * - the forward model as is, and with every forward value the live backward nodes read
 *   exposed as an output (those values must be materialised, which blocks fusions such
 *   as Conv+BatchNormalization+Relu), so backward = gradient graph - exposed forward;
 *   then, per op type, the exposed forward without the values only that op's rule reads
 *   (what its reads cost the forward part);
 * - dead nodes: backward nodes whose results reach no output, and the gradient graph's
 *   time once they are pruned (ONNX Runtime may or may not drop them itself);
 * - every node on the gradient path alone, at its real input shapes: its forward time and
 *   the extra time of its single-node gradient graph, summed per op type, with the op
 *   types its rule emits and which of its own inputs/outputs the rule reads.
 */
import { defaultRegistry } from '../src/autodiff/register-all.ts';
import { buildGradient } from '../src/autodiff/vjp.ts';
import { NON_DIFFERENTIABLE } from '../src/autodiff/registry.ts';
import type { Model, Node } from '../src/onnx/ir.ts';
import { saveModel } from '../src/onnx/model-io.ts';
import { inferTypes } from '../src/onnx/shape/infer.ts';
import { tensor } from '../src/onnx/tensor.ts';
import type { Tensor } from '../src/onnx/tensor.ts';
import { createSession } from '../src/runtime/session.ts';
import type { ZooModel } from '../src/train/zoo/index.ts';
import { fillNormal, uniformRng } from '../src/util/random.ts';
import { formatTable, round, timeInterleaved } from './harness.ts';

/** Cost of one op type's nodes on the gradient path, in ms per run (summed over its nodes). */
export interface OpCost {
  opType: string;
  nodes: number;
  /** Distinct (attributes, shapes) configurations actually timed. */
  distinct: number;
  forwardMs: number;
  backwardMs: number;
  /** Op types the rule emits, with counts, for one node of each configuration. */
  emits: Record<string, number>;
  /** The node's own values the live part of its gradient reads (`in0`, `out0`, ...). */
  reads: string[];
  /** Exposed forward minus exposed forward without the values only this op's rule reads. */
  exposureMs: number;
}

/** Sub-graph timings of one gradient graph (minimum of interleaved runs, ms). */
export interface GradientProfile {
  model: string;
  wrt: string;
  forwardMs: number;
  /** Forward with the values the backward pass reads exposed as outputs. */
  forwardExposedMs: number;
  exposedValues: number;
  gradientMs: number;
  /** The gradient graph without its dead nodes. */
  gradientPrunedMs: number;
  /** Nodes that reach no fetched output, by op type. */
  deadNodes: Record<string, number>;
  /** gradientMs - forwardExposedMs. */
  backwardMs: number;
  /** Sum of the isolated backward costs of the nodes on the gradient path. */
  isolatedBackwardMs: number;
  byOp: OpCost[];
  /** Op types of the nodes the whole gradient graph adds, with counts. */
  backwardNodeTypes: Record<string, number>;
}

/** Profiles the gradient of `logits` w.r.t. `wrt` of `z` on input `x` with cotangent `c`. */
export async function profileGradient(name: string, z: ZooModel, wrt: string, x: Tensor, c: Tensor, runs: number, warmup: number): Promise<GradientProfile> {
  const m = z.model;
  const g = buildGradient(m, defaultRegistry(), { of: 'logits', wrt: [wrt] });
  const fetch = g.grads[wrt];
  const nForward = m.graph.nodes.length;
  const live = liveNodes(g.model.graph.nodes, [fetch]);
  const backwardNodes = g.model.graph.nodes.slice(nForward);
  const liveBackward = backwardNodes.filter((n) => live.has(n));
  const produced = new Set(m.graph.nodes.flatMap((n) => n.outputs));
  const read = new Set(liveBackward.flatMap((n) => n.inputs).filter((v) => produced.has(v)));
  const exposedForward = (values: Set<string>): Model => withOutputs(m, ['logits', ...[...values].filter((v) => v !== 'logits')]);

  const feeds = { input: x, [g.cotangent]: c };
  const pruned: Model = { ...g.model, graph: { ...g.model.graph, nodes: g.model.graph.nodes.filter((n) => live.has(n)), outputs: [{ name: fetch }] } };
  const [forwardMs, forwardExposedMs, gradientMs, gradientPrunedMs] = await timeModels([
    { model: m, feeds: { input: x }, fetch: ['logits'] },
    { model: exposedForward(read), feeds: { input: x } },
    { model: g.model, feeds, fetch: [fetch] },
    { model: pruned, feeds, fetch: [fetch] },
  ], runs, warmup);
  const path = gradientPath(m, wrt);
  const byOp = await isolatedCosts(m, path, wrt, x, Math.max(5, runs >> 1), 2);
  for (const op of byOp) {
    const mine = valuesReadBy(path, op);
    const others = valuesReadBy(path, ...byOp.filter((o) => o !== op));
    const without = new Set([...read].filter((v) => !mine.has(v) || others.has(v)));
    if (without.size === read.size) continue;
    const [withAll, withoutOp] = await timeModels([{ model: exposedForward(read), feeds: { input: x } }, { model: exposedForward(without), feeds: { input: x } }], runs, warmup);
    op.exposureMs = round(withAll - withoutOp);
  }
  const profile: GradientProfile = {
    model: name,
    wrt,
    forwardMs,
    forwardExposedMs,
    exposedValues: read.size,
    gradientMs,
    gradientPrunedMs,
    deadNodes: countTypes(g.model.graph.nodes.filter((n) => !live.has(n))),
    backwardMs: round(gradientMs - forwardExposedMs),
    isolatedBackwardMs: round(byOp.reduce((s, o) => s + o.backwardMs, 0)),
    byOp,
    backwardNodeTypes: countTypes(backwardNodes),
  };
  printProfile(profile);
  return profile;
}

/** Nodes whose outputs (transitively) reach `outputs`. */
function liveNodes(nodes: Node[], outputs: string[]): Set<Node> {
  const needed = new Set(outputs);
  const live = new Set<Node>();
  for (let k = nodes.length - 1; k >= 0; k--) {
    if (!nodes[k].outputs.some((o) => needed.has(o))) continue;
    live.add(nodes[k]);
    for (const i of nodes[k].inputs) needed.add(i);
  }
  return live;
}

/** Forward values that the rules of `ops` read on `path` (by role: in<i>, out<j>). */
function valuesReadBy(path: Node[], ...ops: OpCost[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) {
    for (const n of path) {
      if (n.opType !== op.opType) continue;
      for (const role of op.reads) {
        const v = role.startsWith('in') ? n.inputs[Number(role.slice(2))] : n.outputs[Number(role.slice(3))];
        if (v) out.add(v);
      }
    }
  }
  return out;
}

interface Job {
  model: Model;
  feeds: Record<string, Tensor>;
  /** Outputs to fetch (default all). */
  fetch?: string[];
}

/**
 * Minimum run time of each job, timed round-robin: the profile compares sub-graphs, and
 * on a shared machine the minimum is the figure least disturbed by other work.
 */
async function timeModels(jobs: Job[], runs: number, warmup: number): Promise<number[]> {
  const sessions = await Promise.all(jobs.map((j) => createSession(saveModel(j.model))));
  const timings = await timeInterleaved(jobs.map((j, k) => () => sessions[k].run(j.feeds, j.fetch)), runs, warmup);
  await Promise.all(sessions.map((s) => s.release()));
  return timings.map((t) => t.min);
}

function withOutputs(m: Model, outputs: string[]): Model {
  return { ...m, graph: { ...m.graph, outputs: outputs.map((name) => ({ name })) } };
}

function countTypes(nodes: Node[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

/** Nodes the vjp visits: an output reaches `logits`, an input depends on `wrt`. */
function gradientPath(m: Model, wrt: string): Node[] {
  const fwd = new Set([wrt]);
  for (const n of m.graph.nodes) if (!NON_DIFFERENTIABLE.has(n.opType) && n.inputs.some((i) => fwd.has(i))) n.outputs.forEach((o) => fwd.add(o));
  const bwd = new Set(['logits']);
  for (let k = m.graph.nodes.length - 1; k >= 0; k--) {
    const n = m.graph.nodes[k];
    if (n.outputs.some((o) => bwd.has(o))) n.inputs.forEach((i) => bwd.add(i));
  }
  return m.graph.nodes.filter((n) => n.outputs.some((o) => fwd.has(o) && bwd.has(o)) && n.inputs.some((i) => fwd.has(i)));
}

async function isolatedCosts(m: Model, nodes: Node[], wrt: string, x: Tensor, runs: number, warmup: number): Promise<OpCost[]> {
  const env = inferTypes(m);
  const all = [...new Set(nodes.flatMap((n) => [...n.inputs, n.outputs[0]]))].filter((v) => v && v !== 'input' && !m.graph.initializers.has(v));
  const session = await createSession(saveModel(withOutputs(m, all)));
  const values: Record<string, Tensor> = { input: x, ...(await session.run({ input: x }, all)) };
  await session.release();
  const fwdSet = new Set([wrt, ...nodes.flatMap((n) => n.outputs)]);

  const groups = new Map<string, { node: Node; count: number }>();
  for (const n of nodes) {
    const key = JSON.stringify([n.opType, n.attributes, n.inputs.map((i) => (m.graph.initializers.has(i) ? `w${m.graph.initializers.get(i)?.dims}` : values[i]?.dims))]);
    const hit = groups.get(key);
    if (hit) hit.count++;
    else groups.set(key, { node: n, count: 1 });
  }
  const costs = new Map<string, OpCost>();
  for (const { node, count } of groups.values()) {
    const dataInputs = node.inputs.filter((i) => i && !m.graph.initializers.has(i));
    const single: Model = {
      ...m,
      graph: {
        name: node.name,
        nodes: [node],
        inputs: dataInputs.map((i) => ({ name: i, dtype: 'float32', shape: env.types.get(i)?.shape })),
        outputs: [{ name: node.outputs[0] }],
        initializers: new Map(node.inputs.filter((i) => m.graph.initializers.has(i)).map((i) => [i, m.graph.initializers.get(i) as Tensor])),
        valueInfo: [],
      },
    };
    const feeds = Object.fromEntries(dataInputs.map((i) => [i, values[i]]));
    const out = values[node.outputs[0]];
    const cot = new Float32Array(out.data.length);
    fillNormal(cot, uniformRng(3));
    const wrtInputs = dataInputs.filter((i) => fwdSet.has(i));
    const g = buildGradient(single, defaultRegistry(), { of: node.outputs[0], wrt: wrtInputs });
    const [forwardMs, gradMs] = await timeModels([
      { model: single, feeds, fetch: [node.outputs[0]] },
      { model: g.model, feeds: { ...feeds, [g.cotangent]: tensor('float32', out.dims, cot) }, fetch: Object.values(g.grads) },
    ], runs, warmup);
    const emitted = g.model.graph.nodes.slice(1).filter((n) => n.opType !== 'Identity');
    const liveSet = liveNodes(g.model.graph.nodes, Object.values(g.grads));
    const liveEmitted = emitted.filter((n) => liveSet.has(n));
    const readValues = new Set(liveEmitted.flatMap((n) => n.inputs));
    const roles = [
      ...node.inputs.map((v, i) => (v && readValues.has(v) && !m.graph.initializers.has(v) ? `in${i}` : '')),
      ...node.outputs.map((v, j) => (v && readValues.has(v) ? `out${j}` : '')),
    ].filter(Boolean);
    const cost = costs.get(node.opType) ?? { opType: node.opType, nodes: 0, distinct: 0, forwardMs: 0, backwardMs: 0, emits: {}, reads: [], exposureMs: 0 };
    cost.reads = [...new Set([...cost.reads, ...roles])].sort();
    cost.nodes += count;
    cost.distinct += 1;
    cost.forwardMs = round(cost.forwardMs + count * forwardMs);
    cost.backwardMs = round(cost.backwardMs + count * (gradMs - forwardMs));
    for (const [op, k] of Object.entries(countTypes(emitted))) cost.emits[op] = Math.max(cost.emits[op] ?? 0, k);
    costs.set(node.opType, cost);
  }
  return [...costs.values()].sort((a, b) => b.backwardMs - a.backwardMs);
}

function printProfile(p: GradientProfile): void {
  console.log(`\nprofile ${p.model}, gradient w.r.t. ${p.wrt} (ms per run, minimum of interleaved runs)`);
  const list = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k}x${v}`).join(' ') || 'none';
  console.log(`forward ${p.forwardMs}; forward with the ${p.exposedValues} values the backward pass reads exposed ${p.forwardExposedMs}; ` +
    `gradient graph ${p.gradientMs} (dead nodes pruned ${p.gradientPrunedMs}); backward = gradient - exposed forward ${p.backwardMs}; ` +
    `isolated nodes sum ${p.isolatedBackwardMs}`);
  console.log(formatTable(
    ['op', 'nodes', 'configs', 'forward', 'backward', 'bwd/fwd', 'exposure', 'reads', 'rule emits (per node)'],
    p.byOp.map((o) => [o.opType, o.nodes, o.distinct, o.forwardMs, o.backwardMs, o.forwardMs > 0 ? round(o.backwardMs / o.forwardMs) : 0,
      o.exposureMs, o.reads.join(' ') || '-', list(o.emits)]),
  ));
  console.log(`backward nodes of the whole graph: ${list(p.backwardNodeTypes)}`);
  console.log(`dead nodes (reach no output): ${list(p.deadNodes)}`);
}
