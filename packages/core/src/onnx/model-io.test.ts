import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { float } from './builder.ts';
import type { Model } from './ir.ts';
import { loadModel, loadModelFile, saveModel, saveModelFile } from './model-io.ts';
import { ProtoReader, ProtoWriter, WIRE_LEN, WIRE_VARINT } from './proto/wire.ts';
import { tensor } from './tensor.ts';

/** A small CNN head built with the builder: Conv -> BatchNormalization -> Relu -> GlobalAveragePool -> Flatten -> Gemm. */
function builtModel(opset = 17): Model {
  const { model, b } = emptyModel([{ name: 'x', dtype: 'float32', shape: ['N', 3, 8, 8] }], opset);
  const w = b.constant(tensor('float32', [4, 3, 3, 3], Array.from({ length: 108 }, (_, i) => Math.sin(i))), 'w');
  let h = b.op1('Conv', ['x', w], { pads: [1, 1, 1, 1], strides: [2, 2] });
  const stat = (v: number) => b.constant(tensor('float32', [4], [v, v + 1, v + 2, v + 3]), 'bn');
  h = b.op1('BatchNormalization', [h, stat(1), stat(0), stat(-1), stat(1)], { epsilon: float(Math.fround(1e-5)) });
  h = b.op1('Flatten', [b.op1('GlobalAveragePool', [b.op1('Relu', [h])])]);
  const y = b.op1('Gemm', [h, b.constant(tensor('float32', [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), 'fc')], { transB: 1 });
  model.graph.outputs = [{ name: y, dtype: 'float32', shape: ['N', 2] }];
  model.metadata = { task: 'classify' };
  return model;
}

function codeOf(f: () => unknown): ErrorCode | 'none' | 'not an XqcError' {
  try {
    f();
    return 'none';
  } catch (e) {
    return isXqcError(e) ? e.code : 'not an XqcError';
  }
}

/** `[start, end)` of the serialised GraphProto inside ModelProto bytes. */
function graphSpan(bytes: Uint8Array): [number, number] {
  const r = new ProtoReader(bytes);
  while (r.more()) {
    const [f, w] = r.tag();
    if (f === 7) return r.span();
    r.skip(w);
  }
  throw new Error('no graph');
}

/** xorshift32, for reproducible garbage. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const dir = await mkdtemp(join(tmpdir(), 'xqc-model-io-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadModel and saveModel', () => {
  it('round-trips a model built with the builder: bytes -> IR -> bytes -> IR', async () => {
    const model = builtModel();
    const bytes = saveModel(model);
    const loaded = loadModel(bytes);
    expect(loaded).toEqual(model);
    expect(saveModel(loaded)).toEqual(bytes);
    const path = join(dir, 'm.onnx');
    await saveModelFile(model, path);
    expect(await loadModelFile(path)).toEqual(model);
  });

  it('reports a file cut anywhere inside the graph as XQC_MODEL_INVALID, and never crashes on any cut', () => {
    const bytes = saveModel(builtModel());
    const [, graphEnd] = graphSpan(bytes);
    const seen = new Set<string>();
    for (let cut = 1; cut < bytes.length; cut++) {
      const code = codeOf(() => loadModel(bytes.subarray(0, cut)));
      if (cut < graphEnd) expect(code, `cut at ${cut} of ${bytes.length}`).toBe('XQC_MODEL_INVALID');
      seen.add(code);
    }
    // After the graph, a cut can drop the opset import (unsupported) or only trailing metadata (loads).
    expect([...seen].sort()).toEqual(['XQC_MODEL_INVALID', 'XQC_MODEL_UNSUPPORTED_OPSET', 'none']);
    expect(codeOf(() => loadModel(new Uint8Array()))).toBe('XQC_MODEL_INVALID');
  });

  it('rejects random garbage and corrupted bytes with coded errors only', () => {
    const next = rng(42);
    for (let k = 0; k < 300; k++) {
      const junk = Uint8Array.from({ length: 1 + Math.floor(next() * 400) }, () => Math.floor(next() * 256));
      expect(['XQC_MODEL_INVALID', 'XQC_MODEL_UNSUPPORTED_IR', 'XQC_MODEL_UNSUPPORTED_OPSET', 'XQC_MODEL_EXTERNAL_DATA', 'XQC_DTYPE_UNSUPPORTED'])
        .toContain(codeOf(() => loadModel(junk)));
    }
    const good = saveModel(builtModel());
    for (let k = 0; k < 300; k++) {
      const bad = good.slice();
      for (let f = 0; f < 3; f++) bad[Math.floor(next() * bad.length)] ^= 1 << Math.floor(next() * 8);
      expect(codeOf(() => loadModel(bad))).not.toBe('not an XqcError');
    }
  });

  it('refuses opsets 12 and 22 and IR 11, unless version checks are off', () => {
    for (const opset of [12, 22]) {
      const bytes = saveModel(builtModel(opset));
      expect(codeOf(() => loadModel(bytes))).toBe('XQC_MODEL_UNSUPPORTED_OPSET');
      expect(loadModel(bytes, { checkVersions: false }).opsetImports[0].version).toBe(opset);
    }
    for (const opset of [13, 21]) expect(codeOf(() => loadModel(saveModel(builtModel(opset))))).toBe('none');
    const ir11 = { ...builtModel(), irVersion: 11 };
    expect(codeOf(() => loadModel(saveModel(ir11)))).toBe('XQC_MODEL_UNSUPPORTED_IR');
    const noOpset = { ...builtModel(), opsetImports: [] };
    expect(codeOf(() => loadModel(saveModel(noOpset)))).toBe('XQC_MODEL_UNSUPPORTED_OPSET');
  });

  it('refuses dangling inputs, values produced twice, missing outputs and cycles; sorts nodes topologically', () => {
    const dangling = builtModel();
    dangling.graph.nodes[1].inputs[0] = 'nowhere';
    expect(codeOf(() => loadModel(saveModel(dangling)))).toBe('XQC_MODEL_INVALID');
    const twice = builtModel();
    twice.graph.nodes[1].outputs = [...twice.graph.nodes[0].outputs];
    expect(codeOf(() => loadModel(saveModel(twice)))).toBe('XQC_MODEL_INVALID');
    const missing = builtModel();
    missing.graph.outputs.push({ name: 'ghost' });
    expect(codeOf(() => loadModel(saveModel(missing)))).toBe('XQC_MODEL_INVALID');
    const cycle = builtModel();
    cycle.graph.nodes[0].inputs[0] = cycle.graph.nodes[2].outputs[0];
    expect(codeOf(() => loadModel(saveModel(cycle)))).toBe('XQC_MODEL_INVALID');
    const shuffled = builtModel();
    const order = shuffled.graph.nodes.map((n) => n.name);
    shuffled.graph.nodes.reverse();
    expect(loadModel(saveModel(shuffled)).graph.nodes.map((n) => n.name)).toEqual(order);
  });

  it('refuses tensors kept in external files', () => {
    const bytes = saveModel(builtModel());
    const ext = new ProtoWriter().tag(1, WIRE_LEN).string('location').tag(2, WIRE_LEN).string('weights.bin');
    const t = new ProtoWriter().tag(1, WIRE_VARINT).int64(4).tag(2, WIRE_VARINT).uvarint(1).tag(8, WIRE_LEN).string('ext_w');
    t.tag(13, WIRE_LEN).message(ext).tag(14, WIRE_VARINT).uvarint(1);
    const [start, end] = graphSpan(bytes);
    const graph = new ProtoWriter().raw(bytes.slice(start, end)).tag(5, WIRE_LEN).message(t);
    const patched = new ProtoWriter().tag(1, WIRE_VARINT).int64(8).tag(7, WIRE_LEN).message(graph);
    patched.tag(8, WIRE_LEN).message(new ProtoWriter().tag(2, WIRE_VARINT).int64(17));
    expect(codeOf(() => loadModel(patched.finish()))).toBe('XQC_MODEL_EXTERNAL_DATA');
  });

  it('names the file in errors from loadModelFile', async () => {
    const absent = join(dir, 'absent.onnx');
    await expect(loadModelFile(absent)).rejects.toMatchObject({ code: 'XQC_IO', message: `cannot read ${absent}: no such file or directory (ENOENT)` });
    const path = join(dir, 'cut.onnx');
    await writeFile(path, saveModel(builtModel()).subarray(0, 50));
    await expect(loadModelFile(path)).rejects.toMatchObject({ code: 'XQC_MODEL_INVALID', message: expect.stringContaining(path) });
  });
});
