import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@xai-qc/core';
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
  it('trains a segmenter on all of a folder but the validation share and evaluates it on a separate folder', async () => {
    const data = join(dir, 'welds');
    expect(await main(['data', 'generate', '--kind', 'radiograph', '--count', '40', '--seed', '3', '--size', '32', '--out', data, '--json'], io)).toBe(0);
    const summary = JSON.parse(out.pop() as string) as { images: number; hash: string };
    expect(summary.images).toBe(40);
    const model = join(dir, 'model');
    const rc = await main(['train', '--task', 'segment', '--data', data, '--out', model, '--val-split', '0.25', '--test-split', '0', '--epochs', '1', '--batch', '8', '--width', '4', '--depth', '2', '--size', '32', '--threads', '1', '--workers', '2', '--json'], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const record = JSON.parse(out.pop() as string) as { dataset: { hash: string; ratios: unknown; counts: Record<string, number> }; history: unknown[]; test?: unknown };
    expect(record.dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.history).toHaveLength(1);
    // Every image trains but the validation share; the default 70/15/15 would hold out 12.
    expect(record.dataset.ratios).toEqual({ train: 0.75, val: 0.25, test: 0 });
    expect(record.dataset.counts.test).toBe(0);
    expect(record.dataset.counts.train + record.dataset.counts.val).toBe(40);
    expect(record.dataset.counts.val).toBeGreaterThanOrEqual(9);
    expect(record.test).toBeUndefined();
    const card = await readModelCard(join(model, 'model_card.yaml'));
    expect(card.training?.splitRatios).toEqual({ train: 0.75, val: 0.25, test: 0 });
    expect(card.metrics).toBeUndefined();
    expect(card.limitations?.[0]).toMatch(/No test split was held out/);

    const testDir = join(dir, 'welds-test');
    expect(await main(['data', 'generate', '--kind', 'radiograph', '--count', '8', '--seed', '11', '--size', '32', '--out', testDir], io)).toBe(0);
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', testDir, '--split', 'all', '--json'], io)).toBe(0);
    const ev = JSON.parse(out.pop() as string) as { task: string; report: { count: number; perClass: { label: string }[]; meanIou: number } };
    expect(ev.task).toBe('segment');
    expect(ev.report.count).toBe(8);
    expect(ev.report.perClass.map((c) => c.label)).toEqual(['background', 'porosity', 'crack', 'lack_of_fusion']);
    expect(Number.isFinite(ev.report.meanIou)).toBe(true);
    // On the training folder, evaluate draws the split the card records.
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--split', 'val', '--json'], io)).toBe(0);
    expect((JSON.parse(out.pop() as string) as { report: { count: number } }).report.count).toBe(record.dataset.counts.val);
    expect(JSON.parse(await readFile(join(model, 'run.json'), 'utf8')).codeVersion).toBeTruthy();
    expect(JSON.parse(await readFile(join(model, 'run.json'), 'utf8')).params.workers).toBe(2);
  });

  it('refuses split shares that leave no validation or no training images', async () => {
    err.length = 0;
    const args = ['train', '--task', 'classify', '--data', join(dir, 'welds'), '--out', join(dir, 'z')];
    expect(await main([...args, '--val-split', '0'], io)).toBe(2);
    expect(await main([...args, '--test-split', '1'], io)).toBe(2);
    expect(await main([...args, '--val-split', '0.6', '--test-split', '0.5'], io)).toBe(2);
    expect(await main([...args, '--val-split', 'half'], io)).toBe(2);
    expect(await main([...args, '--workers', '0'], io)).toBe(2);
    expect(err[0]).toMatch(/--val-split must be in \(0, 1\)/);
    expect(err[1]).toMatch(/--test-split must be in \[0, 1\) \(0 for a separate test folder\)/);
    expect(err[2]).toMatch(/must be below 1 to leave images to train on/);
    expect(err[3]).toMatch(/--val-split must be a number, got 'half'/);
    expect(err[4]).toMatch(/--workers must be a whole number from 1 to 64, got '0'/);
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
