import { describe, expect, it } from 'vitest';
import { aLabel, describeFinding, inRegions, isNearEdge, regionOfPoint } from './geometry.ts';
import { rankedRegions, summarizeHeatmap } from './heatmap-summary.ts';

describe('findings geometry', () => {
  it('places points on a 3 x 3 grid', () => {
    expect(regionOfPoint(5, 5, 90, 90)).toBe('upper left');
    expect(regionOfPoint(45, 5, 90, 90)).toBe('top');
    expect(regionOfPoint(45, 45, 90, 90)).toBe('centre');
    expect(regionOfPoint(89.9, 89.9, 90, 90)).toBe('lower right');
    expect(regionOfPoint(29.9, 60, 90, 90)).toBe('lower left');
    expect(regionOfPoint(30, 60, 90, 90)).toBe('bottom');
    expect(regionOfPoint(90, 45, 90, 90)).toBe('right');
  });

  it('puts each region with its preposition', () => {
    expect(inRegions(['upper left', 'top', 'right', 'centre', 'edge'])).toBe('in the upper left or at the top or on the right or in the centre or near the edge');
  });

  it('calls a box near the edge within 8% of the shorter side', () => {
    expect(isNearEdge([7, 40, 20, 50], 100, 100)).toBe(true);
    expect(isNearEdge([9, 40, 20, 50], 100, 100)).toBe(false);
    expect(isNearEdge([40, 40, 93, 50], 100, 100)).toBe(true);
  });

  it('sizes a thin diagonal finding by its box diagonal in millimetres when calibrated', () => {
    // A diagonal scratch: box 30 x 40 px, 60 px of area (under 35% of the box).
    const g = describeFinding({ label: 'scratch', score: 0.9, box: [2, 4, 32, 44], area: 60, centroid: [17, 24] }, { width: 300, height: 300 }, 0.24);
    expect(g.lengthPx).toBeCloseTo(50, 6);
    expect(g.lengthMm).toBeCloseTo(12, 6);
    expect(g.text).toBe('a 12 mm scratch in the upper left, near the edge');
  });

  it('sizes a compact finding by its longer side, in pixels and share of the image without calibration', () => {
    const g = describeFinding({ label: 'porosity', score: 0.8, box: [40, 45, 48, 55], area: 64 }, { width: 100, height: 100 });
    expect(g.region).toBe('centre');
    expect(g.text).toBe('10 px of porosity in the centre, covering 0.6% of the image');
    expect(describeFinding({ label: 'defect', score: 0.9 }, { width: 10, height: 10 }).text).toMatch(/^a defect over the image as a whole/);
    expect(describeFinding({ label: 'hole', score: 0.8, box: [0, 40, 10, 50], area: 80 }, { width: 100, height: 100 }).text).toBe('a 10 px hole on the left, near the edge, covering 0.8% of the image');
    expect(aLabel('eosinophil')).toBe('an eosinophil');
    expect(aLabel('lack_of_fusion')).toBe('lack of fusion');
  });
});

describe('summarizeHeatmap', () => {
  it('shares positive mass over the grid, finds the peak and the share inside the findings', () => {
    const w = 6;
    const h = 6;
    const map = new Float32Array(w * h);
    map[0] = 3; // upper left cell
    map[1 * w + 5] = 1; // upper right cell
    map[5 * w + 5] = -4; // negative: argues against, not counted
    const s = summarizeHeatmap(map, w, h, [{ label: 'crack', score: 1, box: [0, 0, 4, 4] }], { width: 12, height: 12 });
    expect(s.regionShares['upper left']).toBeCloseTo(0.75, 6);
    expect(s.regionShares['upper right']).toBeCloseTo(0.25, 6);
    expect(s.regionShares['lower right']).toBe(0);
    expect(s.peak).toEqual([0.5 / 6, 0.5 / 6]);
    // The 4 x 4 px box of a 12 px image covers map pixels 0..1 x 0..1: the 3 at (0,0), not the 1 at (5,1).
    expect(s.massInFindings).toBeCloseTo(0.75, 6);
    expect(s.degenerate).toBeNull();
    expect(rankedRegions(s)[0]).toEqual({ region: 'upper left', share: 0.75 });
  });

  it('reports a map without positive mass as degenerate, and refuses a wrong size', () => {
    const s = summarizeHeatmap(new Float32Array(9).fill(-1), 3, 3);
    expect(s.degenerate).toMatch(/no positive/);
    expect(s.massInFindings).toBeNull();
    expect(Object.values(s.regionShares).every((v) => v === 0)).toBe(true);
    expect(() => summarizeHeatmap(new Float32Array(8), 3, 3)).toThrow(RangeError);
  });
});
