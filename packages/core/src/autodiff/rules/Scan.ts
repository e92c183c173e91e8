/**
 * Scan without loop-carried state (every input a scan input, as in a per-image loop):
 * iteration t maps slice t of each scan input x_i to slice t of each scan output y_k,
 * independently of the other iterations. The gradient is therefore another such Scan,
 * over the same x_i and the output cotangents dy_k, whose body is the vector-Jacobian
 * product of the forward body (built with the same rules: recompute the body, then
 * sweep it backward). Axes and directions carry over: dy_k is read along y_k's output
 * axis and direction, dx_i written along x_i's input axis and direction, so slice t of
 * dx_i meets the slice of x_i it came from.
 *
 * With several floating outputs the body differentiates L = sum_k sum(c_k * y_k), the
 * cotangents c_k being inputs of the backward body. Values the body reads from the outer
 * graph (a memory bank, weights) stay outer references; gradients through them, and
 * Scans with state variables (whose gradient would need every iteration's state), are
 * refused with XQC_AUTODIFF_UNSUPPORTED. Opset 8's Scan (batch axis, sequence lengths)
 * is not supported.
 */
import { GraphBuilder } from '../../onnx/builder.ts';
import type { Dim, Graph, Model, ValueInfo } from '../../onnx/ir.ts';
import { cloneGraph } from '../../onnx/ir.ts';
import { inferTypes } from '../../onnx/shape/infer.ts';
import { FLOAT_DTYPES, tensor } from '../../onnx/tensor.ts';
import { normalizeAxis } from '../graph-shapes.ts';
import { outerReads } from '../outer-reads.ts';
import type { GradContext, GradRule } from '../types.ts';
import { buildGradient, differentiableFrom } from '../vjp.ts';

/** A body input's type: as declared, else the outer scan input's type without its scan axis. */
function bodyInputType(ctx: GradContext, declared: ValueInfo, outer: string, axis: number): ValueInfo {
  if (declared.dtype && declared.shape) return { ...declared, shape: [...declared.shape] };
  const t = ctx.type(outer);
  const a = normalizeAxis(axis, t?.shape?.length);
  const shape: Dim[] | undefined = declared.shape ?? (t?.shape && a !== undefined ? t.shape.filter((_, i) => i !== a) : undefined);
  return { name: declared.name, dtype: declared.dtype ?? t?.dtype, shape };
}

/** The forward body as a model whose outer reads are inputs (or initializers, when constant), for buildGradient. */
function bodyModel(ctx: GradContext, body: Graph, axes: number[], captured: string[]): Model {
  const g = cloneGraph(body);
  const m = ctx.node.inputs.length;
  g.inputs = g.inputs.map((v, i) => bodyInputType(ctx, v, ctx.node.inputs[i], axes[i] ?? 0));
  for (const name of captured) {
    const c = ctx.constant(name);
    if (c) g.initializers.set(name, c);
    else g.inputs.push({ name, dtype: ctx.type(name)?.dtype, shape: ctx.shape(name) });
  }
  if (g.inputs.length < m) ctx.fail(`its body declares ${g.inputs.length} inputs for ${m} scan inputs`);
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: ctx.opset }],
    producerName: 'xai-qc-autodiff',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    graph: g,
    extra: [],
  };
}

