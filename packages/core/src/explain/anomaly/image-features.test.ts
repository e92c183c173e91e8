import { describe, expect, it } from 'vitest';
import { createImage } from '../../image/image.types.ts';
import type { ImageU8, ScalarMap } from '../../image/image.types.ts';
import { uniformRng } from '../../util/random.ts';
import { ANOMALY_FEATURE_NAMES, anomalyFeatures, anomalyFeatureTable } from './anomaly-features.ts';
import { edgeDensity, sobelMagnitude } from './edge-density.ts';
import { localContrast } from './local-contrast.ts';
import { defectArea, patchDistanceStats } from './map-features.ts';
import { textureRegularity } from './texture-regularity.ts';

function grayImage(w: number, h: number, f: (x: number, y: number) => number): ImageU8 {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.round(f(x, y));
  return createImage(w, h, 1, data);
}

const flat = (w: number, h: number, v = 128) => grayImage(w, h, () => v);
/** Squares of `block` pixels alternating 0 and 255. */
const checker = (w: number, h: number, block = 1) => grayImage(w, h, (x, y) => ((Math.floor(x / block) + Math.floor(y / block)) % 2) * 255);
const noise = (w: number, h: number, seed: number) => {
  const u = uniformRng(seed);
  return grayImage(w, h, () => 255 * u());
};

