import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildWaterfall, formatNumber } from './waterfall.ts';
import { renderWaterfallPng, renderWaterfallSvg } from './waterfall-chart.ts';

const input = {
  names: ['a', 'b', 'c', 'd'],
  labels: ['Alpha <x>', 'Beta', 'Gamma', 'Delta'],
  values: [1, 2, 3, 4],
  phi: [0.1, -0.4, 0.25, -0.1],
  base: 1,
};

describe('buildWaterfall', () => {
  it('orders contributions by magnitude (ties in feature order) and accumulates from the base', () => {
    const w = buildWaterfall(input);
    expect(w.steps.map((s) => s.name)).toEqual(['b', 'c', 'a', 'd']);
    expect(w.steps.map((s) => [s.start, s.end])).toEqual([
      [1, 0.6],
      [0.6, 0.85],
      [0.85, 0.95],
      [0.95, 0.85],
    ]);
    expect(w.fx).toBeCloseTo(1 + 0.1 - 0.4 + 0.25 - 0.1, 15);
    expect(w.steps[0]).toMatchObject({ label: 'Beta', value: 2, valueText: '2', contribution: -0.4 });
  });

  it('rejects mismatched lengths and non-finite contributions', () => {
    expect(() => buildWaterfall({ ...input, phi: [1, 2] })).toThrow(expect.objectContaining({ code: 'XQC_SHAPE_MISMATCH' }));
    expect(() => buildWaterfall({ ...input, phi: [0, Number.NaN, 0, 0] })).toThrow(expect.objectContaining({ code: 'XQC_INVALID_ARGUMENT' }));
  });

  it('formats numbers with three significant digits', () => {
    expect([0, 2.08273, 0.0381372, 12345.6, 0.000123, -0.02, 1e6].map((x) => formatNumber(x))).toEqual(['0', '2.08', '0.0381', '12300', '1.23e-4', '-0.02', '1.00e+6']);
  });
});

describe('waterfall chart', () => {
  const w = buildWaterfall(input);
  const svg = renderWaterfallSvg(w, { title: 'Score & why', subtitle: 'held-out R2 0.9' });

  it('draws one arrow per feature in the colour of its sign, with labels, values, base and f(x)', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polygon /g)).toHaveLength(4);
    expect(svg.match(/<polygon [^>]*fill="#d9534f"/g)).toHaveLength(2);
    expect(svg.match(/<polygon [^>]*fill="#3b6ea8"/g)).toHaveLength(2);
    expect(svg).toContain('Alpha &lt;x&gt; = 1');
    expect(svg).toContain('Score &amp; why');
    expect(svg).toContain('>-0.4<');
    expect(svg).toContain('>+0.25<');
    expect(svg).toContain('base E[score] = 1');
    expect(svg).toContain('f(x) = 0.85');
  });

  it('places each bar between its running totals on a shared axis', () => {
    const polygons = [...svg.matchAll(/<polygon points="([^"]+)"/g)].map((m) => m[1].split(' ').map((p) => Number(p.split(',')[0])));
    const spans = polygons.map((xs) => [Math.min(...xs), Math.max(...xs)]);
    // One linear value -> pixel map for every bar end: fit it on the first bar, check the rest.
    const lo = (i: number) => Math.min(w.steps[i].start, w.steps[i].end);
    const hi = (i: number) => Math.max(w.steps[i].start, w.steps[i].end);
    const k = (spans[0][1] - spans[0][0]) / (hi(0) - lo(0));
    const at = (v: number) => spans[0][0] + k * (v - lo(0));
    expect(k).toBeGreaterThan(0);
    spans.forEach(([x0, x1], i) => {
      expect(x0).toBeCloseTo(at(lo(i)), 1);
      expect(x1).toBeCloseTo(at(hi(i)), 1);
    });
  });

  it('rasterises to a PNG of the SVG size, doubled at 144 dpi', async () => {
    const png = await renderWaterfallPng(svg);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(760);
    expect(meta.height).toBe(Number(/height="(\d+)"/.exec(svg)?.[1]));
    expect((await sharp(await renderWaterfallPng(svg, { density: 144 })).metadata()).width).toBe(1520);
  });
});
