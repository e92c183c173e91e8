import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { loadModel, saveModel } from '../onnx/model-io.ts';
import { emptyModel } from '../testing/index.ts';
import { optimizedModel } from './session.ts';

const leftovers = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('xqc-optimized-'));

describe('optimizedModel', () => {
  it('returns the graph ONNX Runtime runs, with the same inputs and outputs, and cleans up', async () => {
    const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 4] }]);
    // Identity chains are removed by ONNX Runtime's basic optimisations.
    const y = b.op1('Identity', [b.op1('Identity', [b.op1('Relu', ['x'])])]);
    b.op('Identity', [y], {}, { outputNames: ['y'] });
    model.graph.outputs.push({ name: 'y', dtype: 'float32', shape: ['N', 4] });
    const before = await leftovers();
    const runtime = loadModel(await optimizedModel(saveModel(model)));
    expect(runtime.graph.inputs.map((i) => i.name)).toEqual(['x']);
    expect(runtime.graph.outputs.map((o) => o.name)).toEqual(['y']);
    expect(runtime.graph.nodes.length).toBeLessThan(model.graph.nodes.length);
    expect(runtime.graph.nodes.map((n) => n.opType)).toContain('Relu');
    expect(await leftovers()).toEqual(before);
  });

  it('rejects bytes that are not a model with XQC_RUNTIME and leaves no files', async () => {
    const before = await leftovers();
    const err = await optimizedModel(new Uint8Array([1, 2, 3, 4])).catch((e: unknown) => e);
    expect(isXqcError(err) && err.code).toBe('XQC_RUNTIME');
    expect(await leftovers()).toEqual(before);
  });
});
