import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@xai-qc/core';
import { main } from './main.ts';

const SHIPPED = fileURLToPath(new URL('../../../models/surface-classifier', import.meta.url));

let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

type ProgressEvent = { type: string; command: string; stage: string; done: number; total?: number };

/** Runs the command with a progress stream (not a terminal): its exit status and the JSON progress lines it wrote there. */
async function withProgress(args: string[]): Promise<{ rc: number; events: ProgressEvent[] }> {
  const lines: string[] = [];
  const before = out.length;
  const rc = await main(args, { ...io, progress: { isTTY: false, write: (t: string) => void lines.push(t) } });
  // Progress never reaches stdout.
  expect(out.slice(before).some((l) => l.includes('"type":"progress"'))).toBe(false);
  return { rc, events: lines.join('').trim().split('\n').map((l) => JSON.parse(l) as ProgressEvent) };
}

/** The stages of `events` in order of first appearance, each with its last `done/total`. */
function stages(events: ProgressEvent[]): Record<string, string> {
  return Object.fromEntries(events.filter((e) => e.stage).map((e) => [e.stage, `${e.done}/${e.total}`]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-cal-'));
  expect(await main(['data', 'generate', '--kind', 'cells', '--count', '80', '--seed', '5', '--size', '32', '--format', 'classification', '--out', join(dir, 'cells')], io)).toBe(0);
  expect(await main(['train', '--task', 'classify', '--data', join(dir, 'cells'), '--out', join(dir, 'model'), '--epochs', '2', '--batch', '8', '--width', '4', '--depth', '2', '--size', '32', '--threads', '1', '--json'], io)).toBe(0);
  // A temporary copy of the shipped pass/reject classifier, and defect/good surfaces for it (60 validation images).
  await cp(SHIPPED, join(dir, 'shipped'), { recursive: true });
  const surfaces = join(dir, 'surfaces');
  expect(await main(['data', 'generate', '--kind', 'surface', '--format', 'classification', '--count', '400', '--seed', '7', '--size', '64', '--out', surfaces], io)).toBe(0);
  await mkdir(join(surfaces, 'defect'));
  for (const kind of ['scratch', 'crack', 'spot', 'hole']) {
    for (const f of await readdir(join(surfaces, kind))) await rename(join(surfaces, kind, f), join(surfaces, 'defect', `${kind}-${f}`));
    await rm(join(surfaces, kind), { recursive: true });
  }
  await rm(join(surfaces, 'labels.json'));
  await rm(join(surfaces, 'manifest.json'));
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc calibrate and uncertainty', () => {
  it('calibrate writes the calibrated card into --out and changes the model card only with --write-card', async () => {
    const model = join(dir, 'shipped', 'model.onnx');
    const cardPath = join(dir, 'shipped', 'model_card.yaml');
    const original = await readFile(cardPath, 'utf8');
    out.length = 0;
    err.length = 0;
    const rc = await main(['calibrate', '--model', model, '--data', join(dir, 'surfaces'), '--out', join(dir, 'cal'), '--json'], io);
    expect(err).toEqual([]);
    expect(rc).toBe(0);
    const r = JSON.parse(out[0]) as { validationCount: number; testCount: number; fit: { temperature: number; nllBefore: number; nllAfter: number; logTemperatureStdError: number }; conformal: { coverage: number; threshold: number }; cards: { written: string; modelCardUpdated: boolean } };
    expect(r.validationCount).toBeGreaterThanOrEqual(50);
    expect(r.fit.temperature).toBeGreaterThan(0);
    // The fit minimises the validation NLL, so it can only go down there.
    expect(r.fit.nllAfter).toBeLessThanOrEqual(r.fit.nllBefore + 1e-12);
    expect(r.fit.logTemperatureStdError).toBeGreaterThan(0);
    expect(r.conformal.coverage).toBeGreaterThan(0);
    expect((await readdir(join(dir, 'cal'))).sort()).toEqual(['calibration.json', 'model_card.yaml', 'reliability-after.png', 'reliability-after.svg', 'reliability-before.png', 'reliability-before.svg']);
    const png = await readFile(join(dir, 'cal', 'reliability-after.png'));
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    expect(await readFile(cardPath, 'utf8')).toBe(original);
    expect(r.cards).toMatchObject({ written: join(dir, 'cal', 'model_card.yaml'), modelCardUpdated: false });
    const written = await readModelCard(join(dir, 'cal', 'model_card.yaml'));
    expect(written.calibration?.temperature).toBeCloseTo(r.fit.temperature, 10);
    expect(written.calibration?.conformal).toMatchObject({ alpha: 0.1, score: 'aps', threshold: r.conformal.threshold });
    expect(written.name).toBe('surface-classifier');

    // A non-empty --out is refused before any work; --force replaces it, --write-card updates the card.
    expect(await main(['calibrate', '--model', model, '--data', join(dir, 'surfaces'), '--out', join(dir, 'cal')], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_INVALID_ARGUMENT: output folder .* is not empty/);
    out.length = 0;
    const { rc: forced, events } = await withProgress(['calibrate', '--model', model, '--data', join(dir, 'surfaces'), '--out', join(dir, 'cal'), '--force', '--write-card']);
    expect(forced).toBe(0);
    expect(out.at(-1)).toMatch(/also written to .*model_card\.yaml/);
    // Progress: both splits through the model, the fit, the diagrams and the write, on the progress stream.
    expect(events.every((e) => e.type === 'progress' && e.command === 'calibrate')).toBe(true);
    expect(stages(events)).toEqual({
      validation: `${r.validationCount}/${r.validationCount}`, fit: '1/1', test: `${r.testCount}/${r.testCount}`, diagrams: '1/1', write: '1/1',
    });
    expect((await readModelCard(cardPath)).calibration?.temperature).toBeCloseTo(r.fit.temperature, 10);
  });

  it('calibrate refuses 15 validation images, naming the minimum, and writes nothing', async () => {
    const cardPath = join(dir, 'model', 'model_card.yaml');
    const before = await readFile(cardPath, 'utf8');
    err.length = 0;
    const rc = await main(['calibrate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--out', join(dir, 'cal-small'), '--write-card'], io);
    expect(rc).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^xaiqc calibrate: XQC_CALIBRATION_REFUSED: 15 validation image\(s\) are too few to calibrate on: at least 50 are needed/);
    expect(existsSync(join(dir, 'cal-small'))).toBe(false);
    expect((await readdir(dir)).filter((f) => f.includes('cal-small'))).toEqual([]);
    expect(await readFile(cardPath, 'utf8')).toBe(before);
  });

  it('evaluate reports calibration and conformal figures, coverage never on the items that calibrated it', async () => {
    type Trust = { report: { count: number }; trust: { calibration: { ece: number; brier: number }; conformal: { coverage: number | null; averageSetSize: number | null; calibrationCount: number; measuredCount: number; excludedCount: number; note?: string } } };
    const evaluate = async (split: string): Promise<Trust> => {
      out.length = 0;
      expect(await main(['evaluate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--split', split, '--json'], io)).toBe(0);
      return JSON.parse(out[0]) as Trust;
    };
    const test = await evaluate('test');
    // Progress: the evaluated images, then the pass for the calibration figures (test and validation images).
    const { rc, events } = await withProgress(['evaluate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--split', 'test', '--json']);
    expect(rc).toBe(0);
    out.pop();
    expect(events.every((e) => e.type === 'progress' && e.command === 'evaluate')).toBe(true);
    expect(stages(events)).toEqual({ images: `${test.report.count}/${test.report.count}`, calibration: `${test.report.count + 15}/${test.report.count + 15}` });
    expect(test.trust.calibration.ece).toBeGreaterThanOrEqual(0);
    expect(test.trust.calibration.brier).toBeGreaterThan(0);
    expect(test.trust.conformal.averageSetSize).toBeGreaterThanOrEqual(1);
    expect(test.trust.conformal).toMatchObject({ calibrationCount: 15, measuredCount: test.report.count, excludedCount: 0 });
    // All 80 images: the 15 validation images calibrated the sets and are left out of the coverage.
    const all = await evaluate('all');
    expect(all.report.count).toBe(80);
    expect(all.trust.conformal).toMatchObject({ calibrationCount: 15, measuredCount: 65, excludedCount: 15 });
    expect(all.trust.conformal.note).toMatch(/15 evaluated item\(s\) calibrated the conformal sets and are left out/);
    // The validation split alone: nothing is left to measure on, and the output says so.
    const val = await evaluate('val');
    expect(val.trust.conformal.coverage).toBeNull();
    expect(val.trust.conformal.note).toMatch(/in-sample, so it is not reported/);
    out.length = 0;
    expect(await main(['evaluate', '--model', join(dir, 'model', 'model.onnx'), '--data', join(dir, 'cells'), '--split', 'val'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/conformal APS alpha 0\.1: coverage not measured \(calibrated on 15 validation images, measured on 0 others\)/);
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
    const ensemble = await withProgress(['uncertainty', '--model', m, '--model', m, '--image', img, '--method', 'ensemble', '--json']);
    expect(ensemble.rc).toBe(0);
    expect(JSON.parse(out[0]).mutualInformation).toBeLessThan(1e-9);
    expect(ensemble.events.map((e) => `${e.command} ${e.stage} ${e.done}/${e.total}`)).toEqual(['uncertainty members 0/2', 'uncertainty members 1/2', 'uncertainty members 2/2']);
    const passes = await withProgress(['uncertainty', '--model', m, '--image', img, '--method', 'mc-dropout', '--samples', '4']);
    expect(passes.rc).toBe(0);
    expect(passes.events.map((e) => `${e.command} ${e.stage} ${e.done}/${e.total}`)).toEqual(['uncertainty passes 0/4', 'uncertainty passes 4/4']);
    err.length = 0;
    expect(await main(['uncertainty', '--model', m, '--image', img, '--method', 'ensemble'], io)).toBe(1);
    expect(err[0]).toMatch(/XQC_UNCERTAINTY/);
  });
});
