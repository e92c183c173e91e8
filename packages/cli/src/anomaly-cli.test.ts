import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactResNet, saveModelFile } from '@xai-qc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKBONE } from './commands/train-anomaly.ts';
import { main } from './main.ts';

let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-anomaly-cli-'));
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: 64, seed: 1 }).model, join(dir, 'backbone.onnx'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc train --task anomaly, evaluate', () => {
  it('fits PatchCore on a generated anomaly folder and evaluates it', async () => {
    const data = join(dir, 'surfaces');
    expect(await main(['data', 'generate', '--kind', 'surface', '--format', 'anomaly', '--count', '30', '--seed', '4', '--size', '64', '--out', data], io)).toBe(0);
    const model = join(dir, 'detector');
    const rc = await main(['train', '--task', 'anomaly', '--data', data, '--backbone', join(dir, 'backbone.onnx'), '--out', model, '--size', '64', '--coreset', '0.2', '--json'], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const record = JSON.parse(out.pop() as string) as { task: string; bank: { size: number; sourcePatches: number }; backbone: { layers: string[] } };
    expect(record.task).toBe('anomaly');
    expect(record.bank.size).toBe(Math.round(0.2 * record.bank.sourcePatches));
    expect(record.backbone.layers).toEqual(['layer1.1.relu', 'layer2.1.relu']);
    expect(JSON.parse(await readFile(join(model, 'anomaly.json'), 'utf8')).bank.coreset.ratio).toBe(0.2);

    // Thirty images leave the test split without defects; every split together defines every figure.
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--json'], io)).toBe(0);
    const ev = JSON.parse(out.pop() as string) as { task: string; report: Record<string, unknown> };
    expect(ev.task).toBe('anomaly');
    for (const k of ['imageAuroc', 'pixelAuroc', 'pro', 'f1']) expect(ev.report[k]).toEqual(expect.any(Number));
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--split', 'test'], io)).toBe(0);
    const text = out.slice(-5).join('\n');
    expect(text).toMatch(/^anomaly on test split, \d+ good \+ 0 defect images/m);
    expect(text).toMatch(/image AUROC n\/a {2}pixel AUROC n\/a {2}PRO n\/a/);
    expect(text).toMatch(/note: no defect image/);
  });

  it('reports bad anomaly options and a missing backbone on one line', async () => {
    err.length = 0;
    const data = join(dir, 'surfaces');
    expect(await main(['train', '--task', 'anomaly', '--data', data, '--backbone', join(dir, 'backbone.onnx'), '--out', join(dir, 'x'), '--coreset', '2'], io)).toBe(2);
    expect(err.pop()).toMatch(/--coreset must be a number in \(0, 1\]/);
    expect(await main(['train', '--task', 'anomaly', '--data', data, '--backbone', join(dir, 'missing.onnx'), '--out', join(dir, 'x')], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_IO/);
    expect(existsSync(DEFAULT_BACKBONE), `the default backbone ${DEFAULT_BACKBONE} is missing`).toBe(true);
  });
});
