import { describe, expect, it } from 'vitest';
import { maskOutline } from './mask-polygon.ts';

function maskOf(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const height = rows.length;
  const width = rows[0].length;
  const mask = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * width + x] = c === '#' ? 1 : 0)));
  return { mask, width, height };
}

/** Shoelace area; positive for clockwise outlines in image coordinates (y down). */
function area(poly: number[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i += 2) {
    const j = (i + 2) % poly.length;
    s += poly[i] * poly[j + 1] - poly[j] * poly[i + 1];
  }
  return s / 2;
}

describe('maskOutline', () => {
  it('outlines a single pixel as its unit square', () => {
    const { mask, width, height } = maskOf(['...', '.#.', '...']);
    expect(maskOutline(mask, width, height)).toEqual([1, 1, 2, 1, 2, 2, 1, 2]);
  });

  it('keeps only the corners of a rectangle touching the image border', () => {
    const { mask, width, height } = maskOf(['###.', '###.']);
    expect(maskOutline(mask, width, height)).toEqual([0, 0, 3, 0, 3, 2, 0, 2]);
  });

  it('follows a concave L shape with an area equal to its pixel count', () => {
    const { mask, width, height } = maskOf(['#..', '#..', '###']);
    const poly = maskOutline(mask, width, height);
    expect(poly).toEqual([0, 0, 1, 0, 1, 2, 3, 2, 3, 3, 0, 3]);
    expect(area(poly)).toBe(5);
  });

  it('joins diagonal neighbours through their shared corner (8-connectivity)', () => {
    const { mask, width, height } = maskOf(['#.', '.#']);
    const poly = maskOutline(mask, width, height);
    expect(area(poly)).toBe(2);
    expect(poly.length / 2).toBeGreaterThanOrEqual(8);
  });

  it('traces the outer boundary only: a ring has the area of its outer square', () => {
    const { mask, width, height } = maskOf(['###', '#.#', '###']);
    expect(maskOutline(mask, width, height)).toEqual([0, 0, 3, 0, 3, 3, 0, 3]);
  });

  it('returns an empty list for an empty mask', () => {
    expect(maskOutline(new Uint8Array(4), 2, 2)).toEqual([]);
  });
});
