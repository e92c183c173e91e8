/**
 * Progress on stderr for commands that take more than a moment: a redrawn bar on a
 * terminal, JSON lines anywhere else (a pipe, a log file, a job runner). Progress never
 * goes to stdout, which carries only a command's result.
 *
 * ```ts
 * const progress = progressFor(io, 'explain');
 * for (let i = 0; i < methods.length; i++) { await run(methods[i]); progress.update('methods', i + 1, methods.length, { method: methods[i] }); }
 * progress.end();
 * ```
 */
import type { TrainEvent } from '@xai-qc/core';

/** What progress is written to: `process.stderr`, or a buffer in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  /** True on an interactive terminal: progress is a redrawn bar, else JSON lines. */
  isTTY?: boolean;
}

/** Extra figures shown beside a bar or added to a JSON line. */
export type ProgressFields = Record<string, string | number | boolean>;

/** A reporter for one command's work. */
export interface Progress {
  /** `done` of `total` units of `stage` are complete (`total` 0 or less: unknown). */
  update(stage: string, done: number, total: number, fields?: ProgressFields): void;
  /** A one-off message (a stage that has no count, a fallback, a warning worth one line). */
  note(message: string, fields?: ProgressFields): void;
  /** Finishes the bar being drawn, if any. Call once the work is over, success or not. */
  end(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Command name added to every JSON line. */
  command?: string;
  /**
   * Least time between two redraws or JSON lines of one stage, in ms (default 100 on a
   * terminal, 1000 otherwise). A stage's first and last update always show, and so does
   * every update of a stage of at most 10 units (a few coarse steps never flood).
   */
  intervalMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** A reporter that writes nothing (results-only output, or tests that do not look at progress). */
export const silentProgress: Progress = { update() {}, note() {}, end() {} };

const BAR_WIDTH = 30;
const COARSE = 10;

function formatField(v: string | number | boolean): string {
  if (typeof v !== 'number' || Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(4).replace(/\.?0+$/, '') : v.toExponential(2);
}

/** A progress reporter writing to `stream`: a bar when `stream.isTTY`, else one JSON object per line. */
export function createProgress(stream: ProgressStream, o: ProgressOptions = {}): Progress {
  const tty = stream.isTTY === true;
  const now = o.now ?? (() => performance.now());
  const interval = o.intervalMs ?? (tty ? 100 : 1000);
  const t0 = now();
  let lastStage: string | undefined;
  let lastAt = -Infinity;
  let barOpen = false;
  const seconds = (): number => Math.round(now() - t0) / 1000;
  const closeBar = (): void => {
    if (barOpen) stream.write('\n');
    barOpen = false;
  };
  const json = (payload: Record<string, unknown>): void => {
    stream.write(`${JSON.stringify({ type: 'progress', ...(o.command ? { command: o.command } : {}), ...payload, seconds: seconds() })}\n`);
  };
  return {
    update(stage, done, total, fields = {}) {
      const first = stage !== lastStage;
      const last = total > 0 && done >= total;
      const t = now();
      const coarse = total > 0 && total <= COARSE;
      if (!first && !last && !coarse && t - lastAt < interval) return;
      lastAt = t;
      if (first && tty) closeBar();
      lastStage = stage;
      if (!tty) {
        json({ stage, done, ...(total > 0 ? { total } : {}), ...fields });
        return;
      }
      const extra = Object.entries(fields).map(([k, v]) => ` ${k} ${formatField(v)}`).join('');
      let bar: string;
      if (total > 0) {
        const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)));
        bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total}`;
      } else bar = `${done}`;
      stream.write(`\r${stage} ${bar}${extra} ${seconds().toFixed(1)} s\x1b[K`);
      barOpen = true;
      if (last) closeBar();
    },
    note(message, fields = {}) {
      if (!tty) {
        json({ message, ...fields });
        return;
      }
      closeBar();
      const extra = Object.entries(fields).map(([k, v]) => ` ${k} ${formatField(v)}`).join('');
      stream.write(`${message}${extra}\n`);
    },
    end() {
      if (tty) closeBar();
      lastStage = undefined;
    },
  };
}

/**
 * A reporter of named steps of one stage (load, run, write...): `step(name)` reports that
 * `name` started; `done()` that the last one finished.
 */
export function stepProgress(progress: Progress, stage: string, names: readonly string[]): { step(name: string): void; done(): void } {
  return {
    step: (name) => progress.update(stage, Math.max(0, names.indexOf(name)), names.length, { step: name }),
    done: () => progress.update(stage, names.length, names.length),
  };
}

/** Where a command's progress goes: a reporter on `io.progress`, or {@link silentProgress} when the caller gave no stream. */
export function progressFor(io: { progress?: ProgressStream }, command: string, o: Omit<ProgressOptions, 'command'> = {}): Progress {
  return io.progress ? createProgress(io.progress, { ...o, command }) : silentProgress;
}

/** A reporter for trainer events writing to `stream`: epochs and steps as a bar on a terminal, JSON lines otherwise. */
export function progressReporter(stream: ProgressStream): (e: TrainEvent) => void {
  const tty = stream.isTTY === true;
  const bar = createProgress(stream, { command: 'train' });
  return (e) => {
    if (!tty) {
      if (e.type === 'step' && e.step !== e.steps && e.step % 10 !== 0) return;
      const payload = e.type === 'epoch' ? { type: 'epoch', ...e.record, val: undefined, best: e.best } : e;
      stream.write(`${JSON.stringify(payload)}\n`);
      return;
    }
    if (e.type === 'step') bar.update(`epoch ${e.epoch}`, e.step, e.steps, { loss: e.loss, lr: e.lr });
    else if (e.type === 'epoch') {
      const r = e.record;
      bar.note(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, val ${r.valMetric.toFixed(4)}${e.best ? ' (best)' : ''}, ${r.imagesPerSecond.toFixed(0)} img/s, ${r.seconds.toFixed(1)} s`);
    } else if (e.type === 'resume') bar.note(`resuming at epoch ${e.epoch + 1}`);
    else if (e.type === 'loader') {
      if (e.fallbackReason) bar.note(`batches are made on the main thread (${e.fallbackReason})`);
    } else bar.note(`early stop at epoch ${e.epoch} (best ${e.bestEpoch})`);
  };
}