export const Scan: GradRule = {
  opType: 'Scan',
  grad(ctx) {
    const nulls = ctx.node.inputs.map(() => null);
    if (ctx.opset < 9) ctx.fail(`Scan at opset ${ctx.opset} (batch axis and sequence lengths) has no gradient rule; opset 9 or later is supported`);
    const bodyAttr = ctx.attr('body');
    if (bodyAttr?.type !== 'graph') return ctx.fail('it has no body graph');
    const body = bodyAttr.value;
    const m = ctx.attrInt('num_scan_inputs', 0);
    if (ctx.node.inputs.length !== m) ctx.fail(`it carries ${ctx.node.inputs.length - m} state variable(s); only Scans without state are supported`);
    const captured = outerReads(body);
    const reached = captured.filter((c) => ctx.dependsOnWrt(c));
    if (reached.length) ctx.fail(`its body reads ${reached.map((c) => `'${c}'`).join(', ')} from the outer graph, which depend(s) on a wrt value; gradients through values a Scan body captures are not supported`);
    const inAxes = ctx.attrInts('scan_input_axes') ?? new Array<number>(m).fill(0);
    const inDirs = ctx.attrInts('scan_input_directions') ?? new Array<number>(m).fill(0);
    const outAxes = ctx.attrInts('scan_output_axes') ?? new Array<number>(body.outputs.length).fill(0);
    const outDirs = ctx.attrInts('scan_output_directions') ?? new Array<number>(body.outputs.length).fill(0);

    const model = bodyModel(ctx, body, inAxes, captured);
    const g = model.graph;
    const env = inferTypes(model);
    const isFloat = (v: string): boolean => FLOAT_DTYPES.has(env.types.get(v)?.dtype ?? 'int64');
    const scanIn = g.inputs.slice(0, m).map((v) => v.name);
    const wrt = scanIn.filter((_, i) => ctx.needs[i]);
    const reach = differentiableFrom(g, wrt, isFloat);
    const outs = body.outputs.map((o, k) => ({ k, name: o.name, dy: ctx.dy[k] })).filter((o) => o.dy && reach.has(o.name));
    if (outs.length === 0 || wrt.length === 0) return nulls;

    const b = new GraphBuilder(g, ctx.opset, ctx.b.fresh('scan_body'));
    let of: string;
    let cotangents: string[];
    let unit: string | undefined;
    if (outs.length === 1) {
      of = outs[0].name;
      cotangents = [b.fresh('dy')];
    } else {
      cotangents = outs.map((o) => {
        const c = b.fresh('dy');
        const t = env.types.get(o.name);
        g.inputs.push({ name: c, dtype: t?.dtype, shape: t?.shape ? [...t.shape] : undefined });
        return c;
      });
      of = b.sum(outs.map((o, i) => b.reduceSum(b.mul(o.name, cotangents[i]), [], false)));
      unit = b.fresh('one');
    }
    const grad = buildGradient(model, ctx.registry, {
      of,
      wrt,
      cotangentName: unit ?? cotangents[0],
      keepOutputs: false,
      namePrefix: b.fresh('vjp'),
      types: unit ? inferTypes(model) : env,
    });
    const gg = grad.model.graph;
    if (unit) {
      const dtype = gg.inputs.find((v) => v.name === unit)?.dtype ?? 'float32';
      gg.initializers.set(unit, tensor(dtype, [], [1]));
    }
    // Body inputs are positional: the forward scan inputs, then the cotangents.
    const byName = new Map(gg.inputs.map((v) => [v.name, v]));
    gg.inputs = [...scanIn, ...cotangents].map((n) => byName.get(n) ?? { name: n });
    for (const c of captured) gg.initializers.delete(c);
    gg.name = `${body.name || 'scan'}_grad`;

    const dyIn = outs.map((o) => o.dy as string);
    const needed = scanIn.map((_, i) => i).filter((i) => ctx.needs[i]);
    const outNames = needed.map(() => ctx.b.fresh('Scan_grad_out'));
    ctx.b.op('Scan', [...ctx.node.inputs, ...dyIn], {
      body: { type: 'graph', value: gg },
      num_scan_inputs: m + outs.length,
      scan_input_axes: [...inAxes, ...outs.map((o) => outAxes[o.k])],
      scan_input_directions: [...inDirs, ...outs.map((o) => outDirs[o.k])],
      scan_output_axes: needed.map((i) => inAxes[i]),
      scan_output_directions: needed.map((i) => inDirs[i]),
    }, { outputNames: outNames });
    return ctx.node.inputs.map((_, i) => (ctx.needs[i] ? outNames[needed.indexOf(i)] : null));
  },
};
