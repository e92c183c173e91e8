import { describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizers.ts';
import type { OptimizerConfig } from './optimizers.ts';
import { learningRate } from './schedules.ts';

const P0 = [0.5, -1.0, 2.0, 0.0];
const GRADS = [
  [0.1, -0.2, 0.3, 0.0],
  [-0.05, 0.4, 0.1, 1e-3],
  [0.2, 0.2, -0.3, -1e-3],
];

/** Runs `cfg` over GRADS with the learning rates `lrs`; returns the parameters after each step. */
function trajectory(cfg: OptimizerConfig, lrs: number[]): { after: number[][]; slots: number[][] } {
  const opt = createOptimizer(cfg);
  const p = { w: Float32Array.from(P0) };
  const after = lrs.map((lr, i) => {
    opt.step(p, { w: Float32Array.from(GRADS[i]) }, lr);
    return Array.from(p.w);
  });
  return { after, slots: opt.state().slots.w.map((a) => Array.from(a)) };
}

/** |actual - expected| < atol + rtol |expected| elementwise. */
function expectRowsClose(actual: number[][], expected: number[][], atol: number, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i][j])).toBeLessThan(atol + rtol * Math.abs(expected[i][j]))));
}

describe('optimizers against PyTorch 1.13 (torch.optim, same parameters and gradients)', () => {
  it('AdamW: decoupled decay on every parameter, bias-corrected moments', () => {
    // torch.optim.AdamW(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), lr set per step.
    const { after, slots } = trajectory({ kind: 'adamw', weightDecay: 0.1 }, [0.01, 0.005, 0.02]);
    expectRowsClose(after, [
      [0.489500016, -0.989000022, 1.98800004, 0.0],
      [0.487923563, -0.990336001, 1.98265064, -0.00372063136],
      [0.47378549, -0.998740137, 1.97771764, -0.00280955597],
    ], 2e-7);
    expectRowsClose(slots, [
      [0.0236000009, 0.0397999994, 0.00329999952, -1.00000052e-5],
      [5.24775132e-5, 0.000239760047, 0.000189810118, 1.9990003e-9],
    ], 0, 1e-6);
  });

  it('AdamW first step by hand: p (1 - lr wd) - lr g / (|g| + eps)', () => {
    const lr = 0.01;
    const wd = 0.1;
    const { after } = trajectory({ kind: 'adamw', weightDecay: wd }, [lr]);
    // After one step mhat = g and vhat = g^2, so the Adam part is lr * g / (|g| + eps).
    const expected = P0.map((p, i) => p * (1 - lr * wd) - (lr * GRADS[0][i]) / (Math.abs(GRADS[0][i]) + 1e-8));
    expectRowsClose(after, [expected], 1e-7);
  });

  it('Adam: L2 decay added to the gradient', () => {
    const { after } = trajectory({ kind: 'adam', weightDecay: 0.1 }, [0.01, 0.01]);
    expectRowsClose(after, [
      [0.49000001, -0.99000001, 1.99000001, 0.0],
      [0.483349204, -0.990542948, 1.98042941, -0.00744126271],
    ], 2e-7);
  });

  it('SGD with momentum, plain and Nesterov', () => {
    const plain = trajectory({ kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, [0.1, 0.1]).after;
    expectRowsClose(plain, [
      [0.489499986, -0.978999972, 1.96800005, 0.0],
      [0.48456049, -0.999120951, 1.92723203, -0.000100000005],
    ], 2e-7);
    const nesterov = trajectory({ kind: 'sgd', momentum: 0.9, weightDecay: 0.01, nesterov: true }, [0.1, 0.1]).after;
    expectRowsClose(nesterov, [
      [0.480049998, -0.960099995, 1.93920004, 0.0],
      [0.480132908, -1.0172658, 1.89059556, -0.000190000006],
    ], 2e-7);
  });

  it('rejects a learning rate that is not a finite non-negative number', () => {
    const opt = createOptimizer({ kind: 'adamw' });
    expect(() => opt.step({ w: new Float32Array(1) }, { w: new Float32Array(1) }, Number.NaN)).toThrow(/learning rate/);
  });
});

describe('learning-rate schedules', () => {
  it('cosine: linear warm-up to lr0 over the warm-up steps, then a half cosine to minLr at the last step', () => {
    const cfg = { kind: 'cosine' as const, warmupSteps: 20 };
    const total = 51; // 3 epochs of 17 steps: the train bench's run
    expect(learningRate(cfg, 3e-3, 0, total)).toBeCloseTo(1.5e-4, 12);
    expect(learningRate(cfg, 3e-3, 19, total)).toBeCloseTo(3e-3, 12);
    expect(learningRate(cfg, 3e-3, 20, total)).toBeCloseTo(3e-3, 12);
    // halfway through the 31 cosine steps: lr0 / 2 at s = 15.5, checked at s = 10 by the formula
    expect(learningRate(cfg, 3e-3, 30, total)).toBeCloseTo((3e-3 * (1 + Math.cos((Math.PI * 10) / 31))) / 2, 12);
    expect(learningRate(cfg, 3e-3, 50, total)).toBeCloseTo((3e-3 * (1 + Math.cos((Math.PI * 30) / 31))) / 2, 12);
    expect(learningRate(cfg, 3e-3, 51, total)).toBeCloseTo(0, 12);
  });

  it('step and constant', () => {
    expect(learningRate({ kind: 'step', stepSize: 10, gamma: 0.5 }, 1, 25, 100)).toBe(0.25);
    expect(learningRate({ kind: 'constant' }, 0.3, 99, 100)).toBe(0.3);
  });
});
