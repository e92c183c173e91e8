/**
 * The anomaly task of the run worker (core's trainAnomalyMethod in a worker thread): the
 * simulated method reports each training step with the time it has left, and a cancel stops
 * it at its next step by itself, long before the worker would be terminated.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAnomalySample } from '@xai-qc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textured } from '../test/simulated-detector.ts';
import { runInWorker } from './run-in-worker.ts';
import type { WorkerReply } from './run-protocol.ts';

type Progress = Extract<WorkerReply, { type: 'progress' }>;

describe('run worker: anomaly method simulated', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'xqc-run-worker-'));
    for (let i = 0; i < 8; i++) await writeAnomalySample(join(root, 'data'), { stem: `g${i}`, label: 'good', image: textured(i + 1) });
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('stops a simulated fit at the next step once cancelled, without being terminated', async () => {
    const controller = new AbortController();
    const steps: Progress[] = [];
    let abortedAt = 0;
    const task = {
      op: 'train-anomaly',
      options: { method: 'simulated', data: join(root, 'data'), out: join(root, 'out'), timeBudgetSeconds: 600, ratios: { train: 0.5, val: 0.5, test: 0 }, simulated: { width: 4, depth: 2, batchSize: 2, threads: 1 } },
    } as const;
    const run = runInWorker(task, {
      signal: controller.signal,
      // A worker that had to be terminated would take this long: stopping sooner proves it stopped itself.
      graceMs: 60_000,
      onMessage: (m) => {
        if (m.type !== 'progress' || m.phase !== 'train') return;
        steps.push(m);
        if (steps.length === 2 && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort(Object.assign(new Error('cancelled by the test'), { code: 'XQC_JOB_CANCELLED' }));
        }
      },
    });
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(performance.now() - abortedAt).toBeLessThan(10_000);
    expect(steps[0]).toMatchObject({ phase: 'train', done: 1, elapsedSeconds: expect.any(Number), remainingSeconds: expect.any(Number) });
    expect(steps[0].remainingSeconds).toBeGreaterThan(500);
  });
});
