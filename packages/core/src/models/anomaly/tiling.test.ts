import { describe, expect, it } from 'vitest';
import type { ImageU8 } from '../../image/image.types.ts';
import type { InputSpec } from '../card.ts';
import { cutTileMasks, cutTiles, fitTiledImage, stitchTileMaps, tileGrid, tileStarts, tileWorkingSize } from './tiling.ts';

/** How many tiles of `grid` cover each pixel. */
function coverage(width: number, height: number, tw: number, th: number, overlap: number): Uint16Array {
  const g = tileGrid(width, height, tw, th, overlap);
  const cover = new Uint16Array(width * height);
  for (const t of g.tiles) for (let y = t.y; y < t.y + th; y++) for (let x = t.x; x < t.x + tw; x++) cover[y * width + x]++;
  return cover;
}

describe('tile grid', () => {
  it('is flush with both edges and spaced by at most the stride, for sizes that do not divide', () => {
    for (const [length, tile, overlap] of [
      [512, 64, 0.25],
      [208, 64, 0.25],
      [100, 64, 0.5],
      [65, 64, 0],
      [1000, 224, 0.1],
      [64, 64, 0.25],
    ] as const) {
      const s = tileStarts(length, tile, overlap);
      expect(s[0]).toBe(0);
      expect(s[s.length - 1] + tile).toBe(length);
      const stride = Math.floor(tile * (1 - overlap));
      for (let i = 1; i < s.length; i++) {
        expect(s[i]).toBeGreaterThan(s[i - 1]);
        // Overlap at least the requested share: the step is never longer than the stride.
        expect(s[i] - s[i - 1]).toBeLessThanOrEqual(stride);
      }
    }
    expect(tileStarts(512, 64, 0.25)).toHaveLength(Math.ceil((512 - 64) / 48) + 1);
    expect(tileStarts(512, 64, 0)).toEqual([0, 64, 128, 192, 256, 320, 384, 448]);
  });

  it('covers every pixel, each exactly once without overlap and at least once with it', () => {
    const exact = coverage(512, 192, 64, 64, 0);
    expect(exact.every((c) => c === 1)).toBe(true);
    const odd = coverage(203, 77, 64, 48, 0.3);
    expect(odd.every((c) => c >= 1)).toBe(true);
    expect(Math.max(...odd)).toBeGreaterThan(1);
  });

  it('refuses a side shorter than the tile and a bad overlap', () => {
    expect(() => tileStarts(50, 64)).toThrow(/shorter than the tile/);
    expect(() => tileStarts(100, 64, 0.95)).toThrow(/overlap/);
  });

  it('scales by one factor, or a small side up to the tile, and keeps the aspect ratio', () => {
    expect(tileWorkingSize(512, 208, 64, 64)).toEqual({ width: 512, height: 208, scale: 1 });
    expect(tileWorkingSize(512, 208, 64, 64, 0.5)).toEqual({ width: 256, height: 104, scale: 0.5 });
    // The same factor whatever the crop: a defect keeps its size in pixels.
    expect(tileWorkingSize(512, 150, 64, 64, 0.5)).toEqual({ width: 256, height: 75, scale: 0.5 });
    const small = tileWorkingSize(100, 40, 64, 64);
    expect([small.width, small.height]).toEqual([160, 64]);
    expect(tileWorkingSize(512, 100, 64, 64, 0.5)).toMatchObject({ width: 328, height: 64, scale: 0.64 });
    expect(() => tileWorkingSize(512, 208, 64, 64, 0)).toThrow(/tileScale/);
  });

  it('fits a wide image for tiling without stretching it, gray or colour as the card says', () => {
    const wide: ImageU8 = { width: 512, height: 208, channels: 3, data: new Uint8Array(512 * 208 * 3).fill(90) };
    const spec: InputSpec = { height: 64, width: 64, resize: 'tile', layout: 'NCHW', color: 'gray', mean: [0.5], std: [0.25], tileScale: 0.5 };
    const { image, placement } = fitTiledImage(wide, spec);
    expect([image.width, image.height, image.channels]).toEqual([256, 104, 1]);
    expect(image.width / image.height).toBeCloseTo(512 / 208, 2);
    expect(image.data[0]).toBe(90);
    expect(placement).toEqual({ width: 512, height: 208, offsetX: 0, offsetY: 0, innerWidth: 256, innerHeight: 104 });
    const colour = fitTiledImage(wide, { ...spec, color: 'rgb', tileScale: undefined });
    expect([colour.image.width, colour.image.height, colour.image.channels]).toEqual([512, 208, 3]);
    expect(colour.image).toBe(wide);
  });
});

describe('cutting and stitching', () => {
  const W = 150;
  const H = 90;
  const grid = tileGrid(W, H, 64, 48, 0.3);
  const known = Float32Array.from({ length: W * H }, (_, p) => Math.sin((p % W) / 7) + Math.cos(Math.floor(p / W) / 5) + (p % 13) / 13);

  it('stitches constant tile maps into the constant', () => {
    const maps = grid.tiles.map(() => new Float32Array(64 * 48).fill(2.5));
    const s = stitchTileMaps(maps, grid);
    expect([s.width, s.height]).toEqual([W, H]);
    for (const v of s.data) expect(v).toBeCloseTo(2.5, 5);
  });

  it('stitches the tiles cut from a known map back into that map', () => {
    const s = stitchTileMaps(cutTileMasks(known, grid), grid);
    let worst = 0;
    for (let p = 0; p < known.length; p++) worst = Math.max(worst, Math.abs(s.data[p] - known[p]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('weights a tile less near an edge it shares than in its interior (no seam)', () => {
    // Tile 0 says 0 everywhere, the others 1: near tile 0's shared right edge the stitched
    // value is pulled towards 1, at its far left (image border) it stays 0.
    const maps = grid.tiles.map((_, i) => new Float32Array(64 * 48).fill(i === 0 ? 0 : 1));
    const s = stitchTileMaps(maps, grid);
    expect(s.data[5 * W + 0]).toBe(0);
    const rightEdgeOfTile0 = 5 * W + 63;
    expect(s.data[rightEdgeOfTile0]).toBeGreaterThan(0.5);
    // Monotone across the overlap: no step.
    for (let x = grid.xs[1]; x < 63; x++) expect(s.data[5 * W + x + 1]).toBeGreaterThanOrEqual(s.data[5 * W + x] - 1e-6);
  });

  it('cuts image tiles that hold the right pixels, gray and colour', () => {
    for (const channels of [1, 3] as const) {
      const img: ImageU8 = { width: W, height: H, channels, data: Uint8Array.from({ length: W * H * channels }, (_, i) => (i * 7) % 251) };
      const tiles = cutTiles(img, grid);
      expect(tiles).toHaveLength(grid.tiles.length);
      grid.tiles.forEach((t, k) => {
        expect(tiles[k].channels).toBe(channels);
        for (const [dx, dy] of [[0, 0], [63, 47], [10, 20]]) {
          for (let c = 0; c < channels; c++) {
            expect(tiles[k].data[(dy * 64 + dx) * channels + c]).toBe(img.data[((t.y + dy) * W + t.x + dx) * channels + c]);
          }
        }
      });
    }
  });

  it('refuses maps that do not match the grid', () => {
    expect(() => stitchTileMaps([new Float32Array(10)], grid)).toThrow(/tile maps/);
    expect(() => cutTileMasks(new Uint8Array(10), grid)).toThrow(/pixels/);
  });
});
