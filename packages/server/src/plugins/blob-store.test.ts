import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app.ts';

describe('blob-store plugin', () => {
  it('sweeps on its interval and stops when the app closes', async () => {
    const t = await createTestApp('sqlite', { blobSweepIntervalMs: 20 });
    let calls = 0;
    const sweep = t.app.blobs.sweep.bind(t.app.blobs);
    t.app.blobs.sweep = async (options) => {
      calls += 1;
      return sweep(options);
    };
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBeGreaterThan(1);
    await t.close();
    const after = calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(after);
  });
});
