import { describe, expect, it } from 'vitest';
import { createProgress, progressFor, progressReporter, silentProgress, stepProgress } from './progress.ts';

function buffer(isTTY: boolean): { text: string[]; stream: { isTTY: boolean; write(s: string): void } } {
  const text: string[] = [];
  return { text, stream: { isTTY, write: (s: string) => void text.push(s) } };
}

describe('progress', () => {
  it('writes JSON lines off a terminal, throttled but with each stage first and last update', () => {
    const b = buffer(false);
    let t = 0;
    const p = createProgress(b.stream, { command: 'explain', intervalMs: 1000, now: () => t });
    for (let i = 1; i <= 50; i++) {
      t += 100;
      p.update('images', i, 50, { image: `m${i}` });
    }
    p.note('done');
    const lines = b.text.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.done ?? l.message)).toEqual([1, 11, 21, 31, 41, 50, 'done']);
    expect(lines[0]).toMatchObject({ type: 'progress', command: 'explain', stage: 'images', done: 1, total: 50, image: 'm1' });
    expect(lines[5].seconds).toBeCloseTo(5);
  });

  it('throttles a stage of unknown length too', () => {
    const b = buffer(false);
    let t = 0;
    const p = createProgress(b.stream, { intervalMs: 1000, now: () => t });
    for (let i = 1; i <= 30; i++) {
      t += 100;
      p.update('files', i, 0);
    }
    expect(b.text.map((l) => (JSON.parse(l) as { done: number; total?: number }).done)).toEqual([1, 11, 21]);
    expect(JSON.parse(b.text[0])).not.toHaveProperty('total');
  });

  it('shows every step of a coarse stage', () => {
    const b = buffer(false);
    const steps = stepProgress(createProgress(b.stream, { now: () => 0 }), 'grad', ['load', 'build', 'run']);
    steps.step('load');
    steps.step('build');
    steps.step('run');
    steps.done();
    const lines = b.text.map((l) => JSON.parse(l) as { done: number; step?: string });
    expect(lines.map((l) => [l.done, l.step])).toEqual([[0, 'load'], [1, 'build'], [2, 'run'], [3, undefined]]);
  });

  it('draws a bar on a terminal and closes it with a newline', () => {
    const b = buffer(true);
    let t = 0;
    const p = createProgress(b.stream, { now: () => t });
    p.update('images', 0, 4);
    t += 200;
    p.update('images', 2, 4, { loss: 0.123456 });
    t += 200;
    p.update('images', 4, 4);
    p.end();
    const out = b.text.join('');
    expect(out).toContain('\rimages [' + '#'.repeat(15) + '.'.repeat(15) + '] 2/4 loss 0.1235 0.2 s');
    expect(out).toContain('] 4/4');
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
  });

  it('goes nowhere when the caller gives no stream', () => {
    expect(progressFor({}, 'run')).toBe(silentProgress);
    const b = buffer(false);
    progressFor({ progress: b.stream }, 'run').note('x');
    expect(JSON.parse(b.text[0])).toMatchObject({ command: 'run', message: 'x' });
  });

  it('keeps the trainer event format: JSON lines every tenth step and each epoch', () => {
    const b = buffer(false);
    const report = progressReporter(b.stream);
    for (let step = 1; step <= 12; step++) report({ type: 'step', epoch: 1, step, steps: 12, loss: 1, lr: 0.1 });
    const steps = b.text.map((l) => JSON.parse(l) as { step: number }).map((l) => l.step);
    expect(steps).toEqual([10, 12]);
  });
});
