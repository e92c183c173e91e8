import { describe, expect, it } from 'vitest';
import { energyInMask, pointingGame } from './localisation.ts';

const mask = { width: 5, height: 4, data: Uint8Array.from({ length: 20 }, (_, i) => (i % 5 >= 3 && Math.floor(i / 5) >= 2 ? 1 : 0)) };

describe('pointing game', () => {
  it('hits when the maximum is in the mask', () => {
    const data = new Float32Array(20);
    data[2 * 5 + 4] = 1;
    const r = pointingGame({ width: 5, height: 4, data }, mask);
    expect(r).toEqual({ hit: true, x: 4, y: 2, distance: 0 });
  });

  it('misses outside the mask unless within the tolerance radius', () => {
    const data = new Float32Array(20);
    data[1 * 5 + 1] = 1; // (1, 1): nearest mask pixel (3, 2) is sqrt(5) away
    const map = { width: 5, height: 4, data };
    expect(pointingGame(map, mask).hit).toBe(false);
    expect(pointingGame(map, mask).distance).toBeCloseTo(Math.sqrt(5), 14);
    expect(pointingGame(map, mask, 2).hit).toBe(false);
    expect(pointingGame(map, mask, 2.3).hit).toBe(true);
  });
});

describe('energy in mask', () => {
  it('is the share of positive mass inside the mask', () => {
    const data = Float32Array.from({ length: 20 }, (_, i) => (mask.data[i] ? 3 : i === 0 ? 4 : i === 1 ? -10 : 0));
    // inside 4 pixels * 3 = 12; outside positive 4; the negative pixel counts for nothing.
    expect(energyInMask({ width: 5, height: 4, data }, mask)).toBeCloseTo(12 / 16, 14);
    expect(energyInMask({ width: 5, height: 4, data: new Float32Array(20) }, mask)).toBe(0);
  });

  it('rejects a mask of another size', () => {
    expect(() => energyInMask({ width: 4, height: 5, data: new Float32Array(20) }, mask)).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
  });
});
