import { describe, expect, it } from 'vitest';
import { montage } from './montage.ts';
import type { ImageU8 } from './image.types.ts';

function solid(width: number, height: number, value: number): ImageU8 {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(value) };
}

describe('montage', () => {
  it('lays tiles row-major on a grid with gaps', async () => {
    const sheet = await montage([{ image: solid(10, 10, 50) }, { image: solid(10, 10, 150) }, { image: solid(10, 10, 250) }], { columns: 2, gap: 2 });
    expect([sheet.width, sheet.height]).toEqual([2 + 2 * 12, 2 + 2 * 12]);
    const at = (x: number, y: number): number => sheet.data[(y * sheet.width + x) * 3];
    expect(at(2, 2)).toBe(50);
    expect(at(14, 2)).toBe(150);
    expect(at(2, 14)).toBe(250);
    expect(at(14, 14)).toBe(255);
  });

  it('renders captions as dark pixels under the tiles', async () => {
    const tiles = [{ image: solid(60, 20, 255), caption: 'WWWW' }];
    const sheet = await montage(tiles, { columns: 1, gap: 4, fontSize: 14 });
    let dark = 0;
    for (let y = 4 + 20; y < sheet.height; y++) for (let x = 0; x < sheet.width; x++) if (sheet.data[(y * sheet.width + x) * 3] < 128) dark++;
    expect(dark).toBeGreaterThan(20);
  });
});
