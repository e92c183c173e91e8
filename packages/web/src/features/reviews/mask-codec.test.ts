import { describe, expect, it } from 'vitest';
import { decodeRle, emptyMask, encodeRle, maskArea, orRle, sameMask } from './mask-codec.ts';

function randomMask(width: number, height: number, seed: number, density: number) {
  const m = emptyMask(width, height);
  let s = seed;
  for (let k = 0; k < m.data.length; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    m.data[k] = s / 0x7fffffff < density ? 1 : 0;
  }
  return m;
}

describe('COCO uncompressed RLE', () => {
  it('encodes column-major runs that start with zeros', () => {
    // 3 wide, 2 high; row-major:
    // 0 1 1
    // 1 1 0
    const m = { width: 3, height: 2, data: Uint8Array.from([0, 1, 1, 1, 1, 0]) };
    // column-major order: (0,0)=0 (0,1)=1 | (1,0)=1 (1,1)=1 | (2,0)=1 (2,1)=0
    expect(encodeRle(m)).toEqual({ size: [2, 3], counts: [1, 4, 1] });
  });

  it('starts with an empty zero run when the first pixel is on', () => {
    const m = { width: 2, height: 1, data: Uint8Array.from([1, 0]) };
    expect(encodeRle(m)).toEqual({ size: [1, 2], counts: [0, 1, 1] });
    expect(decodeRle({ size: [1, 2], counts: [0, 1, 1] }).data).toEqual(Uint8Array.from([1, 0]));
  });

  it('encodes an empty and a full mask as one and two runs', () => {
    expect(encodeRle(emptyMask(4, 3)).counts).toEqual([12]);
    const full = emptyMask(4, 3);
    full.data.fill(1);
    expect(encodeRle(full).counts).toEqual([0, 12]);
  });

  it('round-trips random masks of odd sizes exactly', () => {
    for (const [w, h, d] of [[1, 1, 0.5], [7, 5, 0.1], [64, 48, 0.5], [33, 97, 0.9], [200, 3, 0.02]] as const) {
      const m = randomMask(w, h, w * 31 + h, d);
      const back = decodeRle(encodeRle(m));
      expect(back.width).toBe(w);
      expect(back.height).toBe(h);
      expect(sameMask(back, m)).toBe(true);
      expect(maskArea(back)).toBe(maskArea(m));
    }
  });

  it('treats any nonzero byte as on', () => {
    const m = { width: 2, height: 2, data: Uint8Array.from([0, 255, 7, 0]) };
    expect(decodeRle(encodeRle(m)).data).toEqual(Uint8Array.from([0, 1, 1, 0]));
  });

  it('refuses runs that do not cover the image', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 2] })).toThrow(RangeError);
    expect(() => decodeRle({ size: [2, 2], counts: [3, 3] })).toThrow(RangeError);
    expect(() => decodeRle({ size: [2, 2], counts: [-1, 5] })).toThrow(RangeError);
  });

  it('unions findings into one mask and refuses a mask of another size', () => {
    const target = emptyMask(3, 2);
    orRle(target, { size: [2, 3], counts: [1, 1, 4] }); // (0,1)
    orRle(target, { size: [2, 3], counts: [5, 1] }); // (2,1)
    expect(Array.from(target.data)).toEqual([0, 0, 0, 1, 0, 1]);
    expect(() => orRle(target, { size: [3, 2], counts: [6] })).toThrow(RangeError);
  });
});
