/**
 * Optimisers over named Float32Array parameters, updated in place. Their state is plain
 * arrays so a run can be checkpointed and resumed exactly.
 */
import { XqcError } from '../errors.ts';

/** Optimiser settings. */
export type OptimizerConfig =
  | { kind: 'sgd'; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adam'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }
  | { kind: 'adamw'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

/** Serialisable optimiser state. */
export interface OptimizerState {
  step: number;
  slots: Record<string, Float32Array[]>;
}

/** An optimiser. */
export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Applies one update with learning rate `lr`: params[k] -= update(grads[k]). */
  step(params: Record<string, Float32Array>, grads: Record<string, Float32Array>, lr: number): void;
  state(): OptimizerState;
  load(state: OptimizerState): void;
}

/**
 * Creates an optimiser.
 * - SGD: v = mu v + g (+ wd p); p -= lr (nesterov ? g + mu v : v).
 * - Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= lr mhat / (sqrt(vhat) + eps), L2 via g += wd p.
 * - AdamW: as Adam with decoupled decay p -= lr wd p (Loshchilov and Hutter).
 */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  let t = 0;
  let slots: Record<string, Float32Array[]> = {};
  const slot = (name: string, n: number, k: number): Float32Array[] => {
    let s = slots[name];
    if (!s) slots[name] = s = Array.from({ length: k }, () => new Float32Array(n));
    return s;
  };
  return {
    config,
    step(params, grads, lr) {
      if (!(lr >= 0) || !Number.isFinite(lr)) throw new XqcError('XQC_TRAIN', `learning rate ${lr} is not a finite non-negative number`);
      t++;
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name];
        if (!g) continue;
        if (g.length !== p.length) throw new XqcError('XQC_SHAPE_MISMATCH', `gradient of ${name} has ${g.length} values, parameter ${p.length}`);
        if (config.kind === 'sgd') {
          const mu = config.momentum ?? 0.9;
          const wd = config.weightDecay ?? 0;
          const [v] = slot(name, p.length, 1);
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] + wd * p[i];
            v[i] = mu * v[i] + gi;
            p[i] -= lr * (config.nesterov ? gi + mu * v[i] : v[i]);
          }
        } else {
          const b1 = config.beta1 ?? 0.9;
          const b2 = config.beta2 ?? 0.999;
          const eps = config.eps ?? 1e-8;
          const wd = config.weightDecay ?? (config.kind === 'adamw' ? 0.01 : 0);
          const [m, v] = slot(name, p.length, 2);
          const c1 = 1 - b1 ** t;
          const c2 = 1 - b2 ** t;
          for (let i = 0; i < p.length; i++) {
            let gi = g[i];
            if (config.kind === 'adam') gi += wd * p[i];
            else p[i] -= lr * wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
          }
        }
      }
    },
    state() {
      return { step: t, slots: Object.fromEntries(Object.entries(slots).map(([k, v]) => [k, v.map((a) => a.slice())])) };
    },
    load(state) {
      t = state.step;
      slots = Object.fromEntries(Object.entries(state.slots).map(([k, v]) => [k, v.map((a) => Float32Array.from(a))]));
    },
  };
}
