import { createImage, datasetImageSignals, decodeImageWithFormat, encodePng } from '@xai-qc/core';
import { describe, expect, it } from 'vitest';
import { QualityMeasurer } from './dataset-quality-compute.ts';

describe('QualityMeasurer', () => {
  it("measures files in its thread as the core does on the API thread, answers a file that does not decode with its reason, and refuses work once closed", async () => {
    const img = createImage(40, 30, 3, Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 37) % 251));
    const png = await encodePng(img);
    const m = await QualityMeasurer.start();
    let results;
    try {
      results = await m.measure([
        { path: 'a/ok.png', bytes: png },
        { path: 'a/bad.png', bytes: Buffer.from('\x89PNG\r\n\x1a\nnot a png') },
      ]);
    } finally {
      await m.close();
    }
    const d = await decodeImageWithFormat(png, { channels: 1 });
    expect(results[0]).toEqual({ path: 'a/ok.png', ok: true, format: 'png', signals: datasetImageSignals(d.image, d.original) });
    expect(results[1]).toMatchObject({ path: 'a/bad.png', ok: false, reason: expect.any(String) });
    await expect(m.measure([{ path: 'a/ok.png', bytes: png }])).rejects.toMatchObject({ code: 'XQC_COMPUTE_UNAVAILABLE' });
  });
});
