/**
 * Every gradient method on a model that only sees one region of the image: all of a
 * sound method's mass must land in that region.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../onnx/tensor.ts';
import { regionModel } from '../../testing/explain-models.ts';
import { uniformRng } from '../../util/random.ts';
import { ModelFunction } from '../model-function.ts';
import { energyInMask } from '../quality/localisation.ts';
import { scalarTarget } from '../target.ts';
import type { Explainer } from '../types.ts';
import { gradCamPlusPlus } from './grad-cam-pp.ts';
import { gradCam } from './grad-cam.ts';
import { gradientShap } from './gradient-shap.ts';
import { gradientXInput } from './gradient-x-input.ts';
import { integratedGradients } from './integrated-gradients.ts';
import { saliency } from './saliency.ts';
import { smoothGrad } from './smoothgrad.ts';

const side = 16;
const d = { channels: 3, height: side, width: side };
// A 6x5 block off-centre: 30 of 256 pixels.
const mask = Array.from({ length: side * side }, (_, i) => {
  const x = i % side;
  const y = Math.floor(i / side);
  return x >= 9 && x < 14 && y >= 3 && y < 9 ? 1 : 0;
});
const u = uniformRng(8);
const x = tensor('float32', [1, 3, side, side], Float32Array.from({ length: 3 * side * side }, () => u() * 2 - 1));
const f = ModelFunction.create(regionModel(d, mask, 6, 2), { input: 'x', target: scalarTarget('y') });
const maskMap = { width: side, height: side, data: mask };
const METHODS: Explainer[] = [saliency, gradientXInput, smoothGrad, integratedGradients, gradientShap, gradCam, gradCamPlusPlus];

describe('methods on a model that sees one region only', () => {
  for (const method of METHODS) {
    it(`${method.name} puts more than 90% of its mass in the region`, async () => {
      const params = Object.fromEntries(Object.entries({ samples: 8, steps: 8 }).filter(([k]) => k in method.params));
      const e = await method.explain({ x, f, seed: 1 }, params);
      expect(e.method).toBe(method.name);
      expect([e.map.width, e.map.height]).toEqual([side, side]);
      expect(e.runtimeMs).toBeGreaterThan(0);
      expect(e.evaluations).toBeGreaterThan(0);
      const magnitude = { ...e.map, data: e.map.data.map(Math.abs) };
      expect(magnitude.data.some((v) => v > 0)).toBe(true);
      expect(energyInMask(magnitude, maskMap)).toBeGreaterThan(0.9);
    });
  }
});
