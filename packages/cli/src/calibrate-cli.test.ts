import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-cal-'));
  expect(await main(['data', 'generate', '--kind', 'cells', '--count', '80', '--seed', '5', '--size', '32', '--format', 'classification', '--out', join(dir, 'cells')], io)).toBe(0);
  expect(await main(['train', '--task', 'classify', '--data', join(dir, 'cells'), '--out', join(dir, 'model'), '--epochs', '2', '--batch', '8', '--width', '4', '--depth', '2', '--size', '32', '--threads', '1', '--json'], io)).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc calibrate and uncertainty', () => {
  it('calibrate fits T, writes diagrams and figures, records T in the card', async () => {
    out.length = 0;
    const rc = await main(['calibrate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--out', join(dir, 'cal'), '--json'], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const r = JSON.parse(out[0]) as { fit: { temperature: number; nllBefore: number; nllAfter: number }; conformal: { coverage: number }; before: { ece: number } };
    expect(r.fit.temperature).toBeGreaterThan(0);
    // The fit minimises the validation NLL, so it can only go down there.
    expect(r.fit.nllAfter).toBeLessThanOrEqual(r.fit.nllBefore + 1e-12);
    expect(r.conformal.coverage).toBeGreaterThan(0);
    expect((await readdir(join(dir, 'cal'))).sort()).toEqual(['calibration.json', 'reliability-after.png', 'reliability-after.svg', 'reliability-before.png', 'reliability-before.svg']);
    const png = await readFile(join(dir, 'cal', 'reliability-after.png'));
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const card = await readModelCard(join(dir, 'model', 'model_card.yaml'));
    expect(card.calibration?.temperature).toBeCloseTo(r.fit.temperature, 10);
  });

  it('evaluate reports calibration and conformal figures for classifiers', async () => {
    out.length = 0;
    expect(await main(['evaluate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--split', 'test', '--json'], io)).toBe(0);
    const r = JSON.parse(out[0]) as { trust: { calibration: { ece: number; brier: number }; conformal: { coverage: number; averageSetSize: number } } };
    expect(r.trust.calibration.ece).toBeGreaterThanOrEqual(0);
    expect(r.trust.calibration.brier).toBeGreaterThan(0);
    expect(r.trust.conformal.averageSetSize).toBeGreaterThanOrEqual(1);
  });

  it('uncertainty runs MC-Dropout and ensembles on one image', async () => {
    const cls = (await readdir(join(dir, 'cells'))).find((d) => !d.endsWith('.json')) as string;
    const img = join(dir, 'cells', cls, (await readdir(join(dir, 'cells', cls)))[0]);
    out.length = 0;
    expect(await main(['uncertainty', '--model', join(dir, 'model', 'model.onnx'), '--image', img, '--method', 'mc-dropout', '--samples', '16', '--json'], io)).toBe(0);
    const mc = JSON.parse(out[0]) as { samples: number; probabilities: Record<string, number>; mutualInformation: number };
    expect(mc.samples).toBe(16);
    expect(Object.values(mc.probabilities).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 9);
    expect(mc.mutualInformation).toBeGreaterThanOrEqual(0);
    out.length = 0;
    const m = join(dir, 'model', 'model.onnx');
    expect(await main(['uncertainty', '--model', m, '--model', m, '--image', img, '--method', 'ensemble', '--json'], io)).toBe(0);
    expect(JSON.parse(out[0]).mutualInformation).toBeLessThan(1e-9);
    err.length = 0;
    expect(await main(['uncertainty', '--model', m, '--image', img, '--method', 'ensemble'], io)).toBe(1);
    expect(err[0]).toMatch(/XQC_UNCERTAINTY/);
  });
});
