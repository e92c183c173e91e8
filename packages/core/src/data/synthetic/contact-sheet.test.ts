import { describe, expect, it } from 'vitest';
import { contactSheet } from './contact-sheet.ts';

describe('contactSheet', () => {
  it('shows each sample beside its red mask overlay on a captioned grid', async () => {
    const sheet = await contactSheet('radiograph', { count: 4, columns: 2, width: 32, height: 32 });
    expect(sheet.channels).toBe(3);
    // Two columns of (32 + 2 + 32)-px pairs with 6-px gaps; the montage widens the sheet
    // further when the title line is longer than the grid.
    expect(sheet.width).toBeGreaterThanOrEqual(6 + 2 * (66 + 6));
    const wide = await contactSheet('radiograph', { count: 16, columns: 8, width: 32, height: 32 });
    expect(wide.width).toBe(6 + 8 * (66 + 6));
    let red = 0;
    for (let i = 0; i < sheet.width * sheet.height; i++) {
      const [r, g, b] = [sheet.data[i * 3], sheet.data[i * 3 + 1], sheet.data[i * 3 + 2]];
      if (r > g + 60 && r > b + 60) red++;
    }
    expect(red).toBeGreaterThan(0);
  });
});
