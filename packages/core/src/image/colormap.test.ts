import { describe, expect, it } from 'vitest';
import { applyColormap, colormapColor, colormapLut } from './colormap.ts';

/** matplotlib 3.x `colormaps[name](t)` scaled to 0..255 at t = 0, 0.25, 0.5, 0.75, 1. */
const REFERENCE = {
  jet: [[0, 0, 128], [0, 128, 255], [125, 255, 122], [255, 148, 0], [128, 0, 0]],
  viridis: [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]],
  inferno: [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]],
  turbo: [[48, 18, 59], [40, 188, 235], [164, 252, 60], [251, 126, 33], [122, 4, 3]],
} as const;

/** Largest channel error allowed: jet is exact up to anchor rounding; the polynomial fits are not, turbo's least (its published fit is off by up to 32 at the ends). */
const TOLERANCE = { jet: 4, viridis: 6, inferno: 8, turbo: 34 } as const;

describe('colormaps', () => {
  it('jet endpoints are exact', () => {
    expect(colormapColor('jet', 0)).toEqual([0, 0, 128]);
    expect(colormapColor('jet', 1)).toEqual([128, 0, 0]);
  });

  it('match the matplotlib references within each definition error', () => {
    for (const name of ['jet', 'viridis', 'inferno', 'turbo'] as const) {
      REFERENCE[name].forEach((ref, k) => {
        const got = colormapColor(name, k / 4);
        for (let c = 0; c < 3; c++) expect(Math.abs(got[c] - ref[c]), `${name}(${k / 4})[${c}]`).toBeLessThanOrEqual(TOLERANCE[name]);
      });
    }
  });

  it('viridis and inferno rise monotonically in lightness', () => {
    for (const name of ['viridis', 'inferno'] as const) {
      const lut = colormapLut(name);
      const luma = (i: number): number => 0.299 * lut[i * 3] + 0.587 * lut[i * 3 + 1] + 0.114 * lut[i * 3 + 2];
      for (let i = 8; i < 256; i += 8) expect(luma(i)).toBeGreaterThan(luma(i - 8));
    }
  });

  it('applyColormap maps min to entry 0 and max to entry 255; a flat map to entry 0', () => {
    const out = applyColormap({ width: 3, height: 1, data: new Float32Array([2, 3, 4]) }, { colormap: 'viridis' });
    const lut = colormapLut('viridis');
    expect(Array.from(out.data.subarray(0, 3))).toEqual(Array.from(lut.subarray(0, 3)));
    expect(Array.from(out.data.subarray(6, 9))).toEqual(Array.from(lut.subarray(765, 768)));
    const flat = applyColormap({ width: 2, height: 1, data: new Float32Array([5, 5]) }, { colormap: 'jet' });
    expect(Array.from(flat.data.subarray(0, 3))).toEqual([0, 0, 128]);
  });
});
