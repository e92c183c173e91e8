import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFile, saveModel, tensor, toNumbers, writeNpyFile } from '@xai-qc/core';
import { singleOpModel } from '@xai-qc/core/testing';
import { main } from './main.ts';

let dir: string;
const lines: { out: string[]; err: string[] } = { out: [], err: [] };
const io = { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-cli-'));
  // y = a * b, so dy/da = b and dy/db = a for a ones cotangent.
  const model = singleOpModel({ op: 'Mul', inputs: [{ name: 'a', dtype: 'float32', shape: [2, 2] }, { name: 'b', dtype: 'float32', shape: [2, 2] }] });
  await writeFile(join(dir, 'mul.onnx'), saveModel(model));
  await writeNpyFile(join(dir, 'a.npy'), tensor('float32', [2, 2], [1, 2, 3, 4]));
  await writeNpyFile(join(dir, 'b.npy'), tensor('float32', [2, 2], [5, 6, 7, 8]));
  await writeNpyFile(join(dir, 'c.npy'), tensor('float32', [2, 2], [1, 0, 2, 0]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc', () => {
  it('lists commands and answers --help for each', async () => {
    expect(await main(['--help'], io)).toBe(0);
    expect(lines.out.join('\n')).toContain('grad');
    for (const cmd of ['run', 'grad']) {
      lines.out.length = 0;
      expect(await main([cmd, '--help'], io)).toBe(0);
      expect(lines.out[0]).toMatch(new RegExp(`^Usage: xaiqc ${cmd}`));
    }
  });

  it('run writes every output as .npy', async () => {
    const out = join(dir, 'run-out');
    const rc = await main(['run', '--model', join(dir, 'mul.onnx'), '--input', `a=${join(dir, 'a.npy')}`, '--input', `b=${join(dir, 'b.npy')}`, '--out', out], io);
    expect(rc).toBe(0);
    expect(toNumbers(await readNpyFile(join(out, 'y0.npy')))).toEqual([5, 12, 21, 32]);
  });

  it('grad writes one .npy per wrt, with ones or a given cotangent', async () => {
    const out = join(dir, 'grad-out');
    const base = ['grad', '--model', join(dir, 'mul.onnx'), '--input', `a=${join(dir, 'a.npy')}`, '--input', `b=${join(dir, 'b.npy')}`, '--of', 'y0'];
    expect(await main([...base, '--wrt', 'a,b', '--out', out], io)).toBe(0);
    expect(toNumbers(await readNpyFile(join(out, 'grad_a.npy')))).toEqual([5, 6, 7, 8]);
    expect(toNumbers(await readNpyFile(join(out, 'grad_b.npy')))).toEqual([1, 2, 3, 4]);
    const out2 = join(dir, 'grad-out2');
    expect(await main([...base, '--wrt', 'a', '--cotangent', join(dir, 'c.npy'), '--out', out2], io)).toBe(0);
    expect(toNumbers(await readNpyFile(join(out2, 'grad_a.npy')))).toEqual([5, 0, 14, 0]);
  });

  it('reports bad input on one line with a stable code and writes nothing', async () => {
    lines.err.length = 0;
    await writeFile(join(dir, 'bad.onnx'), Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0x01]));
    const out = join(dir, 'bad-out');
    const rc = await main(['grad', '--model', join(dir, 'bad.onnx'), '--of', 'y0', '--wrt', 'a', '--out', out], io);
    expect(rc).toBe(1);
    expect(lines.err).toHaveLength(1);
    expect(lines.err[0]).toMatch(/XQC_MODEL_INVALID/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('usage errors exit 2', async () => {
    lines.err.length = 0;
    expect(await main(['grad', '--model', 'x.onnx'], io)).toBe(2);
    expect(lines.err[0]).toMatch(/--of is required|--wrt is required|--out is required/);
    expect(await main(['nope'], io)).toBe(2);
    expect(await main(['run', '--bogus'], io)).toBe(2);
  });

  it('an unknown wrt value is a coded error', async () => {
    lines.err.length = 0;
    const rc = await main(['grad', '--model', join(dir, 'mul.onnx'), '--input', `a=${join(dir, 'a.npy')}`, '--input', `b=${join(dir, 'b.npy')}`, '--of', 'y0', '--wrt', 'zzz', '--out', join(dir, 'o3')], io);
    expect(rc).toBe(1);
    expect(lines.err[0]).toMatch(/XQC_VALUE_NOT_FOUND/);
  });
});
