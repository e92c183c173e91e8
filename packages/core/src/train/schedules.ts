/** Learning-rate schedules as pure functions of the step. */

/** Schedule settings. */
export type ScheduleConfig =
  | { kind: 'constant' }
  | { kind: 'cosine'; warmupSteps?: number; minLr?: number }
  | { kind: 'step'; stepSize: number; gamma?: number };

/**
 * Learning rate at `step` (0-based) of `total` steps.
 * - cosine: linear warm-up to lr0, then lr = minLr + (lr0 - minLr) (1 + cos(pi s / S)) / 2;
 * - step: lr0 * gamma^floor(step / stepSize).
 */
export function learningRate(cfg: ScheduleConfig, lr0: number, step: number, total: number): number {
  switch (cfg.kind) {
    case 'constant':
      return lr0;
    case 'step':
      return lr0 * (cfg.gamma ?? 0.1) ** Math.floor(step / Math.max(1, cfg.stepSize));
    case 'cosine': {
      const warm = cfg.warmupSteps ?? 0;
      if (step < warm) return (lr0 * (step + 1)) / warm;
      const minLr = cfg.minLr ?? 0;
      const span = Math.max(1, total - warm);
      const s = Math.min(step - warm, span);
      return minLr + ((lr0 - minLr) * (1 + Math.cos((Math.PI * s) / span))) / 2;
    }
  }
}
