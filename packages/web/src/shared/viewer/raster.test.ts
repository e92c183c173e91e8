import { describe, expect, it } from 'vitest';
// the test only (the app imports no core): the browser's tables must equal the server's
import { COLORMAP_NAMES, colormapLut as coreColormapLut } from '../../../../core/src/image/colormap.ts';
import { colorize, colormapGradient, colormapLut, COLORMAPS } from './colormaps.ts';
import { CLASS_COLORS, classColor, contrastRatio, hexToRgb, mapToBytes, parseNpy, percentileSorted, relativeLuminance, rleToMask, textOn, tintMask } from './raster.ts';

/** A .npy v1 file of a little-endian float32 [h, w] array, as NumPy writes it. */
function npy(h: number, w: number, values: number[], descr = '<f4'): ArrayBuffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${h}, ${w}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = descr === '<f8' ? 8 : 4;
  const buf = new ArrayBuffer(10 + header.length + values.length * size);
  const bytes = new Uint8Array(buf);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(buf).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const dv = new DataView(buf, 10 + header.length);
  values.forEach((v, i) => (size === 8 ? dv.setFloat64(i * 8, v, true) : dv.setFloat32(i * 4, v, true)));
  return buf;
}

describe('colormaps', () => {
  it('equal the server colormaps (packages/core colormapLut) entry for entry, all 256 of each', () => {
    for (const name of COLORMAP_NAMES) expect(Array.from(colormapLut(name)), name).toEqual(Array.from(coreColormapLut(name)));
    expect(Array.from(colormapLut('gray').subarray(0, 6))).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('colours 8-bit values into opaque RGBA', () => {
    const out = new Uint8ClampedArray(8);
    colorize([0, 255], 'jet', out);
    expect(Array.from(out)).toEqual([0, 0, 128, 255, 128, 0, 0, 255]);
  });

  it('draws a legend gradient for each colormap and refuses unknown names', () => {
    for (const c of COLORMAPS) expect(colormapGradient(c)).toMatch(/^linear-gradient\(to right, rgb\(/);
    expect(() => colormapLut('rainbow' as 'jet')).toThrow(/unknown colormap/);
  });
});

describe('heatmap .npy', () => {
  it('parses float32 and float64 [h, w] arrays', () => {
    const m = parseNpy(npy(2, 3, [0, 1, 2, 3, 4, 5.5]));
    expect(m.width).toBe(3);
    expect(m.height).toBe(2);
    expect(Array.from(m.data)).toEqual([0, 1, 2, 3, 4, 5.5]);
    expect(Array.from(parseNpy(npy(1, 2, [0.25, -1], '<f8')).data)).toEqual([0.25, -1]);
  });

  it('refuses what is not a 2-D float map', () => {
    expect(() => parseNpy(new ArrayBuffer(20))).toThrow(/not a .npy/);
    expect(() => parseNpy(npy(2, 2, [1, 2, 3, 4], '<i4'))).toThrow(/dtype/);
    expect(() => parseNpy(npy(2, 3, [1, 2]))).toThrow(/shorter/);
  });

  it('scales positive evidence to 8 bits between robust percentiles', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 999);
    values[0] = -5; // negative evidence counts as none
    values[999] = 1000; // one hot pixel does not wash out the rest
    const bytes = mapToBytes({ width: 1000, height: 1, data: Float32Array.from(values) });
    expect(bytes[0]).toBe(0);
    expect(bytes[999]).toBe(255);
    expect(bytes[500]).toBeGreaterThan(110);
    expect(bytes[500]).toBeLessThan(140);
  });

  it('gives zeros for a flat map and uses the maximum when few pixels carry mass', () => {
    expect(Array.from(mapToBytes({ width: 3, height: 1, data: new Float32Array([2, 2, 2]) }))).toEqual([0, 0, 0]);
    const sparse = new Float32Array(1000);
    sparse[3] = 4;
    const b = mapToBytes({ width: 1000, height: 1, data: sparse });
    expect(b[3]).toBe(255);
    expect(b[4]).toBe(0);
  });

  it('interpolates percentiles', () => {
    expect(percentileSorted(new Float32Array([0, 10]), 50)).toBe(5);
    expect(percentileSorted(new Float32Array([]), 50)).toBe(0);
  });
});

describe('masks and class colours', () => {
  it('decodes column-major COCO RLE into a row-major mask', () => {
    // 2 x 3 mask, column-major runs: 1 zero, 2 ones, 3 zeros -> pixels (row 1, col 0) and (row 0, col 1)
    const m = rleToMask({ size: [2, 3], counts: [1, 2, 3] });
    expect(Array.from(m.data)).toEqual([0, 1, 0, 1, 0, 0]);
    expect(() => rleToMask({ size: [2, 3], counts: [1, 2] })).toThrow(/cover/);
    expect(() => rleToMask({ size: [2, 3], counts: [1, 9] })).toThrow(/longer/);
  });

  it('tints the inside of a mask in the class colour and leaves the rest', () => {
    const mask = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255]);
    const target = new Uint8ClampedArray([1, 2, 3, 4, 9, 9, 9, 9]);
    expect(tintMask(mask, target, [10, 20, 30])).toBe(1);
    expect(Array.from(target)).toEqual([10, 20, 30, 255, 9, 9, 9, 9]);
  });

  it('gives each class a stable colour, repeating after the palette', () => {
    expect(classColor(0)).toBe('#e6194b');
    expect(classColor(12)).toBe(classColor(0));
    expect(classColor(-1)).toBe(classColor(11));
    expect(hexToRgb('#3cb44b')).toEqual([60, 180, 75]);
    expect(() => hexToRgb('red')).toThrow();
  });
});

describe('label text on class colours', () => {
  it('computes WCAG luminance and contrast as the standard does', () => {
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(relativeLuminance('#000000')).toBe(0);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 10);
    // #767676 on white is the classic 4.54:1.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it('picks the text colour that meets WCAG AA (4.5:1) on every class colour', () => {
    // #3cb44b once got white text (2.68:1) from a brightness rule; black gives 7.8:1.
    expect(textOn('#3cb44b')).toBe('#000000');
    expect(textOn('#4363d8')).toBe('#ffffff');
    for (const c of CLASS_COLORS) expect(contrastRatio(c, textOn(c)), c).toBeGreaterThanOrEqual(4.5);
  });
});
