import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { reliabilityDiagram } from './calibration-error.ts';
import { renderReliabilityPng } from './reliability-png.ts';
import { renderReliabilitySvg } from './reliability-svg.ts';

// Ten items: confidences 0.95 (5 items, 3 right) and 0.65 (5 items, 4 right).
const probs = [...new Array(5).fill([0.95, 0.05]), ...new Array(5).fill([0.65, 0.35])].flat();
const labels = [0, 0, 0, 1, 1, 0, 0, 0, 0, 1];

describe('reliabilityDiagram', () => {
  it('reports count, mean confidence and accuracy per bin', () => {
    const d = reliabilityDiagram(probs, labels, { bins: 10 });
    expect(d.bins).toHaveLength(10);
    const used = d.bins.filter((b) => b.count > 0);
    expect(used.map((b) => [b.lower, b.count])).toEqual([
      [0.6000000000000001, 5],
      [0.9, 5],
    ]);
    expect(used[0].accuracy).toBe(0.8);
    expect(used[1].accuracy).toBe(0.6);
    expect(used[0].meanConfidence).toBeCloseTo(0.65, 15);
    expect(d.ece).toBeCloseTo(0.5 * 0.15 + 0.5 * 0.35, 15);
    expect(d.mce).toBeCloseTo(0.35, 15);
    expect(d.bins[0].accuracy).toBeNaN();
  });
});

describe('renderReliabilitySvg / renderReliabilityPng', () => {
  const svg = renderReliabilitySvg(reliabilityDiagram(probs, labels, { bins: 10 }), { title: 'Weld <model> v2' });

  it('draws one accuracy bar and one gap per non-empty bin, plus the histogram', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Weld &lt;model&gt; v2');
    expect(svg.match(/fill="#3b6ea8"/g)).toHaveLength(2);
    expect(svg.match(/fill="#d9534f"/g)).toHaveLength(2);
    expect(svg.match(/fill="#7f9cc0"/g)).toHaveLength(2);
    expect(svg).toContain('ECE 25.00%');
  });

  it('rasterises to a PNG of the SVG size', async () => {
    const png = await renderReliabilityPng(svg);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const meta = await sharp(png).metadata();
    expect(meta.width).toBe(480);
    expect(meta.height).toBe(Number(/height="(\d+)"/.exec(svg)?.[1]));
    const hi = await sharp(await renderReliabilityPng(svg, { density: 144 })).metadata();
    expect(hi.width).toBe(960);
  });
});
