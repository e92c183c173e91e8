import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseModelCardYaml } from '@xai-qc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ExplainRunner, ExplainWorkerError } from './explain-runner.ts';
import type { ExplainModel, ExplainTask } from './explain.types.ts';

const CLASSIFIER = fileURLToPath(new URL('../../../../models/surface-classifier/', import.meta.url));

describe('ExplainRunner', () => {
  const runner = new ExplainRunner({ idleMs: 20 });
  afterAll(async () => runner.close());

  it('runs on its thread, sends the model once, stops when idle and starts again', async () => {
    const image = await sharp({ create: { width: 40, height: 32, channels: 3, background: { r: 120, g: 90, b: 60 } } }).png().toBuffer();
    const loads: string[] = [];
    const model = async (): Promise<ExplainModel> => {
      loads.push('load');
      return { onnx: await readFile(`${CLASSIFIER}model.onnx`), cardJson: JSON.stringify(parseModelCardYaml(await readFile(`${CLASSIFIER}model_card.yaml`, 'utf8'))) };
    };
    const task: Omit<ExplainTask, 'model'> = { key: 'v1', image, maxSide: 1024, maxPixels: 1e7, methods: ['saliency'], seed: 0, params: {}, colormap: 'jet', opacity: 0.5 };
    const stages: string[] = [];
    const a = await runner.run(task, model, (e) => stages.push(e.stage));
    const b = await runner.run(task, model);
    expect(loads).toHaveLength(1);
    expect(stages).toEqual(['predict', 'method saliency', 'quality']);
    expect(a.methods[0]).toMatchObject({ method: 'saliency', width: 40, height: 32 });
    expect(Buffer.from(b.methods[0].heatmapNpy).equals(Buffer.from(a.methods[0].heatmapNpy))).toBe(true);
    // Idle past idleMs: the thread stops; the next request starts a fresh one and sends the model again.
    await new Promise((r) => setTimeout(r, 200));
    const c = await runner.run(task, model);
    expect(loads).toHaveLength(2);
    expect(Buffer.from(c.methods[0].heatmapNpy).equals(Buffer.from(a.methods[0].heatmapNpy))).toBe(true);
    // A failure of the computation comes back with the core's code.
    await expect(runner.run({ ...task, methods: ['anomalymap'] }, model)).rejects.toBeInstanceOf(ExplainWorkerError);
    await expect(runner.run({ ...task, methods: ['anomalymap'] }, model)).rejects.toMatchObject({ code: 'XQC_EXPLAIN' });
  });
});
