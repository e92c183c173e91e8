/**
 * Per-epoch figures of a run: those the server listed merged with those the live
 * `run.epoch` events brought since, one per epoch (the newer wins), in order.
 */

/** The figures of one epoch the charts need. */
export interface EpochFigures {
  epoch: number;
  trainLoss: number;
  valMetric: number;
  lr: number;
  seconds: number;
  best?: boolean;
}

/** Merges the fetched epochs and the live ones by epoch number, sorted ascending. */
export function mergeEpochs(fetched: readonly EpochFigures[], live: readonly EpochFigures[]): EpochFigures[] {
  const byEpoch = new Map<number, EpochFigures>();
  for (const e of fetched) byEpoch.set(e.epoch, e);
  for (const e of live) byEpoch.set(e.epoch, { ...byEpoch.get(e.epoch), ...e });
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** The epoch with the best validation figure (the highest), or undefined when there is none. */
export function bestEpoch(epochs: readonly EpochFigures[]): EpochFigures | undefined {
  let best: EpochFigures | undefined;
  for (const e of epochs) if (Number.isFinite(e.valMetric) && (!best || e.valMetric > best.valMetric)) best = e;
  return best;
}

/** Whether a run's status can still change. */
export function isLive(status: string): boolean {
  return status === 'queued' || status === 'running';
}
