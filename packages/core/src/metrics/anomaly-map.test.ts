import { describe, expect, it } from 'vitest';
import { expectClose, metricsGoldens } from '../../test/goldens/metrics-goldens.ts';
import { auPro, pixelAuroc, proCurve, trapezoidUpTo, type PixelMap } from './anomaly-map.ts';
import { connectedComponents } from './connected-components.ts';

interface ProCase {
  name: string;
  maps: PixelMap[];
  masks: PixelMap[];
  auPro: number;
  auPro05: number;
  pixelAuroc: number;
  curve?: { fpr: number[]; pro: number[] };
}

const cases = metricsGoldens().pro as ProCase[];

describe('PRO and pixel AUROC against the MVTec AD definition and scikit-learn', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectClose(auPro(c.maps, c.masks), c.auPro, `${c.name} au-pro@0.3`);
    expectClose(auPro(c.maps, c.masks, { maxFpr: 0.05 }), c.auPro05, `${c.name} au-pro@0.05`);
    expectClose(pixelAuroc(c.maps, c.masks), c.pixelAuroc, `${c.name} pixel auroc`);
    if (c.curve) {
      const curve = proCurve(c.maps, c.masks);
      expectClose(curve.fpr, c.curve.fpr, `${c.name} fpr`);
      expectClose(curve.pro, c.curve.pro, `${c.name} pro`);
    }
  });
});

describe('PRO by hand', () => {
  // One 4x4 image with two regions: a 2-pixel and a 1-pixel defect; 13 good pixels.
  const mask: PixelMap = { width: 4, height: 4, data: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0] };

  it('weights regions equally whatever their size', () => {
    // Only the first pixel of the big region scores above every good pixel.
    const scores = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0.1 * (i % 5)));
    const curve = proCurve([{ width: 4, height: 4, data: scores }], [mask]);
    // At the highest threshold: half of region 1 covered, region 2 not -> PRO 0.25, FPR 0.
    expect(curve.fpr[1]).toBe(0);
    expect(curve.pro[1]).toBe(0.25);
  });

  it('is 1 for a map that scores every defect pixel above every good pixel', () => {
    const scores = Array.from(mask.data, (m) => m);
    expect(auPro([{ width: 4, height: 4, data: scores }], [mask])).toBe(1);
  });

  it('throws without a defect region or without a good pixel', () => {
    const flat: PixelMap = { width: 2, height: 1, data: [0.2, 0.4] };
    expect(() => auPro([flat], [{ width: 2, height: 1, data: [0, 0] }])).toThrow(/no defect region/);
    expect(() => auPro([flat], [{ width: 2, height: 1, data: [1, 1] }])).toThrow(/no defect-free/);
  });

  it('rejects size mismatches and NaN scores', () => {
    expect(() => auPro([{ width: 2, height: 2, data: [0, 0, 0, 0] }], [mask])).toThrow(/2x2/);
    expect(() => pixelAuroc([{ width: 1, height: 2, data: [0, Number.NaN] }], [{ width: 1, height: 2, data: [0, 1] }])).toThrow(
      /NaN/,
    );
  });
});

describe('connectedComponents', () => {
  it('joins diagonal neighbours (8-connectivity) and sizes regions', () => {
    // prettier-ignore
    const mask = [
      1, 0, 0, 0,
      0, 1, 0, 0,
      0, 0, 0, 1,
      1, 0, 1, 0,
    ];
    const c = connectedComponents(mask, 4, 4);
    expect(c.count).toBe(3);
    expect(Array.from(c.sizes)).toEqual([11, 2, 2, 1]);
    expect(Array.from(c.labels)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 3, 0, 2, 0]);
  });
});

describe('trapezoidUpTo', () => {
  it('cuts the crossing segment by linear interpolation', () => {
    const x = Float64Array.of(0, 0.2, 0.4, 1);
    const y = Float64Array.of(0, 1, 1, 1);
    expect(trapezoidUpTo(x, y, 0.3)).toBeCloseTo(0.1 + 0.1, 15);
    expect(trapezoidUpTo(x, y, 0.2)).toBeCloseTo(0.1, 15);
    expect(trapezoidUpTo(x, y, 1)).toBeCloseTo(0.1 + 0.8, 15);
  });
});
