import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodePng, generateSample } from '@xai-qc/core';
import type { Answer } from '@xai-qc/core';
import { main } from '../main.ts';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-ask-'));
  await writeFile(join(dir, 'scratch.png'), await encodePng(generateSample('surface', { seed: 11, label: 'scratch' }).image));
  await writeFile(join(dir, 'weld.png'), await encodePng(generateSample('radiograph', { seed: 5, label: 'porosity' }).image));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  out.length = 0;
  err.length = 0;
});

describe('xaiqc ask', () => {
  it('answers from the local prediction with citations, as JSON and as text', async () => {
    const args = ['ask', '--model', join(MODELS, 'surface-segmenter'), '--image', join(dir, 'scratch.png'), '--json', 'Where is the defect?'];
    expect(await main(args, io), err.join('\n')).toBe(0);
    const a = JSON.parse(out.join('\n')) as Answer;
    expect(a.intent).toBe('location');
    expect(a.answer.startsWith(a.short)).toBe(true);
    expect(a.citations.length).toBeGreaterThan(0);
    const ids = new Set(a.citations.map((c) => c.id));
    for (const m of a.answer.matchAll(/\[(\d+)\]/g)) expect(ids.has(m[1])).toBe(true);
    expect(a.composer).toBe('grounded');

    out.length = 0;
    const text = ['ask', '--model', join(MODELS, 'weld-segmenter', 'model.onnx'), '--image', join(dir, 'weld.png'), 'What usually causes porosity in a weld?'];
    expect(await main(text, io), err.join('\n')).toBe(0);
    const printed = out.join('\n');
    expect(printed).toContain('Sources:');
    expect(printed).toMatch(/\[\d+\] Defect book/);
  });

  it('refuses bad input with one line CODE: message and a non-zero status', async () => {
    const model = join(MODELS, 'surface-classifier');
    const image = join(dir, 'scratch.png');
    const cases: [string[], number, RegExp][] = [
      [['ask', '--model', model, '--image', image], 2, /^xaiqc ask: XQC_USAGE: give the question/],
      [['ask', '--model', model, '--image', image, '   '], 1, /^xaiqc ask: XQC_INVALID_ARGUMENT: question: empty/],
      [['ask', '--model', model, '--image', image, 'x'.repeat(10000)], 1, /^xaiqc ask: XQC_INVALID_ARGUMENT: question: 10000 characters/],
      [['ask', '--image', image, 'Is it defective?'], 2, /^xaiqc ask: XQC_USAGE: --model is required/],
      [['ask', '--model', model, '--image', join(dir, 'missing.png'), 'Is it defective?'], 1, /^xaiqc ask: XQC_IO: /],
      [['ask', '--model', model, '--image', image, '--llm-url', 'http://127.0.0.1:9/v1', 'Is it defective?'], 2, /^xaiqc ask: XQC_USAGE: --llm-url and --llm-model go together/],
    ];
    for (const [args, status, line] of cases) {
      err.length = 0;
      expect(await main(args, io), args.join(' ').slice(0, 80)).toBe(status);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(line);
    }
  });
});
