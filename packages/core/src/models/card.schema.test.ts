import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XqcError } from '../errors.ts';
import { parseModelCard, parseModelCardYaml, readModelCard } from './card.ts';
import { ModelCardSchema } from './card.schema.ts';

const base = { task: 'classify', labels: ['good', 'scratch'] };

/** The error a card raises: its code and the JSON path it names. */
function failure(raw: unknown): { code: string; path: unknown; message: string } {
  try {
    parseModelCard(raw);
  } catch (e) {
    if (!(e instanceof XqcError)) throw e;
    return { code: e.code, path: e.details?.path, message: e.message };
  }
  throw new Error('card was accepted');
}

describe('model card schema', () => {
  it('is a reusable JSON Schema with an $id and descriptions', () => {
    expect(ModelCardSchema.$id).toBe('ModelCard');
    expect(ModelCardSchema.additionalProperties).toBe(false);
    for (const [name, prop] of Object.entries(ModelCardSchema.properties)) {
      expect((prop as { description?: string }).description ?? (prop as { properties?: unknown }).properties, name).toBeTruthy();
    }
  });

  it('keeps every shipped card valid', async () => {
    const root = join(import.meta.dirname, '../../../../models');
    const dirs = async (dir: string): Promise<string[]> => (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    // the demo models, and the feature trunks under models/backbones/ (not registered as demo models)
    const names = (await dirs(root)).filter((n) => n !== 'backbones');
    const backbones = (await dirs(join(root, 'backbones'))).map((n) => join('backbones', n));
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(backbones.length).toBeGreaterThanOrEqual(1);
    for (const n of [...names, ...backbones]) {
      const card = await readModelCard(join(root, n, 'model_card.yaml'));
      expect(card.name).toBe(basename(n));
    }
  });

  it('fills defaults and does not modify its argument', () => {
    const raw = { ...base };
    const card = parseModelCard(raw);
    expect(raw).toEqual(base);
    expect(card.goodLabels).toEqual(['good']);
    expect(card.input).toEqual({ height: 224, width: 224, resize: 'stretch', layout: 'NCHW', color: 'rgb', mean: [0], std: [1] });
    expect(card.thresholds).toEqual({ reject: 0.5, minAreaPixels: 4, mergeGapPixels: 2 });
    expect(card.severity.map((s) => s.severity)).toEqual(['critical', 'major', 'minor']);
    expect(parseModelCard({ task: 'segment', labels: ['bg', 'crack'] }).goodLabels).toEqual(['bg']);
    expect(parseModelCard({ task: 'classify', labels: ['a', 'b'] }).goodLabels).toEqual([]);
  });

  it.each([
    ['task', { ...base, task: 'regress' }, '/task', /one of "classify", "segment", "detect", "anomaly"/],
    ['labels', { ...base, labels: [] }, '/labels', /fewer than 1/],
    ['duplicate labels', { ...base, labels: ['a', 'a'] }, '/labels', /duplicate/],
    ['label type', { ...base, labels: ['a', 3] }, '/labels/1', /string/],
    ['goodLabels', { ...base, goodLabels: ['ok'] }, '/goodLabels/0', /not one of the labels/],
    ['name', { ...base, name: '' }, '/name', /fewer than 1/],
    ['version', { ...base, version: 2 }, '/version', /string/],
    ['input.height', { ...base, input: { height: 8.5 } }, '/input/height', /integer/],
    ['input.width', { ...base, input: { width: 4 } }, '/input/width', />= 8/],
    ['input.resize', { ...base, input: { resize: 'crop' } }, '/input/resize', /"stretch", "letterbox"/],
    ['input.layout', { ...base, input: { layout: 'NHWC' } }, '/input/layout', /"NCHW"/],
    ['input.color', { ...base, input: { color: 'rgba' } }, '/input/color', /"rgb", "bgr", "gray"/],
    ['input.mean NaN', { ...base, input: { mean: [0.5, Number.NaN, 0.5] } }, '/input/mean/1', /finite number/],
    ['input.mean length', { ...base, input: { mean: [0.5, 0.5] } }, '/input/mean', /1 or 3 values/],
    ['input.std zero', { ...base, input: { std: [0] } }, '/input/std/0', /> 0/],
    ['input.std gray length', { ...base, input: { color: 'gray', std: [1, 1, 1] } }, '/input/std', /1 or 1 values/],
    ['input.name', { ...base, input: { name: '' } }, '/input/name', /fewer than 1/],
    ['outputs.logits', { ...base, outputs: { logits: 5 } }, '/outputs/logits', /string/],
    ['explain.layer', { ...base, explain: { layers: 'x' } }, '/explain/layers', /allowed here: layer/],
    ['thresholds.reject', { ...base, thresholds: { reject: 1.5 } }, '/thresholds/reject', /<= 1/],
    ['thresholds.reject NaN', { ...base, thresholds: { reject: Number.NaN } }, '/thresholds/reject', /finite/],
    ['thresholds.pixel', { ...base, thresholds: { pixel: Number.POSITIVE_INFINITY } }, '/thresholds/pixel', /finite/],
    ['thresholds.minAreaPixels', { ...base, thresholds: { minAreaPixels: 0 } }, '/thresholds/minAreaPixels', />= 1/],
    ['thresholds.mergeGapPixels', { ...base, thresholds: { mergeGapPixels: -1 } }, '/thresholds/mergeGapPixels', />= 0/],
    ['severity', { ...base, severity: [{ severity: 'bad' }] }, '/severity/0/severity', /"minor", "major", "critical"/],
    ['severity area', { ...base, severity: [{ severity: 'minor', minAreaFraction: 2 }] }, '/severity/0/minAreaFraction', /<= 1/],
    ['severity labels', { ...base, severity: [{ severity: 'minor', labels: ['dent'] }] }, '/severity/0/labels/0', /not one of the labels/],
    ['calibration', { ...base, calibration: { temperature: 0 } }, '/calibration/temperature', /> 0/],
    ['calibration required', { ...base, calibration: { ece: 0.1 } }, '/calibration/temperature', /required/],
    ['dataset.hash', { ...base, dataset: { hash: 'abc' } }, '/dataset/hash', /pattern/],
    ['dataset.split', { ...base, dataset: { split: { train: -1 } } }, '/dataset/split/train', />= 0/],
    ['metrics NaN', { ...base, metrics: { f1: { a: [0.5, Number.NaN] } } }, '/metrics/f1/a/1', /finite number/],
    ['training NaN', { ...base, training: { lr: Number.NaN } }, '/training/lr', /finite number/],
    ['intendedUse', { ...base, intendedUse: ['x'] }, '/intendedUse', /string/],
    ['limitations', { ...base, limitations: 'x' }, '/limitations', /array/],
    ['unknown field', { ...base, colour: 'rgb' }, '/colour', /not a card field/],
  ])('refuses a bad %s naming its JSON path', (_name, raw, path, message) => {
    const f = failure(raw);
    expect(f.code).toBe('XQC_CARD_INVALID');
    expect(f.path).toBe(path);
    expect(f.message).toContain(path);
    expect(f.message).toMatch(message);
  });

  it('accepts one spelling per field and names the one to use', () => {
    expect(failure({ ...base, good_labels: ['good'] }).message).toMatch(/\/good_labels is not a card field; spell it goodLabels/);
    expect(failure({ ...base, intended_use: 'x' }).message).toMatch(/spell it intendedUse/);
    expect(failure({ ...base, input: { size: [32, 32] } }).message).toMatch(/\/input\/size .*spell it input.height and input.width/);
  });

  it('refuses YAML .nan and non-mappings', () => {
    expect(() => parseModelCardYaml('task: classify\nlabels: [a]\nthresholds: {reject: .nan}')).toThrow(/\/thresholds\/reject must be a finite number/);
    expect(failure([1]).path).toBe('');
    expect(() => parseModelCardYaml('task: [')).toThrow(/not valid YAML/);
  });
});
