import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeImageWithFormat } from '../../image/image-decode.ts';
import { encodePng } from '../../image/image-encode.ts';
import { resizeBilinear } from '../../image/image-resize.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { createImage } from '../../image/image.types.ts';
import type { Split } from '../split.ts';
import { stratifiedSplit } from '../split.ts';
import { datasetImageSignals } from './image-signals.ts';
import { groupByHammingDistance } from './near-duplicates.ts';
import { dHash, hammingDistance, pHash } from './perceptual-hash.ts';
import { datasetQualityReport } from './quality-report.ts';
import type { QualityItem } from './quality.types.ts';
import { robustZScores } from './robust-outliers.ts';

function rng(seed: number): () => number {
  let s = (seed * 7919 + 17) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A 64x64 RGB scene: a gradient, four rectangles and a disc placed by `seed`, plus +-2 noise. */
function scene(seed: number, size = 64): ImageU8 {
  const r = rng(seed);
  const img = createImage(size, size, 3);
  const gx = r() * 2 - 1;
  const gy = r() * 2 - 1;
  const plane = new Float64Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) plane[y * size + x] = 110 + 40 * (gx * x + gy * y) / size;
  for (let k = 0; k < 4; k++) {
    const x0 = Math.floor(r() * size * 0.7);
    const y0 = Math.floor(r() * size * 0.7);
    const w = 6 + Math.floor(r() * size * 0.4);
    const h = 6 + Math.floor(r() * size * 0.4);
    const v = 40 + r() * 180;
    for (let y = y0; y < Math.min(size, y0 + h); y++) for (let x = x0; x < Math.min(size, x0 + w); x++) plane[y * size + x] = v;
  }
  const cx = r() * size;
  const cy = r() * size;
  const rad = 5 + r() * 10;
  const dv = 40 + r() * 180;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < rad * rad) plane[y * size + x] = dv;
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) img.data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(plane[i] + (c - 1) * 3 + (r() * 4 - 2))));
  return img;
}

function mapPixels(img: ImageU8, f: (v: number, i: number) => number): ImageU8 {
  return createImage(img.width, img.height, img.channels, img.data.map((v, i) => Math.max(0, Math.min(255, Math.round(f(v, i))))));
}

function boxBlur(img: ImageU8, radius: number, passes: number): ImageU8 {
  let cur = img;
  for (let p = 0; p < passes; p++) {
    const out = createImage(cur.width, cur.height, cur.channels);
    for (let y = 0; y < cur.height; y++) {
      for (let x = 0; x < cur.width; x++) {
        for (let c = 0; c < cur.channels; c++) {
          let s = 0;
          let n = 0;
          for (let dy = -radius; dy <= radius; dy++) {
            for (let dx = -radius; dx <= radius; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy < 0 || xx < 0 || yy >= cur.height || xx >= cur.width) continue;
              s += cur.data[(yy * cur.width + xx) * cur.channels + c];
              n++;
            }
          }
          out.data[(y * cur.width + x) * cur.channels + c] = Math.round(s / n);
        }
      }
    }
    cur = out;
  }
  return cur;
}

/** What a reader hands the report: the PNG's SHA-256, decoded again, measured. */
async function itemOf(path: string, label: string, image: ImageU8, split?: Split): Promise<QualityItem> {
  const bytes = await encodePng(image);
  const decoded = await decodeImageWithFormat(bytes);
  return { path, label, sha256: createHash('sha256').update(bytes).digest('hex'), format: decoded.format, signals: datasetImageSignals(decoded.image, decoded.original), split };
}

async function baseSet(perClass: number): Promise<QualityItem[]> {
  const items: QualityItem[] = [];
  for (let i = 0; i < perClass; i++) {
    items.push(await itemOf(`good/g${i}.png`, 'good', scene(i)));
    items.push(await itemOf(`scratch/s${i}.png`, 'scratch', scene(1000 + i)));
  }
  return items;
}

describe('perceptual hashes', () => {
  it('keep a noisy and a resized copy close, and unrelated scenes far apart', () => {
    const a = scene(1);
    const noisy = mapPixels(a, (v, i) => v + ((i * 2654435761) % 9) - 4);
    const resized = resizeBilinear(a, 48, 48);
    for (const h of [pHash, dHash]) {
      expect(h(a)).toMatch(/^[0-9a-f]{16}$/);
      expect(hammingDistance(h(a), h(a))).toBe(0);
      expect(hammingDistance(h(a), h(noisy))).toBeLessThanOrEqual(6);
      expect(hammingDistance(h(a), h(resized))).toBeLessThanOrEqual(6);
      for (let s = 2; s < 8; s++) expect(hammingDistance(h(a), h(scene(s)))).toBeGreaterThan(10);
    }
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
  });

  it('groups hashes within the distance by multi-index search, as a brute-force scan does', () => {
    const r = rng(5);
    const hex = (): string => Array.from({ length: 16 }, () => Math.floor(r() * 16).toString(16)).join('');
    const flip = (h: string, bits: number): string => {
      let v = BigInt(`0x${h}`);
      for (let b = 0; b < bits; b++) v ^= 1n << BigInt(Math.floor(r() * 64));
      return v.toString(16).padStart(16, '0');
    };
    const hashes: string[] = [];
    for (let i = 0; i < 300; i++) hashes.push(i % 10 === 0 ? hex() : flip(hashes[i - (i % 10)], 1 + (i % 7)));
    for (const d of [0, 3, 6, 10]) {
      const pairs = new Set<string>();
      for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) if (hammingDistance(hashes[i], hashes[j]) <= d) pairs.add(`${i}-${j}`);
      const grouped = groupByHammingDistance(hashes, d);
      const groupOf = new Map<number, number>();
      grouped.forEach((g, k) => g.members.forEach((m) => groupOf.set(m.index, k)));
      for (const p of pairs) {
        const [i, j] = p.split('-').map(Number);
        expect(groupOf.get(i)).toBeDefined();
        expect(groupOf.get(i)).toBe(groupOf.get(j));
      }
      const inPairs = new Set([...pairs].flatMap((p) => p.split('-').map(Number)));
      expect(new Set(groupOf.keys())).toEqual(inPairs);
    }
  });
});

