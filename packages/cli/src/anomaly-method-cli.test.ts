import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactResNet, saveModelFile } from '@xai-qc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';

let dir: string;
let data: string;
let backbone: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-anomaly-method-'));
  backbone = join(dir, 'backbone.onnx');
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: 64, seed: 1 }).model, backbone);
  data = join(dir, 'surfaces');
  expect(await main(['data', 'generate', '--kind', 'surface', '--format', 'anomaly', '--count', '40', '--seed', '4', '--size', '64', '--out', data], io)).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train = (...extra: string[]): Promise<number> => main(['train', '--task', 'anomaly', '--data', data, '--out', join(dir, 'never'), ...extra], io);

describe('xaiqc train --task anomaly --method, --time-budget', () => {
  it('refuses a bad method or budget with one usage line', async () => {
    const cases: [string[], RegExp][] = [
      [['--method', 'knn'], /^xaiqc train: XQC_USAGE: --method must be simulated, patchcore, combined or auto, got 'knn'/],
      [['--method', 'simulated', '--time-budget', 'soon'], /^xaiqc train: XQC_USAGE: --time-budget must be a positive number of seconds, got 'soon'/],
      [['--method', 'simulated', '--time-budget', '0'], /^xaiqc train: XQC_USAGE: --time-budget must be a positive number of seconds, got '0'/],
      [['--method', 'auto', '--time-budget=-5'], /^xaiqc train: XQC_USAGE: --time-budget must be a positive number of seconds, got '-5'/],
      [['--method', 'simulated', '--time-budget', 'Infinity'], /^xaiqc train: XQC_USAGE: --time-budget must be a positive number of seconds/],
      [['--time-budget', '60'], /^xaiqc train: XQC_USAGE: --time-budget applies to --method simulated, combined or auto/],
      [['--method', 'simulated', '--coreset', '0.2'], /^xaiqc train: XQC_USAGE: --coreset applies to PatchCore .*not to --method simulated/],
    ];
    for (const [args, message] of cases) {
      err.length = 0;
      expect(await train(...args), args.join(' ')).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
      expect(err[0]).not.toContain('\n');
    }
  });

  it('fits the simulated-defect detector within --time-budget, with the time left in its progress', async () => {
    const model = join(dir, 'simulated');
    const progress: string[] = [];
    const t0 = performance.now();
    err.length = 0;
    const rc = await main(['train', '--task', 'anomaly', '--method', 'simulated', '--time-budget', '15', '--data', data, '--out', model], { ...io, progress: { write: (t: string) => progress.push(t) } });
    const seconds = (performance.now() - t0) / 1000;
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    expect(seconds).toBeLessThan(15 * 1.2 + 5);
    expect(out.slice(-6).join('\n')).toMatch(/simulated-defect detector at 64x64, \d+ steps \(stopped by (budget|steps); budget 15 s(, weights of the last \d+ averaged)?\), map averaged over 4 flip\(s\)/);
    const lines = progress.map((l) => JSON.parse(l) as { stage: string; left_s?: number });
    expect(lines.some((l) => l.stage === 'train' && typeof l.left_s === 'number' && l.left_s <= 15)).toBe(true);
    const run = JSON.parse(await readFile(join(model, 'run.json'), 'utf8')) as { method: string; params: { timeBudgetSeconds: number } };
    expect(run).toMatchObject({ method: 'simulated', params: { timeBudgetSeconds: 15 } });
  }, 120_000);

  it('auto fits both and their combination, keeps the better on the validation split and records why in run.json', async () => {
    const model = join(dir, 'auto');
    err.length = 0;
    const rc = await main(['train', '--task', 'anomaly', '--method', 'auto', '--time-budget', '40', '--backbone', backbone, '--size', '64', '--data', data, '--out', model], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const text = out.slice(-8).join('\n');
    expect(text).toMatch(/^method auto chose (patchcore|simulated|combined): validation image AUROC simulated \d\.\d{4}, PatchCore \d\.\d{4}/m);
    expect(text).toMatch(/^validation: \d+ good \+ \d+ labelled defect images; patchcore fitted in \d+ s, image AUROC \d\.\d{4}.*; simulated fitted in \d+ s/m);
    const run = JSON.parse(await readFile(join(model, 'run.json'), 'utf8')) as { choice: { requested: string; chosen: string; candidates: { method: string; imageAuroc: number }[]; budget: { seconds: number } } };
    expect(run.choice).toMatchObject({ requested: 'auto', budget: { seconds: 40 } });
    expect(run.choice.candidates.map((c) => c.method)).toEqual(['patchcore', 'simulated', 'combined']);
  }, 180_000);
});
