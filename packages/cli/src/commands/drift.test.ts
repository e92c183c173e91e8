import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, encodePng } from '@xai-qc/core';
import { main } from '../main.ts';

const MODEL = fileURLToPath(new URL('../../../../models/surface-classifier/model.onnx', import.meta.url));
const COUNT = 40;
let dir: string;

/** A seeded textured surface: a base level drawn per image (mean 120, +-12), pixel noise, and `lift` added to every channel. */
function surface(seed: number, lift: number): ReturnType<typeof createImage> {
  let s = seed * 2654435761;
  const rand = (): number => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
  const base = 108 + 24 * rand();
  const img = createImage(48, 48, 3);
  for (let p = 0; p < 48 * 48; p++) {
    const v = base + 40 * (rand() - 0.5) + lift;
    for (let c = 0; c < 3; c++) img.data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(v + 6 * c)));
  }
  return img;
}

async function writeFolder(name: string, seed0: number, lift: number): Promise<string> {
  const root = join(dir, name);
  for (let i = 0; i < COUNT; i++) {
    // Any layout: half the images one folder down.
    const sub = i % 2 ? join(root, 'line-b') : root;
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `img-${i}.png`), await encodePng(surface(seed0 + i, lift)));
  }
  return root;
}

interface Row {
  signal: string;
  test: string;
  level: string;
}

let reference: string;
let same: string;
let brighter: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-drift-'));
  reference = await writeFolder('reference', 1, 0);
  same = await writeFolder('same', 1001, 0);
  brighter = await writeFolder('brighter', 2001, 40);
  await mkdir(join(dir, 'empty', 'nested'), { recursive: true });
  await writeFile(join(dir, 'empty', 'notes.txt'), 'not an image');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('xaiqc drift', () => {
  it('same-distribution folders: no signal is drift; the JSON names every test and the embedding layer', async () => {
    const r = await run(['drift', '--model', MODEL, '--reference', reference, '--current', same, '--json']);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out.join('\n')) as { level: string; referenceCount: number; currentCount: number; signals: Row[]; embedding: { source: string; dim: number } };
    expect([report.referenceCount, report.currentCount]).toEqual([COUNT, COUNT]);
    expect(report.signals.map((s) => `${s.signal}/${s.test}`)).toEqual([
      'brightness/ks', 'contrast/ks', 'sharpness/ks', 'saturation/ks', 'width/ks', 'height/ks', 'defectScore/ks', 'predictedClass/chi-squared', 'embedding/domain-classifier',
    ]);
    expect(report.embedding.source).toBe('layer layer3.1.relu');
    expect(report.embedding.dim).toBeGreaterThan(2);
    expect(['none', 'possible']).toContain(report.level);
  });

  it('a brightened current folder: overall drift, brightness among the drift signals; the table ends with the overall level', async () => {
    const r = await run(['drift', '--model', MODEL, '--reference', reference, '--current', brighter, '--max-images', '30']);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('reference 30 images, current 30 images; embedding: layer layer3.1.relu (64 values)');
    expect(r.out[1]).toMatch(/^signal\s+test\s+statistic\s+p \(Holm\) \/ threshold\s+level$/);
    expect(r.out.find((l) => l.startsWith('brightness '))).toMatch(/\sks\s.*\sdrift$/);
    expect(r.out.find((l) => l.startsWith('contrast '))).toMatch(/\snone$/);
    expect(r.out.find((l) => l.startsWith('embedding '))).toMatch(/AUC > 0.55/);
    expect(r.out.at(-1)).toBe('overall: drift');
  });

  it('an empty folder (no image files at any depth): one coded line, exit 1', async () => {
    const r = await run(['drift', '--model', MODEL, '--reference', reference, '--current', join(dir, 'empty')]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^xaiqc drift: XQC_DATASET_INVALID: the current folder .*empty holds no image files/);
  });

  it('a missing folder: XQC_IO naming it, exit 1', async () => {
    const r = await run(['drift', '--model', MODEL, '--reference', join(dir, 'absent'), '--current', same]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^xaiqc drift: XQC_IO: cannot list the reference folder .*absent: ENOENT$/)]);
  });

  it('bad command lines exit 2: an unknown flag, a missing --current, a bad --max-images; help drift prints the usage', async () => {
    const unknown = await run(['drift', '--model', MODEL, '--reference', reference, '--current', same, '--window', '5']);
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^xaiqc drift: XQC_USAGE: .*--window/);
    expect((await run(['drift', '--model', MODEL, '--reference', reference])).err).toEqual(['xaiqc drift: XQC_USAGE: --current is required (see xaiqc drift --help)']);
    expect((await run(['drift', '--model', MODEL, '--reference', reference, '--current', same, '--max-images', '0'])).code).toBe(2);
    const help = await run(['help', 'drift']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: xaiqc drift --model/);
  });
});
