import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-train-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc data generate, train, evaluate', () => {
  it('generates a dataset, trains a segmenter on it and evaluates it', async () => {
    const data = join(dir, 'welds');
    expect(await main(['data', 'generate', '--kind', 'radiograph', '--count', '40', '--seed', '3', '--size', '32', '--out', data, '--json'], io)).toBe(0);
    const summary = JSON.parse(out.pop() as string) as { images: number; hash: string };
    expect(summary.images).toBe(40);
    const model = join(dir, 'model');
    const rc = await main(['train', '--task', 'segment', '--data', data, '--out', model, '--epochs', '1', '--batch', '8', '--width', '4', '--depth', '2', '--size', '32', '--threads', '1', '--json'], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const record = JSON.parse(out.pop() as string) as { dataset: { hash: string }; history: unknown[] };
    expect(record.dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.history).toHaveLength(1);
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--split', 'test', '--json'], io)).toBe(0);
    const ev = JSON.parse(out.pop() as string) as { task: string; report: { perClass: { label: string }[]; meanIou: number } };
    expect(ev.task).toBe('segment');
    expect(ev.report.perClass.map((c) => c.label)).toEqual(['background', 'porosity', 'crack', 'lack_of_fusion']);
    expect(Number.isFinite(ev.report.meanIou)).toBe(true);
    expect(JSON.parse(await readFile(join(model, 'run.json'), 'utf8')).codeVersion).toBeTruthy();
  });

  it('rejects bad options on one line', async () => {
    err.length = 0;
    expect(await main(['data', 'generate', '--kind', 'moon', '--count', '3', '--out', join(dir, 'x')], io)).toBe(2);
    expect(await main(['train', '--task', 'detect', '--data', dir, '--out', join(dir, 'y')], io)).toBe(2);
    expect(await main(['evaluate', '--model', join(dir, 'nope.onnx'), '--data', dir], io)).toBe(1);
    expect(err).toHaveLength(3);
    expect(err[2]).toMatch(/XQC_IO/);
  });
});
