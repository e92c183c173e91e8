import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnomalyDataset, writeAnomalySample } from '../../data/anomaly-format.ts';
import { loadMask } from '../../data/format-common.ts';
import { saveModelFile } from '../../onnx/model-io.ts';
import { compactResNet } from '../zoo/compact-resnet.ts';
import { readModelCard } from '../../models/card.ts';
import { AUROC_TIE, chooseByValidation, chooseOverWinner, trainAnomalyMethod, writeValidationSet } from './choose-method.ts';
import type { AnomalyMethodProgress, MethodCandidate } from './choose-method.ts';
import { discSimulator } from './disc-simulator.test-helper.ts';
import { stripes } from '../../models/anomaly/stripes.test-helper.ts';

let dir: string;
let backbone: string;
let goodOnly: string;
let labelled: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-choose-method-'));
  backbone = join(dir, 'backbone.onnx');
  await saveModelFile(compactResNet({ numClasses: 2, width: 8, depth: 2, inputSize: 64, seed: 2 }).model, backbone);
  goodOnly = join(dir, 'good-only');
  labelled = join(dir, 'labelled');
  for (let i = 0; i < 24; i++) {
    await writeAnomalySample(goodOnly, { stem: `g${i}`, label: 'good', image: stripes(i).image });
    await writeAnomalySample(labelled, { stem: `g${i}`, label: 'good', image: stripes(i).image });
  }
  for (let i = 0; i < 8; i++) {
    const s = stripes(50 + i, [12 + 5 * i, 50 - 4 * i, 6]);
    await writeAnomalySample(labelled, { stem: `d${i}`, label: 'hole', image: s.image, mask: { width: 64, height: 64, channels: 1, data: s.mask } });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const candidate = (method: 'patchcore' | 'simulated' | 'combined', imageAuroc: number | null, pixelAuroc: number | null = null): MethodCandidate => ({ method, fitted: true, imageAuroc, pixelAuroc, pro: null });

describe('chooseByValidation', () => {
  it('keeps the better image AUROC, then the better pixel AUROC, then PatchCore', () => {
    expect(chooseByValidation(candidate('patchcore', 0.8), candidate('simulated', 0.9)).chosen).toBe('simulated');
    expect(chooseByValidation(candidate('patchcore', 0.95), candidate('simulated', 0.9)).chosen).toBe('patchcore');
    const tie = chooseByValidation(candidate('patchcore', 0.9, 0.7), candidate('simulated', 0.9 + AUROC_TIE / 2, 0.9));
    expect(tie.chosen).toBe('simulated');
    expect(tie.reason).toMatch(/tie .*pixel AUROC simulated 0\.9000, PatchCore 0\.7000: simulated is better/);
    const both = chooseByValidation(candidate('patchcore', 0.9, 0.8), candidate('simulated', 0.9, 0.8));
    expect(both).toEqual({ chosen: 'patchcore', reason: expect.stringMatching(/PatchCore kept on a tie$/) as unknown as string });
    expect(chooseByValidation(candidate('patchcore', 0.6), { ...candidate('simulated', null), fitted: false, note: 'no time' }).reason).toMatch(/simulated not fitted \(no time\)/);
    expect(chooseByValidation(candidate('patchcore', null), candidate('simulated', 0.5)).chosen).toBe('simulated');
  });
});

describe('chooseOverWinner', () => {
  it('replaces the winner with the combined candidate only when it is better, a tie keeping the single method', () => {
    expect(chooseOverWinner(candidate('patchcore', 0.9), candidate('combined', 0.9 + AUROC_TIE)).chosen).toBe('combined');
    expect(chooseOverWinner(candidate('simulated', 0.9), candidate('combined', 0.85))).toEqual({ chosen: 'simulated', reason: expect.stringMatching(/combined 0\.8500, simulated 0\.9000: simulated is better$/) as unknown as string });
    expect(chooseOverWinner(candidate('patchcore', 0.9, 0.8), candidate('combined', 0.9, 0.8 + AUROC_TIE)).chosen).toBe('combined');
    expect(chooseOverWinner(candidate('patchcore', 0.9, 0.8), candidate('combined', 0.9, 0.8)).reason).toMatch(/PatchCore kept \(a tie keeps the single method\)$/);
    expect(chooseOverWinner(candidate('patchcore', 0.9), { ...candidate('combined', null), fitted: false, note: 'no part' }).reason).toMatch(/combined not built \(no part\); PatchCore kept/);
  });
});

describe('writeValidationSet', () => {
  it('pastes simulated defects into the good validation images when there are no labelled ones, masks aligned', async () => {
    const out = join(dir, 'val-simulated');
    const v = await writeValidationSet(goodOnly, out, { seed: 3, simulator: discSimulator });
    expect(v.source).toBe('simulated');
    expect(v.good).toBeGreaterThan(0);
    expect(v.defect).toBe(v.good);
    const listing = await readAnomalyDataset(out);
    const defects = listing.samples.filter((s) => s.label === 'defect');
    expect(defects).toHaveLength(v.defect);
    for (const s of defects) {
      expect(s.mask).toBeDefined();
      const mask = await loadMask(join(out, s.mask as string), 1e6);
      if (typeof mask === 'string') throw new Error(mask);
      expect(mask.data.some((p) => p > 0)).toBe(true);
    }
  });

  it('uses the labelled defect images of the validation split when the dataset has them', async () => {
    const v = await writeValidationSet(labelled, join(dir, 'val-labelled'), { seed: 3 });
    expect(v.source).toBe('labelled');
    expect(v.defect).toBeGreaterThan(0);
    const listing = await readAnomalyDataset(join(dir, 'val-labelled'));
    expect(listing.samples.filter((s) => s.label === 'defect').every((s) => s.mask !== undefined)).toBe(true);
  });
});

describe('trainAnomalyMethod', () => {
  it('refuses an unknown method and a non-positive budget', async () => {
    await expect(trainAnomalyMethod({ method: 'knn' as 'auto', data: goodOnly, out: join(dir, 'x') })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(trainAnomalyMethod({ method: 'auto', data: goodOnly, out: join(dir, 'x'), timeBudgetSeconds: 0 })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT' });
    await expect(trainAnomalyMethod({ method: 'patchcore', data: goodOnly, out: join(dir, 'x') })).rejects.toMatchObject({ code: 'XQC_INVALID_ARGUMENT', message: expect.stringMatching(/backbone/) as unknown as string });
  });

  it('auto keeps PatchCore and says why when the budget leaves no time for the simulated method', async () => {
    const out = join(dir, 'auto-short');
    const run = await trainAnomalyMethod({ method: 'auto', data: goodOnly, out, timeBudgetSeconds: 1, patchcore: { backbone, size: 64 } });
    expect(run.method).toBe('patchcore');
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { choice: { chosen: string; reason: string; candidates: MethodCandidate[]; validation: { source: string } } };
    expect(record.choice.chosen).toBe('patchcore');
    expect(record.choice.validation.source).toBe('simulated');
    expect(record.choice.candidates[1]).toMatchObject({ method: 'simulated', fitted: false });
    expect(record.choice.reason).toMatch(/simulated not fitted .*budget/);
    expect(record.choice.candidates[0].imageAuroc).toEqual(expect.any(Number));
    await access(join(out, 'model.onnx'));
    expect((await readModelCard(join(out, 'model_card.yaml'))).training?.method).toBe('patchcore');
  });

  it('auto fits both within the budget, scores them on the same validation set and records both', async () => {
    const out = join(dir, 'auto');
    const events: AnomalyMethodProgress[] = [];
    const budget = 45;
    const t0 = performance.now();
    const run = await trainAnomalyMethod({
      method: 'auto',
      data: labelled,
      out,
      timeBudgetSeconds: budget,
      patchcore: { backbone, size: 64 },
      simulated: { cropSize: 32, batchSize: 8, width: 8, depth: 2, simulator: discSimulator },
      onProgress: (e) => events.push(e),
    });
    const seconds = (performance.now() - t0) / 1000;
    const record = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { choice: { chosen: string; candidates: MethodCandidate[]; validation: { source: string; good: number; defect: number }; budget: { usedSeconds: number; simulatedBudgetSeconds: number } } };
    const { choice } = record;
    expect(choice.chosen).toBe(run.method);
    expect(choice.validation.source).toBe('labelled');
    expect(choice.candidates.map((c) => [c.method, c.fitted])).toEqual([
      ['patchcore', true],
      ['simulated', true],
    ]);
    for (const c of choice.candidates) expect(c.imageAuroc).toEqual(expect.any(Number));
    const [pc, sim] = choice.candidates;
    expect(chooseByValidation(pc, sim).chosen).toBe(choice.chosen);
    // The budget is honoured: the simulated fit got what was left, and the run ended within it (10 % slack for the last export).
    expect(choice.budget.simulatedBudgetSeconds).toBeLessThan(budget);
    expect(seconds).toBeLessThan(budget * 1.1 + 5);
    expect(new Set(events.map((e) => e.method))).toEqual(new Set(['patchcore', 'simulated']));
    expect(events.some((e) => e.method === 'simulated' && e.remainingSeconds !== undefined)).toBe(true);
    for (const m of ['patchcore', 'simulated']) await access(join(out, 'candidates', m, 'model.onnx'));
    expect((await readModelCard(join(out, 'model_card.yaml'))).training?.method).toBe(choice.chosen);
  }, 180_000);
});
