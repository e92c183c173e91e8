import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFile, saveModel, tensor, toNumbers, writeNpyFile } from '@xai-qc/core';
import { singleOpModel } from '@xai-qc/core/testing';
import { codedError, main } from './main.ts';

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

describe('xaiqc conventions', () => {
  const reset = (): void => {
    lines.out.length = 0;
    lines.err.length = 0;
  };

  it('--version prints the package version, commit and runtime on one line', async () => {
    reset();
    expect(await main(['--version'], io)).toBe(0);
    expect(lines.out).toHaveLength(1);
    expect(lines.out[0]).toMatch(/^xaiqc \d+\.\d+\.\d+ \(.*onnxruntime-node \d+\.\d+\.\d+, node \d+/);
  });

  it('help <command> prints that command\'s help; help of an unknown command is a usage error', async () => {
    reset();
    expect(await main(['help', 'grad'], io)).toBe(0);
    expect(lines.out[0]).toMatch(/^Usage: xaiqc grad /);
    expect(await main(['help', 'nope'], io)).toBe(2);
    expect(lines.err[0]).toMatch(/^xaiqc: XQC_USAGE: unknown command 'nope' \(commands: run, grad, /);
    reset();
    expect(await main(['help'], io)).toBe(0);
    const text = lines.out.join('\n');
    expect(text).toContain('xaiqc help <command>');
    expect(text).toMatch(/Exit status:\n {2}0 {2}success\n {2}1 {2}failure.*\n {2}2 {2}usage error/);
  });

  it('exits 2 with one XQC_USAGE line for every usage error', async () => {
    reset();
    const cases = [['--bogus'], ['nope'], ['run', '--bogus'], ['grad', '--model', 'x.onnx'], ['data', 'generate', '--kind', 'moon', '--count', '1', '--out', join(dir, 'm')], ['run', '--input', 'noequals', '--model', 'm', '--out', 'o']];
    for (const argv of cases) expect(await main(argv, io), argv.join(' ')).toBe(2);
    expect(lines.err).toHaveLength(cases.length);
    for (const line of lines.err) expect(line).toMatch(/^xaiqc( [a-z]+)?: XQC_USAGE: /);
    expect(lines.err[3]).toBe('xaiqc grad: XQC_USAGE: --of is required (see xaiqc grad --help)');
  });

  it('a missing file is XQC_IO naming the path and the reason, exit 1', async () => {
    reset();
    const missing = join(dir, 'missing.npy');
    expect(await main(['run', '--model', join(dir, 'mul.onnx'), '--input', `a=${missing}`, '--input', `b=${join(dir, 'b.npy')}`, '--out', join(dir, 'o-missing')], io)).toBe(1);
    expect(lines.err).toEqual([`xaiqc run: XQC_IO: cannot read ${missing}: no such file or directory (ENOENT)`]);
    await writeFile(join(dir, 'plain-file'), 'x');
    expect(await main(['data', 'generate', '--kind', 'cells', '--count', '2', '--size', '16', '--out', join(dir, 'plain-file', 'sub')], io)).toBe(1);
    expect(lines.err[1]).toMatch(/^xaiqc data: XQC_IO: cannot .*plain-file.*: (a parent is not a directory|already exists) \(E[A-Z]+\)$/);
  });

  it('turns a raw file system error into XQC_IO, never an internal error', async () => {
    const raw = await readFile(join(dir, 'nope', 'x.json')).catch((e: unknown) => e);
    const coded = codedError(raw);
    expect(coded?.toLine()).toBe(`XQC_IO: cannot open ${join(dir, 'nope', 'x.json')}: no such file or directory (ENOENT)`);
    expect(codedError(new TypeError('a bug'))).toBeUndefined();
  });

  it('reports progress on the progress stream only, never on stdout', async () => {
    reset();
    const progress: string[] = [];
    const withProgress = { ...io, progress: { isTTY: false, write: (t: string) => void progress.push(t) } };
    const out = join(dir, 'run-progress');
    expect(await main(['run', '--model', join(dir, 'mul.onnx'), '--input', `a=${join(dir, 'a.npy')}`, '--input', `b=${join(dir, 'b.npy')}`, '--out', out], withProgress)).toBe(0);
    const events = progress.join('').trim().split('\n').map((l) => JSON.parse(l) as { command: string; stage: string; step?: string; done: number });
    expect(events.map((e) => e.step ?? e.done)).toEqual(['load', 'run', 'write', 3]);
    expect(events.every((e) => e.command === 'run')).toBe(true);
    expect(lines.out).toEqual([`y0\t[2,2] float32\t${join(out, 'y0.npy')}`]);
  });

  it('data input writes an image\'s model input as the card prepares it, for run', async () => {
    reset();
    const parts = join(dir, 'parts');
    expect(await main(['data', 'generate', '--kind', 'surface', '--count', '1', '--size', '48', '--seed', '1', '--out', parts], io)).toBe(0);
    const model = fileURLToPath(new URL('../../../models/surface-classifier/model.onnx', import.meta.url));
    const x = join(dir, 'x.npy');
    expect(await main(['data', 'input', '--model', model, '--image', join(parts, 'images', 'surface-00000.png'), '--out', x], io)).toBe(0);
    expect(lines.out.pop()).toBe(`input\t[1,3,64,64] float32\t${x}`);
    expect((await readNpyFile(x)).dims).toEqual([1, 3, 64, 64]);
    expect(await main(['run', '--model', model, '--input', `input=${x}`, '--out', join(dir, 'x-run')], io)).toBe(0);
    expect(lines.out.pop()).toMatch(/^logits\t\[1,2\] float32\t/);
    expect(await main(['data', 'input', '--model', model, '--image', join(parts, 'nope.png'), '--out', x], io)).toBe(1);
    expect(lines.err.pop()).toMatch(/^xaiqc data: XQC_IO: cannot read .*nope\.png: no such file or directory \(ENOENT\)$/);
    expect(await main(['data', 'input', '--model', model, '--image', join(parts, 'images', 'surface-00000.png'), '--out', join(dir, 'x.bin')], io)).toBe(2);
  });

  it('prints the same dataset hash in data generate and evaluate for one folder', async () => {
    reset();
    const data = join(dir, 'cells');
    expect(await main(['data', 'generate', '--kind', 'cells', '--format', 'classification', '--count', '40', '--size', '64', '--seed', '5', '--out', data, '--json'], io)).toBe(0);
    const generated = (JSON.parse(lines.out.pop() as string) as { hash: string }).hash;
    const model = fileURLToPath(new URL('../../../models/cell-classifier/model.onnx', import.meta.url));
    expect(await main(['evaluate', '--model', model, '--data', data, '--json'], io)).toBe(0);
    expect((JSON.parse(lines.out.pop() as string) as { datasetHash: string }).datasetHash).toBe(generated);
    expect(lines.err).toEqual([]);
  });
});