describe('datasetImageSignals', () => {
  it('measures mean gray and the variance of the Laplacian on known images, and hashes gradients to known bits', () => {
    const flat = datasetImageSignals(createImage(8, 8, 1, new Uint8Array(64).fill(90)));
    expect(flat).toMatchObject({ width: 8, height: 8, meanGray: 90, laplacianVariance: 0, pHash: '0000000000000000', dHash: '0000000000000000' });
    // Checkerboard 0/255: every interior Laplacian is +-1020, half each, so the variance is 1020^2.
    const board = createImage(4, 4, 1, Uint8Array.from({ length: 16 }, (_, i) => (((i >> 2) + (i & 3)) % 2 === 0 ? 255 : 0)));
    const b = datasetImageSignals(board);
    expect(b.meanGray).toBe(127.5);
    expect(b.laplacianVariance).toBeCloseTo(1020 ** 2, 6);
    const rising = createImage(90, 80, 1, Uint8Array.from({ length: 90 * 80 }, (_, i) => (i % 90) * 2));
    expect(dHash(rising)).toBe('ffffffffffffffff');
    expect(dHash(mapPixels(rising, (v) => 255 - v))).toBe('0000000000000000');
    expect(datasetImageSignals(rising, { width: 900, height: 800 })).toMatchObject({ width: 900, height: 800 });
  });
});

describe('robust z-scores', () => {
  it('use the MAD, fall back to the mean absolute deviation, and give 0 without spread', () => {
    const { median, z } = robustZScores([1, 2, 3, 4, 100]);
    expect(median).toBe(3);
    expect(z[4]).toBeCloseTo((0.6745 * 97) / 1, 10);
    const sizes = robustZScores([256, 256, 256, 256, 256, 400]);
    expect(sizes.z[5]).toBeCloseTo(144 / (1.253314 * 24), 10);
    expect(robustZScores([7, 7, 7]).z).toEqual([0, 0, 0]);
  });
});

