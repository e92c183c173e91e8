/** The registry refuses the combined anomaly detector (anomaly.json format `xai-qc.combined`) with a stable 422. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinySimulatedDetector } from '../test/simulated-detector.ts';
import type { SimulatedDetector } from '../test/simulated-detector.ts';
import { validateModelUpload } from './model-validation.ts';

let det: SimulatedDetector;

beforeAll(async () => {
  det = await trainTinySimulatedDetector('tiny-for-combined');
}, 120_000);

afterAll(async () => {
  await det?.remove();
});

describe('validateModelUpload and the combined format', () => {
  it('accepts the simulated part as it is, and refuses a combined anomaly.json with XQC_MODEL_INVALID naming the part', async () => {
    await expect(validateModelUpload(det.parts)).resolves.toMatchObject({ card: { task: 'anomaly' } });
    const parts = new Map(det.parts);
    const config = JSON.parse(new TextDecoder().decode(parts.get('anomaly'))) as Record<string, unknown>;
    parts.set('anomaly', new TextEncoder().encode(JSON.stringify({ ...config, format: 'xai-qc.combined' })));
    await expect(validateModelUpload(parts)).rejects.toMatchObject({
      status: 422,
      code: 'XQC_MODEL_INVALID',
      message: expect.stringMatching(/format 'xai-qc\.combined'.*does not take combined detectors yet: upload one of its parts/) as unknown as string,
      fieldErrors: [{ field: 'anomaly', message: expect.any(String) as unknown as string }],
    });
  });
});