describe('edge density', () => {
  it('is zero on a flat image and one on stripes two pixels wide', () => {
    expect(edgeDensity(flat(20, 16))).toBe(0);
    expect(edgeDensity(grayImage(20, 16, (x) => (Math.floor(x / 2) % 2) * 255))).toBe(1);
    expect(edgeDensity(checker(20, 16, 2))).toBe(1);
  });

  it('measures a step edge in units of its contrast and counts the two columns beside it', () => {
    const step = grayImage(32, 32, (x) => (x < 16 ? 50 : 150));
    const m = sobelMagnitude(step);
    expect(m.width).toBe(30);
    // Interior column x - 1 is pixel column x; the step sits between pixel columns 15 and 16.
    expect(m.data[5 * 30 + 14]).toBeCloseTo(100 / 255, 6);
    expect(m.data[5 * 30 + 15]).toBeCloseTo(100 / 255, 6);
    expect(m.data[5 * 30 + 13]).toBe(0);
    expect(edgeDensity(step, { threshold: 0.3 })).toBeCloseTo(2 / 30, 15);
    expect(edgeDensity(step, { threshold: 0.5 })).toBe(0);
  });

  it('sees the same edges in an RGB image as in its gray version', () => {
    const gray = checker(12, 12, 3);
    const rgb = createImage(12, 12, 3, Uint8Array.from({ length: 12 * 12 * 3 }, (_, i) => gray.data[Math.floor(i / 3)]));
    expect(edgeDensity(rgb)).toBe(edgeDensity(gray));
  });

  it('rejects images without an interior and non-positive thresholds', () => {
    expect(() => edgeDensity(flat(2, 9))).toThrow(expect.objectContaining({ code: 'XQC_IMAGE_INVALID' }));
    expect(() => edgeDensity(flat(9, 9), { threshold: 0 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});

describe('texture regularity', () => {
  it('is one on a flat image and zero on a one-pixel checkerboard', () => {
    expect(textureRegularity(flat(64, 64))).toBe(1);
    expect(textureRegularity(flat(37, 23, 200))).toBe(1);
    expect(textureRegularity(checker(64, 64))).toBeLessThan(1e-20);
    expect(textureRegularity(checker(100, 72))).toBeLessThan(1e-20);
  });

  it('keeps slow waves low and moves them out with a smaller radius', () => {
    const wave = (period: number) => grayImage(128, 96, (x) => 127.5 + 100 * Math.cos((2 * Math.PI * x) / period));
    // Period 16 is 0.0625 cycles/pixel; only 8-bit rounding noise lies above the 0.125 radius.
    expect(textureRegularity(wave(16))).toBeGreaterThan(0.9999);
    // Period 8 is 0.125 cycles/pixel; the Hann window spreads it over 7/64..9/64, all above 0.05.
    expect(textureRegularity(wave(8), { radius: 0.05 })).toBeLessThan(1e-3);
  });

  it('gives white noise the area share of the low-frequency disc', () => {
    // pi r^2 of the unit frequency square: 0.0491 for r = 0.125.
    const share = textureRegularity(noise(128, 128, 3));
    expect(share).toBeGreaterThan(0.04);
    expect(share).toBeLessThan(0.06);
  });

  it('does not depend on orientation', () => {
    const vertical = grayImage(64, 64, (x) => 127 + 60 * Math.sin(x / 3));
    const horizontal = grayImage(64, 64, (_, y) => 127 + 60 * Math.sin(y / 3));
    expect(textureRegularity(horizontal)).toBeCloseTo(textureRegularity(vertical), 12);
  });

  it('rejects small images, radii out of range and tiles that are not powers of two', () => {
    expect(() => textureRegularity(flat(7, 30))).toThrow(expect.objectContaining({ code: 'XQC_IMAGE_INVALID' }));
    expect(() => textureRegularity(flat(16, 16), { radius: 0.9 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => textureRegularity(flat(16, 16), { tile: 24 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});

describe('local contrast', () => {
  it('is exactly zero on a flat image', () => {
    expect(localContrast(flat(20, 11, 77))).toBe(0);
  });

  it('is sqrt(600) / 49 on a one-pixel checkerboard (every 7x7 window holds 25 and 24 pixels of the two levels)', () => {
    expect(localContrast(checker(15, 12))).toBeCloseTo(Math.sqrt(600) / 49, 14);
  });

  it('equals a direct two-pass computation of the mean window deviation', () => {
    const img = noise(19, 13, 5);
    for (const k of [3, 7]) {
      let total = 0;
      let count = 0;
      for (let y = 0; y + k <= 13; y++) {
        for (let x = 0; x + k <= 19; x++) {
          const v: number[] = [];
          for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) v.push(img.data[(y + dy) * 19 + x + dx] / 255);
          const m = v.reduce((a, b) => a + b, 0) / v.length;
          total += Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
          count++;
        }
      }
      expect(localContrast(img, { window: k })).toBeCloseTo(total / count, 12);
    }
  });

  it('rejects even windows and images smaller than the window', () => {
    expect(() => localContrast(flat(10, 10), { window: 4 })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => localContrast(flat(10, 6))).toThrow(expect.objectContaining({ code: 'XQC_IMAGE_INVALID' }));
  });
});

describe('anomaly map features', () => {
  const map: ScalarMap = { width: 4, height: 2, data: Float32Array.from([0, 1, 2, 3, 0.5, 0.5, 4, 1]) };

  it('reports the mean and max patch distance', () => {
    expect(patchDistanceStats(map)).toEqual({ mean: 1.5, max: 4 });
  });

  it('counts pixels at or above the threshold as defect area', () => {
    expect(defectArea(map, 2)).toBe(3 / 8);
    expect(defectArea(map, 4.5)).toBe(0);
    expect(defectArea(map, -1)).toBe(1);
  });

  it('rejects non-finite values and maps of the wrong length', () => {
    expect(() => patchDistanceStats({ width: 2, height: 1, data: Float32Array.from([0, Number.NaN]) })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
    expect(() => defectArea({ width: 3, height: 1, data: new Float32Array(2) }, 0)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => defectArea(map, Number.NaN)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});

describe('anomalyFeatures', () => {
  it('returns every feature by name and as a vector in the declared order', () => {
    const img = checker(32, 32, 2);
    const m: ScalarMap = { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, i) => (i === 9 ? 5 : 1)) };
    const f = anomalyFeatures(img, m, 2);
    expect(Object.keys(f.values)).toEqual([...ANOMALY_FEATURE_NAMES]);
    expect(Array.from(f.vector)).toEqual(ANOMALY_FEATURE_NAMES.map((n) => f.values[n]));
    expect(f.values.maxPatchDistance).toBe(5);
    expect(f.values.meanPatchDistance).toBeCloseTo(68 / 64, 12);
    expect(f.values.defectArea).toBe(1 / 64);
    expect(f.values.edgeDensity).toBe(1);
    expect(f.values.textureRegularity).toBe(textureRegularity(img));
    expect(f.values.localContrast).toBe(localContrast(img));
  });

  it('builds the feature table of several inspections and rejects non-finite scores', () => {
    const m: ScalarMap = { width: 2, height: 2, data: new Float32Array(4) };
    const t = anomalyFeatureTable([{ image: flat(16, 16), anomalyMap: m, score: 0.5 }, { image: checker(16, 16), anomalyMap: m, score: 1 }], 1);
    expect(t.rows.length).toBe(2 * ANOMALY_FEATURE_NAMES.length);
    expect(Array.from(t.scores)).toEqual([0.5, 1]);
    expect(() => anomalyFeatureTable([{ image: flat(16, 16), anomalyMap: m, score: Number.NaN }], 1)).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });
});
