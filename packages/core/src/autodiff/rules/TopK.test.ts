import { describe, expect, it } from 'vitest';
import type { Dim } from '../../onnx/ir.ts';
import { tensor } from '../../onnx/tensor.ts';
import { expectGradientsClose, normalRng, randn, singleOpModel } from '../../testing/index.ts';

// float64 normals have no ties, and a step of 1e-6 cannot reorder values whose gaps are
// ~1e-2 or more (checked below), so TopK is locally linear and the default float64
// tolerances apply.
const rng = normalRng(43);

interface Case {
  name: string;
  shape: Dim[];
  dims: number[];
  k: number;
  attrs: Record<string, number>;
  opset?: number;
}

const CASES: Case[] = [
  { name: 'largest 3 of the last axis', shape: [2, 6], dims: [2, 6], k: 3, attrs: {} },
  { name: 'smallest 2 along axis 1 of a 3-D tensor', shape: [2, 5, 3], dims: [2, 5, 3], k: 2, attrs: { axis: 1, largest: 0 } },
  { name: 'all elements, unsorted, axis -2, symbolic batch', shape: ['N', 4, 2], dims: [3, 4, 2], k: 4, attrs: { axis: -2, sorted: 0 } },
  { name: 'opset 10 (Scatter)', shape: [3, 5], dims: [3, 5], k: 2, attrs: { axis: 1 }, opset: 10 },
];

function minGap(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < s.length; i++) gap = Math.min(gap, s[i] - s[i - 1]);
  return gap;
}

describe('TopK gradient (finite differences)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = singleOpModel({
        op: 'TopK',
        opset: c.opset ?? 17,
        inputs: [{ name: 'x', dtype: 'float64', shape: c.shape }],
        constants: { 1: tensor('int64', [1], [c.k]) },
        attrs: c.attrs,
        outputs: 2,
      });
      const x = randn('float64', c.dims, rng);
      expect(minGap(Array.from(x.data as Float64Array))).toBeGreaterThan(1e-4);
      const r = await expectGradientsClose({ model, feeds: { x }, of: 'y0', wrt: ['x'] });
      expect(r.checked).toBe(x.data.length);
    });
  }
});
