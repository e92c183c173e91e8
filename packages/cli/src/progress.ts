/** Training progress on a terminal (a redrawn bar) or as JSON lines (anything else). */
import type { TrainEvent } from '@xai-qc/core';

/** A reporter for trainer events writing to `stream`. */
export function progressReporter(stream: NodeJS.WriteStream): (e: TrainEvent) => void {
  const tty = stream.isTTY === true;
  return (e) => {
    if (!tty) {
      if (e.type === 'step' && e.step !== e.steps && e.step % 10 !== 0) return;
      const payload = e.type === 'epoch' ? { type: 'epoch', ...e.record, val: undefined, best: e.best } : e;
      stream.write(`${JSON.stringify(payload)}\n`);
      return;
    }
    if (e.type === 'step') {
      const width = 30;
      const done = Math.round((e.step / e.steps) * width);
      stream.write(`\repoch ${e.epoch} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${e.step}/${e.steps} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)}`);
    } else if (e.type === 'epoch') {
      const r = e.record;
      stream.write(`\repoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, val ${r.valMetric.toFixed(4)}${e.best ? ' (best)' : ''}, ${r.imagesPerSecond.toFixed(0)} img/s, ${r.seconds.toFixed(1)} s${' '.repeat(20)}\n`);
    } else if (e.type === 'resume') stream.write(`resuming at epoch ${e.epoch + 1}\n`);
    else if (e.type === 'loader') {
      if (e.fallbackReason) stream.write(`batches are made on the main thread (${e.fallbackReason})\n`);
    } else stream.write(`early stop at epoch ${e.epoch} (best ${e.bestEpoch})\n`);
  };
}