describe('datasetQualityReport', () => {
  it('finds an exact copy, a noisy and a resized near copy, but not a different image', async () => {
    const items = await baseSet(8);
    const g1 = scene(1);
    items.push(await itemOf('good/copy-of-g0.png', 'good', scene(0)));
    items.push(await itemOf('good/noisy-g1.png', 'good', mapPixels(g1, (v, i) => v + ((i * 2654435761) % 7) - 3)));
    items.push(await itemOf('good/small-g2.png', 'good', resizeBilinear(scene(2), 40, 40)));
    items.push(await itemOf('good/other.png', 'good', scene(555)));
    const report = datasetQualityReport(items);
    expect(report.images).toBe(20);
    expect(report.exactDuplicates.map((g) => g.members.map((m) => m.path))).toEqual([['good/copy-of-g0.png', 'good/g0.png']]);
    expect(report.exactDuplicates[0].labels).toEqual(['good']);
    const near = report.nearDuplicates.map((g) => g.members.map((m) => m.path).sort());
    expect(near).toContainEqual(['good/g1.png', 'good/noisy-g1.png']);
    expect(near).toContainEqual(['good/g2.png', 'good/small-g2.png']);
    expect(near.flat()).not.toContain('good/other.png');
    // Byte-identical copies are exact duplicates, not near ones.
    expect(near).not.toContainEqual(['good/copy-of-g0.png', 'good/g0.png']);
    expect(report.sizes.distinct).toEqual([{ width: 64, height: 64, count: 19 }, { width: 40, height: 40, count: 1 }]);
    expect(report.formats).toEqual({ png: 20 });
    expect(report.countsPerClass).toEqual({ good: 12, scratch: 8 });
    expect(report.summary.checks.exactDuplicates).toEqual({ level: 'warning', count: 1 });
    expect(report.summary.checks.nearDuplicates.level).toBe('warning');
  });

  it('reports a copy in another split as leakage, with the split drawn by the core for a seed or given by the dataset', async () => {
    const items = await baseSet(8);
    items.push(await itemOf('scratch/copy-of-g3.png', 'scratch', scene(3)));
    const seed = 4;
    const drawn = stratifiedSplit(items.map((it) => ({ key: it.path, label: it.label })), seed);
    const report = datasetQualityReport(items, { seed });
    expect(report.split).toEqual({ source: 'drawn', seed, ratios: { train: 0.7, val: 0.15, test: 0.15 } });
    const group = report.exactDuplicates.find((g) => g.members.some((m) => m.path === 'good/g3.png'));
    expect(group?.labels).toEqual(['good', 'scratch']);
    // Copies carrying different labels are an error whatever their splits.
    expect(report.summary.checks.exactDuplicates.level).toBe('error');
    const crossSplit = drawn.get('good/g3.png') !== drawn.get('scratch/copy-of-g3.png');
    expect(report.leakage.some((l) => l.kind === 'exact')).toBe(crossSplit);
    for (const [path, split] of drawn) expect(report.exactDuplicates.flatMap((g) => g.members).filter((m) => m.path === path).every((m) => m.split === split)).toBe(true);

    const own = items.map((it) => ({ ...it, split: (it.path === 'scratch/copy-of-g3.png' ? 'test' : 'train') as Split }));
    const given = datasetQualityReport(own);
    expect(given.split.source).toBe('dataset');
    expect(given.countsPerSplit).toEqual({ train: 16, val: 0, test: 1 });
    expect(given.leakage).toEqual([{ kind: 'exact', splits: ['train', 'test'], members: [{ path: 'good/g3.png', label: 'good', split: 'train' }, { path: 'scratch/copy-of-g3.png', label: 'scratch', split: 'test' }] }]);
    expect(given.summary.checks.leakage).toEqual({ level: 'error', count: 1 });
    expect(given.summary.level).toBe('error');
    const noisy = own.slice(0, 16);
    noisy.push({ ...(await itemOf('good/noisy-g5.png', 'good', mapPixels(scene(5), (v, i) => v + (i % 5) - 2))), split: 'val' });
    const nearLeak = datasetQualityReport(noisy).leakage;
    expect(nearLeak).toHaveLength(1);
    expect(nearLeak[0]).toMatchObject({ kind: 'near', splits: ['train', 'val'] });
    expect(nearLeak[0].members.map((m) => m.path)).toEqual(['good/g5.png', 'good/noisy-g5.png']);
  });

  it('marks a blurred and a very dark image as outliers of their class, and nothing in a clean set', async () => {
    const clean = await baseSet(10);
    const cleanReport = datasetQualityReport(clean);
    expect(cleanReport.outliers).toEqual([]);
    expect(cleanReport.summary.level).toBe('ok');
    const items = [...clean];
    items.push(await itemOf('good/blurred.png', 'good', boxBlur(scene(700), 2, 3)));
    items.push(await itemOf('good/dark.png', 'good', mapPixels(scene(701), (v) => v * 0.08)));
    const report = datasetQualityReport(items);
    const blurred = report.outliers.filter((o) => o.path === 'good/blurred.png');
    expect(blurred.map((o) => [o.metric, o.direction])).toEqual([['blur', 'low']]);
    expect(blurred[0].z).toBeLessThan(-3.5);
    const dark = report.outliers.find((o) => o.path === 'good/dark.png' && o.metric === 'brightness');
    expect(dark).toMatchObject({ label: 'good', direction: 'low' });
    expect(dark?.value).toBeLessThan(20);
    expect(report.outliers.every((o) => o.path === 'good/blurred.png' || o.path === 'good/dark.png')).toBe(true);
    expect(report.summary.checks.outliers.level).toBe('warning');
  });

  it('warns on an imbalanced set, a small class, and errs on an empty one; passes corrupt files through', async () => {
    const items = await baseSet(12);
    items.push(await itemOf('rare/r0.png', 'rare', scene(900)));
    const report = datasetQualityReport(items, { classes: ['good', 'rare', 'scratch'], corrupt: [{ path: 'good/broken.png', reason: 'truncated' }] });
    expect(report.balance).toEqual([expect.objectContaining({ rule: 'ratio', label: 'rare', count: 1 })]);
    expect(report.summary.checks.balance).toEqual({ level: 'warning', count: 1 });
    expect(report.corrupt).toEqual([{ path: 'good/broken.png', reason: 'truncated' }]);
    expect(report.summary.checks.corrupt.level).toBe('warning');
    const small = datasetQualityReport((await baseSet(6)));
    expect(small.balance.map((b) => [b.rule, b.label])).toEqual([['minimum', 'good'], ['minimum', 'scratch']]);
    const empty = datasetQualityReport(await baseSet(12), { classes: ['good', 'scratch', 'void'] });
    expect(empty.balance).toEqual([expect.objectContaining({ rule: 'empty', label: 'void', count: 0 })]);
    expect(empty.summary.checks.balance.level).toBe('error');
    expect(empty.countsPerClassAndSplit.void).toEqual({ train: 0, val: 0, test: 0 });
  });
});
