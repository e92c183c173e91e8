/** `xaiqc grad`: vector-Jacobian products of an ONNX model, one .npy per `wrt` value. */
import { GradientSession, loadModelFile, readNpyFile } from '@xai-qc/core';
import type { Tensor } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, namedPaths, required } from '../command.ts';
import { progressFor, stepProgress } from '../progress.ts';
import { checkInputNames, readInputs, shapeText, writeTensors } from '../tensor-files.ts';

export const gradCommand: Command = {
  name: 'grad',
  summary: 'gradient of one output w.r.t. inputs, activations or weights',
  help: `Usage: xaiqc grad --model M.onnx --input NAME=x.npy [--input ...] --of OUTPUT --wrt NAME[,NAME]
                  [--cotangent c.npy] --out DIR [--json]

Builds the vector-Jacobian-product graph of the model in ONNX (reverse-mode autodiff)
and runs it on ONNX Runtime. Writes DIR/grad_<wrt>.npy for each wrt value: the
gradient of sum(cotangent * OUTPUT). The cotangent defaults to ones. Each file is
written atomically; progress (load, build, run, write) goes to stderr.

Options:
  --model PATH       the .onnx file
  --input NAME=PATH  one per graph input
  --of NAME          the output (or any intermediate value) to differentiate
  --wrt LIST         comma-separated graph inputs, intermediate values or initializers
  --cotangent PATH   .npy shaped like OUTPUT (default ones)
  --out DIR          output folder (created)
  --json             print a JSON summary instead of a table`,
  options: {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    of: { type: 'string' },
    wrt: { type: 'string' },
    cotangent: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const modelPath = required(values, 'model');
    const of = required(values, 'of');
    const wrt = required(values, 'wrt').split(',').map((s) => s.trim()).filter(Boolean);
    if (wrt.length === 0) throw new UsageError('--wrt names no value');
    const outDir = required(values, 'out');
    const inputPaths = namedPaths(values, 'input');
    const progress = progressFor(io, 'grad');
    const steps = stepProgress(progress, 'grad', ['load', 'build', 'run', 'write']);
    try {
      steps.step('load');
      const model = await loadModelFile(modelPath);
      checkInputNames(model, Object.keys(inputPaths));
      const feeds = await readInputs(inputPaths);
      const cotangent: Tensor | undefined = typeof values.cotangent === 'string' ? await readNpyFile(values.cotangent) : undefined;
      steps.step('build');
      const t0 = performance.now();
      const session = await GradientSession.create(model, { of, wrt });
      const t1 = performance.now();
      steps.step('run');
      const { value, grads } = await session.run(feeds, cotangent);
      const t2 = performance.now();
      steps.step('write');
      const files = await writeTensors(outDir, grads, 'grad_');
      steps.done();
      if (values.json) {
        io.out(JSON.stringify({
          of: { dims: value.dims, dtype: value.dtype },
          grads: Object.fromEntries(Object.entries(grads).map(([k, t]) => [k, { file: files[k], dims: t.dims, dtype: t.dtype }])),
          buildMs: t1 - t0,
          runMs: t2 - t1,
        }, null, 2));
      } else {
        for (const [k, t] of Object.entries(grads)) io.out(`${k}\t${shapeText(t)}\t${files[k]}`);
      }
    } finally {
      progress.end();
    }
    return 0;
  },
};
