import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png16 } from '../../image/png16.test-helper.ts';
import type { InputSpec } from '../card.ts';
import { loadAnomalyFolder } from './anomaly-data.ts';

const W = 96;
const H = 40;
let dir: string;

/** 12-bit gray: a ramp 0..4000 along x plus a per-image offset. */
const ramp = (offset: number): number[] => Array.from({ length: W * H }, (_, i) => Math.min(4095, Math.round(((i % W) * 4000) / (W - 1)) + offset));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-depth-'));
  await mkdir(join(dir, 'gray12', 'good'), { recursive: true });
  for (let i = 0; i < 6; i++) await writeFile(join(dir, 'gray12', 'good', `g${i}.png`), png16(W, H, 1, ramp(i)));
  await mkdir(join(dir, 'mixed', 'good'), { recursive: true });
  for (let i = 0; i < 6; i++) await writeFile(join(dir, 'mixed', 'good', `g${i}.png`), png16(W, H, 1, i === 0 ? ramp(0).map((v) => v >> 4) : ramp(i)));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GRAY_TILE: InputSpec = { height: 32, width: 32, resize: 'tile', layout: 'NCHW', color: 'gray', mean: [0.5], std: [0.25] };

describe('anomaly folders of 16-bit gray images', () => {
  it('keeps gray as one channel at its own size with the 12-bit contrast, and records the depth', async () => {
    const d = await loadAnomalyFolder(join(dir, 'gray12'), { input: GRAY_TILE, ratios: { train: 1, val: 0, test: 0 } });
    expect(d.depths).toEqual(['16-bit/12']);
    const img = d.splits.train[0].image;
    expect([img.width, img.height, img.channels]).toEqual([W, H, 1]);
    // A blind >> 8 would leave 0..15; the ramp spans nearly the whole 8-bit range.
    expect(img.data[W - 1] - img.data[0]).toBeGreaterThan(240);
    expect(d.resolution.maxDownscale).toBe(1);
  });

  it('records mixed depths, so that a run can warn that brightness is not comparable', async () => {
    const d = await loadAnomalyFolder(join(dir, 'mixed'), { input: GRAY_TILE, ratios: { train: 1, val: 0, test: 0 } });
    // The first image's largest sample is 250: read as 10-bit, the others as 12-bit.
    expect(d.depths).toEqual(['16-bit/10', '16-bit/12']);
  });
});
