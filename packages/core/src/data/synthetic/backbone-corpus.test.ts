import { describe, expect, it } from 'vitest';
import { isXqcError } from '../../errors.ts';
import type { BackboneFamily } from './backbone-corpus.ts';
import { BACKBONE_FAMILIES, backboneLabel, backboneLabels, backboneSample } from './backbone-corpus.ts';

/** Luma of pixel i of an RGB image, 0..1. */
function luma(data: Uint8Array, i: number): number {
  return (0.299 * data[i * 3] + 0.587 * data[i * 3 + 1] + 0.114 * data[i * 3 + 2]) / 255;
}

/**
 * Texture statistics of a good sample without photometric variation: mean luma, luma
 * standard deviation, mean absolute difference between neighbours (fine detail), the same
 * at a distance of 4 pixels (coarser structure) over the fine one, and mean chroma.
 */
function stats(family: BackboneFamily, index: number): number[] {
  const s = backboneSample(3, index, { size: 64, families: [family], defectRate: 0, grayRate: 0, photometric: false });
  const { width, height, data } = s.image;
  let sum = 0;
  let sq = 0;
  let fine = 0;
  let coarse = 0;
  let chroma = 0;
  let n = 0;
  for (let y = 0; y < height - 4; y++) {
    for (let x = 0; x < width - 4; x++) {
      const i = y * width + x;
      const v = luma(data, i);
      sum += v;
      sq += v * v;
      fine += (Math.abs(v - luma(data, i + 1)) + Math.abs(v - luma(data, i + width))) / 2;
      coarse += (Math.abs(v - luma(data, i + 4)) + Math.abs(v - luma(data, i + 4 * width))) / 2;
      chroma += Math.max(data[i * 3], data[i * 3 + 1], data[i * 3 + 2]) / 255 - Math.min(data[i * 3], data[i * 3 + 1], data[i * 3 + 2]) / 255;
      n++;
    }
  }
  const mean = sum / n;
  return [mean, Math.sqrt(Math.max(0, sq / n - mean * mean)), fine / n, coarse / Math.max(fine, 1e-6), chroma / n];
}

describe('backboneSample', () => {
  it('is a pure function of seed and index', () => {
    for (const i of [0, 5, 17]) {
      const a = backboneSample(42, i, { size: 48 });
      const b = backboneSample(42, i, { size: 48 });
      expect(b.label).toBe(a.label);
      expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
      expect(Buffer.from(b.mask).equals(Buffer.from(a.mask))).toBe(true);
    }
    const other = backboneSample(43, 0, { size: 48 });
    expect(Buffer.from(other.image.data).equals(Buffer.from(backboneSample(42, 0, { size: 48 }).image.data))).toBe(false);
  });

  it('labels defects consistently with their masks and draws every family', () => {
    const seen = new Set<string>();
    let defects = 0;
    for (let i = 0; i < 60; i++) {
      const s = backboneSample(1, i, { size: 48 });
      seen.add(s.family);
      expect(s.image.width).toBe(48);
      expect(s.image.channels).toBe(3);
      expect(s.label).toBe(backboneLabel(s.family, s.defect));
      const area = s.mask.reduce((a, v) => a + v, 0);
      if (s.defect) {
        defects++;
        expect(area).toBeGreaterThan(0);
        expect(s.kinds.length).toBeGreaterThan(0);
      } else {
        expect(area).toBe(0);
      }
      if (s.gray) for (let p = 0; p < 48 * 48; p++) expect(s.image.data[p * 3]).toBe(s.image.data[p * 3 + 2]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
    expect(defects).toBeGreaterThan(10);
    expect(defects).toBeLessThan(50);
  });

  it('gives distinct families distinct texture statistics', () => {
    const per = BACKBONE_FAMILIES.map((f) => {
      const rows = [0, 1, 2, 3].map((i) => stats(f, i));
      return rows[0].map((_, k) => rows.reduce((a, r) => a + r[k], 0) / rows.length);
    });
    // Scale each statistic by its spread across families, then require every pair apart.
    const spread = per[0].map((_, k) => {
      const col = per.map((r) => r[k]);
      const m = col.reduce((a, v) => a + v, 0) / col.length;
      return Math.sqrt(col.reduce((a, v) => a + (v - m) ** 2, 0) / col.length) || 1;
    });
    for (let a = 0; a < per.length; a++) {
      for (let b = a + 1; b < per.length; b++) {
        const d = Math.sqrt(per[a].reduce((acc, v, k) => acc + ((v - per[b][k]) / spread[k]) ** 2, 0));
        expect(d, `${BACKBONE_FAMILIES[a]} vs ${BACKBONE_FAMILIES[b]}`).toBeGreaterThan(0.25);
      }
    }
  });

  it('lists two labels per family', () => {
    expect(backboneLabels()).toHaveLength(2 * BACKBONE_FAMILIES.length);
    expect(backboneLabels(['wood'])).toEqual(['wood-good', 'wood-defect']);
  });

  it('rejects bad options with XQC_INVALID_ARGUMENT', () => {
    for (const o of [{ size: 16 }, { defectRate: 2 }, { families: [] }, { families: ['glass' as BackboneFamily] }]) {
      let err: unknown;
      try {
        backboneSample(1, 0, o);
      } catch (e) {
        err = e;
      }
      expect(isXqcError(err) && err.code).toBe('XQC_INVALID_ARGUMENT');
    }
  });
});
