import { describe, expect, it } from 'vitest';
import { generateSample, SYNTHETIC_KINDS, SYNTHETIC_SPECS } from './generate-sample.ts';
import type { SyntheticKind, SyntheticSample } from './synthetic.types.ts';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Local contrast of the masked pixels: mean |v - m| over mask pixels minus the same over a
 * 3-px ring around the mask, where m is the ring's mean intensity. Positive when the masked
 * pixels stand out from their surroundings more than the texture varies.
 */
function localContrast(s: SyntheticSample): number {
  const { width, height } = s.mask;
  const c = s.image.channels;
  const value = (i: number): number => {
    let v = 0;
    for (let k = 0; k < c; k++) v += s.image.data[i * c + k];
    return v / c;
  };
  const inside: number[] = [];
  const ring: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (s.mask.data[i] > 0) {
        inside.push(value(i));
        continue;
      }
      let near = false;
      for (let dy = -3; dy <= 3 && !near; dy++) {
        for (let dx = -3; dx <= 3 && !near; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          near = yy >= 0 && yy < height && xx >= 0 && xx < width && s.mask.data[yy * width + xx] > 0;
        }
      }
      if (near) ring.push(value(i));
    }
  }
  const m = ring.reduce((a, b) => a + b, 0) / ring.length;
  const dev = (vs: number[]): number => vs.reduce((a, v) => a + Math.abs(v - m), 0) / vs.length;
  return dev(inside) - dev(ring);
}

describe.each(SYNTHETIC_KINDS)('%s generator', (kind: SyntheticKind) => {
  const spec = SYNTHETIC_SPECS[kind];

  it('is byte-identical for a seed and different across seeds', () => {
    const a = generateSample(kind, { seed: 11 });
    const b = generateSample(kind, { seed: 11 });
    const c = generateSample(kind, { seed: 12, label: a.label });
    expect(bytesEqual(a.image.data, b.image.data)).toBe(true);
    expect(bytesEqual(a.mask.data, b.mask.data)).toBe(true);
    expect(a.label).toBe(b.label);
    expect(bytesEqual(a.image.data, c.image.data)).toBe(false);
  });

  it('honours the size and the channel count', () => {
    const s = generateSample(kind, { seed: 3, width: 96, height: 64 });
    expect([s.image.width, s.image.height, s.image.channels]).toEqual([96, 64, spec.channels]);
    expect([s.mask.width, s.mask.height, s.mask.channels]).toEqual([96, 64, 1]);
  });

  it('has a non-empty mask exactly for defect labels, and masked pixels stand out locally', () => {
    const contrasts: number[] = [];
    for (let seed = 0; seed < 3 * spec.labels.length; seed++) {
      const requested = spec.labels[seed % spec.labels.length];
      const s = generateSample(kind, { seed: 500 + seed, label: requested });
      const n = s.mask.data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0);
      expect(spec.labels).toContain(s.label);
      if (requested === spec.goodLabel) {
        expect(n).toBe(0);
        expect(s.label).toBe(spec.goodLabel);
        expect(s.instances).toEqual([]);
        continue;
      }
      expect(n, `${kind} ${requested} seed ${500 + seed}`).toBeGreaterThan(0);
      expect(s.label).not.toBe(spec.goodLabel);
      contrasts.push(localContrast(s));
      const ids = new Set(s.mask.data);
      for (const id of ids) expect(id).toBeLessThan(spec.maskClasses.length);
      expect(ids.has(spec.maskClasses.indexOf(s.label))).toBe(true);
      for (const inst of s.instances) {
        expect(inst.box.x1).toBeGreaterThan(inst.box.x0);
        expect(inst.area).toBeGreaterThan(0);
      }
    }
    const mean = contrasts.reduce((a, b) => a + b, 0) / contrasts.length;
    expect(mean).toBeGreaterThan(5);
  });
});
