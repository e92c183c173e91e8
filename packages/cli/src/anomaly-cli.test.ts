import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactResNet, readModelCard, saveModelFile } from '@xai-qc/core';
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
    const progress: string[] = [];
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--split', 'test'], { ...io, progress: { isTTY: false, write: (t: string) => void progress.push(t) } })).toBe(0);
    // Progress of the anomaly evaluation on the progress stream: its start and its end.
    expect(progress.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { type: 'progress', command: 'evaluate', stage: 'anomaly', done: 0, total: 1, step: 'score' },
      { type: 'progress', command: 'evaluate', stage: 'anomaly', done: 1, total: 1 },
    ]);
    const text = out.slice(-6).join('\n');
    expect(text).toMatch(/^anomaly on test split, \d+ good \+ 0 defect images/m);
    expect(text).toMatch(/image AUROC n\/a {2}pixel AUROC n\/a {2}PRO n\/a/);
    expect(text).toMatch(/note: no defect image/);
    expect(text).toMatch(/note: none of the \d+ evaluated images was used in fitting \(checked by SHA-256 against the run record\)/);
  });

  it('says whether the figures are optimistic from the images the detector was fitted on', async () => {
    const data = join(dir, 'surfaces');
    const model = join(dir, 'detector');
    const run = JSON.parse(await readFile(join(model, 'run.json'), 'utf8')) as { dataset: { fitted: string[]; counts: Record<string, { good: number; defect: number }> } };
    const c = run.dataset.counts;
    expect(run.dataset.fitted).toHaveLength(c.train.good + c.val.good + c.val.defect);
    type Overlap = { fitOverlap: { basis: string; evaluated: number; fitted: number | null; note: string } };
    const evaluate = async (folder: string, split = 'all'): Promise<Overlap['fitOverlap']> => {
      expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', folder, '--split', split, '--json'], io)).toBe(0);
      return (JSON.parse(out.pop() as string) as Overlap).fitOverlap;
    };
    // Its own dataset: every fitted image is among all the images.
    const own = await evaluate(data);
    expect(own).toMatchObject({ basis: 'image-hashes', fitted: run.dataset.fitted.length });
    expect(own.note).toMatch(/were used in fitting .* so these figures are optimistic/);
    // A folder the detector never saw: held out, not optimistic.
    const fresh = join(dir, 'fresh');
    expect(await main(['data', 'generate', '--kind', 'surface', '--format', 'anomaly', '--count', '12', '--seed', '9', '--size', '64', '--out', fresh], io)).toBe(0);
    const unseen = await evaluate(fresh);
    expect(unseen).toMatchObject({ basis: 'image-hashes', evaluated: 12, fitted: 0 });
    expect(unseen.note).toMatch(/^none of the 12 evaluated images was used in fitting/);
    expect(unseen.note).not.toMatch(/optimistic/);

    // Without the image record (a detector from before it): the card's dataset hash decides.
    const copy = join(dir, 'detector-no-record');
    await cp(model, copy, { recursive: true });
    const bare = { ...run, dataset: { ...run.dataset, fitted: undefined } };
    await writeFile(join(copy, 'run.json'), JSON.stringify(bare));
    expect(await main(['evaluate', '--model', join(copy, 'model.onnx'), '--data', data, '--split', 'val', '--json'], io)).toBe(0);
    const byHash = (JSON.parse(out.pop() as string) as Overlap).fitOverlap;
    expect(byHash).toMatchObject({ basis: 'dataset-hash', fitted: c.val.good + c.val.defect });
    expect(byHash.note).toMatch(/optimistic/);
    expect(await main(['evaluate', '--model', join(copy, 'model.onnx'), '--data', fresh], io)).toBe(0);
    const line = out.pop() as string;
    expect(line).toMatch(/^note: this folder \(dataset [0-9a-f]{12}\) is not the dataset version the detector was fitted on .* overlap with the fitting images was not checked$/);
    expect(line).not.toMatch(/optimistic/);
  });

  it('fits on every good image but the validation share with --test-split 0', async () => {
    const data = join(dir, 'surfaces');
    const model = join(dir, 'detector-all');
    const progress: string[] = [];
    const withProgress = { ...io, progress: { write: (t: string) => progress.push(t) } };
    expect(await main(['train', '--task', 'anomaly', '--data', data, '--backbone', join(dir, 'backbone.onnx'), '--out', model, '--size', '64', '--coreset', '0.2', '--val-split', '0.3', '--test-split', '0'], withProgress)).toBe(0);
    // Progress goes to the progress stream as JSON lines (not a terminal), never to stdout.
    expect(progress.length).toBeGreaterThan(0);
    expect(JSON.parse(progress[0])).toMatchObject({ type: 'progress', command: 'train' });
    const phases = new Set(progress.map((l) => (JSON.parse(l) as { stage: string }).stage));
    expect([...phases]).toEqual(['features', 'coreset', 'validation']);
    expect(out.slice(-4).join('\n')).toMatch(/test: no test split/);
    const run = JSON.parse(await readFile(join(model, 'run.json'), 'utf8')) as { dataset: { counts: Record<string, { good: number; defect: number }>; ratios: unknown } };
    expect(run.dataset.ratios).toEqual({ train: 0.7, val: 0.3, test: 0 });
    expect(run.dataset.counts.test).toEqual({ good: 0, defect: 0 });
    const card = await readModelCard(join(model, 'model_card.yaml'));
    expect(card.training?.splitRatios).toEqual({ train: 0.7, val: 0.3, test: 0 });
    // evaluate draws the split the card records: the test split is empty, as in training.
    err.length = 0;
    expect(await main(['evaluate', '--model', join(model, 'model.onnx'), '--data', data, '--split', 'test'], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_DATASET_INVALID: the test split of .* is empty/);
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
