/** `xaiqc run`: evaluates an ONNX model on .npy inputs and writes every output as .npy. */
import { loadModelFile, saveModel, withSession } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { namedPaths, required } from '../command.ts';
import { progressFor, stepProgress } from '../progress.ts';
import { checkInputNames, readInputs, shapeText, writeTensors } from '../tensor-files.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run an ONNX model on .npy inputs, write each output as .npy',
  help: `Usage: xaiqc run --model M.onnx --input NAME=x.npy [--input ...] --out DIR [--outputs A,B] [--json]

Runs the model with ONNX Runtime on the CPU and writes every requested output to
DIR/<output>.npy (names made file-safe), each file atomically. Inputs are .npy files
(float32, float64, int64, int32, uint8, bool). Progress (load, run, write) goes to stderr.

Options:
  --model PATH      the .onnx file
  --input NAME=PATH one per graph input
  --out DIR         output folder (created)
  --outputs LIST    comma-separated output names (default: all)
  --json            print a JSON summary instead of a table`,
  options: {
    model: { type: 'string' },
    input: { type: 'string', multiple: true },
    out: { type: 'string' },
    outputs: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const modelPath = required(values, 'model');
    const outDir = required(values, 'out');
    const inputPaths = namedPaths(values, 'input');
    const wanted = typeof values.outputs === 'string' ? values.outputs.split(',').filter(Boolean) : undefined;
    const progress = progressFor(io, 'run');
    const steps = stepProgress(progress, 'run', ['load', 'run', 'write']);
    try {
      steps.step('load');
      const model = await loadModelFile(modelPath);
      checkInputNames(model, Object.keys(inputPaths));
      const feeds = await readInputs(inputPaths);
      steps.step('run');
      const outputs = await withSession(saveModel(model), (session) => session.run(feeds, wanted));
      steps.step('write');
      const files = await writeTensors(outDir, outputs);
      steps.done();
      if (values.json) {
        io.out(JSON.stringify({ outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { file: files[k], dims: t.dims, dtype: t.dtype }])) }, null, 2));
      } else {
        for (const [k, t] of Object.entries(outputs)) io.out(`${k}\t${shapeText(t)}\t${files[k]}`);
      }
      return 0;
    } finally {
      progress.end();
    }
  },
};
