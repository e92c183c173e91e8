import { describe, expect, it } from 'vitest';
import { CELLS_SPEC, generateCells } from './cells.ts';
import { WHITE_CELL_TYPES } from './cells-white.ts';
import type { WhiteCellType } from './cells-white.ts';

interface CellStats {
  /** White-cell pixels. */
  area: number;
  /** Share of dark purple pixels (nucleus, basophilic granules): luma < 110 and blue > red. */
  dark: number;
  /** Share of orange-red pixels (eosinophilic granules): red exceeds blue by 60 and green by 40. */
  orange: number;
  /** Mean luma of the cell. */
  luma: number;
  /** Mean (blue - red) over the cell's non-dark pixels: blue cytoplasm is positive. */
  blueness: number;
}

function stats(type: WhiteCellType, seeds: number): CellStats {
  const sum: CellStats = { area: 0, dark: 0, orange: 0, luma: 0, blueness: 0 };
  for (let s = 0; s < seeds; s++) {
    const { image, mask, label } = generateCells({ seed: 7000 + s, label: type });
    expect(label).toBe(type);
    const classId = CELLS_SPEC.maskClasses.indexOf(type);
    let area = 0;
    let dark = 0;
    let orange = 0;
    let luma = 0;
    let blue = 0;
    for (let i = 0; i < mask.data.length; i++) {
      if (mask.data[i] === 0) continue;
      expect(mask.data[i]).toBe(classId);
      const [r, g, b] = [image.data[i * 3], image.data[i * 3 + 1], image.data[i * 3 + 2]];
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      area++;
      luma += y;
      if (y < 110 && b > r) dark++;
      else blue += b - r;
      if (r - b > 60 && r - g > 40) orange++;
    }
    sum.area += area / seeds;
    sum.dark += dark / area / seeds;
    sum.orange += orange / area / seeds;
    sum.luma += luma / area / seeds;
    sum.blueness += blue / Math.max(1, area - dark) / seeds;
  }
  return sum;
}

describe('white cell types are told apart by the features haematologists use', () => {
  const all = Object.fromEntries(WHITE_CELL_TYPES.map((t) => [t, stats(t, 10)])) as Record<WhiteCellType, CellStats>;
  const others = (t: WhiteCellType): CellStats[] => WHITE_CELL_TYPES.filter((o) => o !== t).map((o) => all[o]);

  it('monocytes are the largest cells, lymphocytes the smallest', () => {
    for (const o of others('monocyte')) expect(all.monocyte.area).toBeGreaterThan(1.2 * o.area);
    for (const o of others('lymphocyte')) expect(all.lymphocyte.area).toBeLessThan(0.8 * o.area);
  });

  it('lymphocytes are mostly nucleus with a blue rim', () => {
    expect(all.lymphocyte.dark).toBeGreaterThan(0.6);
    for (const o of others('lymphocyte')) expect(all.lymphocyte.blueness).toBeGreaterThan(o.blueness + 15);
  });

  it('eosinophils are full of orange-red granules', () => {
    expect(all.eosinophil.orange).toBeGreaterThan(0.5);
    for (const o of others('eosinophil')) expect(o.orange).toBeLessThan(0.05);
  });

  it('basophils are the darkest cells', () => {
    for (const o of others('basophil')) expect(all.basophil.luma).toBeLessThan(o.luma - 4);
    expect(all.basophil.dark).toBeGreaterThan(0.6);
  });

  it('neutrophils are the palest, with a segmented nucleus covering a minority of the cell and non-blue cytoplasm', () => {
    for (const o of others('neutrophil')) expect(all.neutrophil.luma).toBeGreaterThan(o.luma + 5);
    expect(all.neutrophil.dark).toBeGreaterThan(0.1);
    expect(all.neutrophil.dark).toBeLessThan(0.35);
    expect(all.neutrophil.blueness).toBeLessThan(all.monocyte.blueness - 10);
  });
});
