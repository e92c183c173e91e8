import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-checkpoint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkpoints', () => {
  it('round-trips arrays and metadata, keeps one body and no temporary file', async () => {
    const ck = join(dir, 'a');
    expect(await loadCheckpoint(ck)).toBeUndefined();
    await saveCheckpoint(ck, { meta: { epoch: 1 }, arrays: { w: Float32Array.of(1, 2, 3), b: Float32Array.of(-1) } });
    await saveCheckpoint(ck, { meta: { epoch: 2 }, arrays: { w: Float32Array.of(4, 5, 6), b: Float32Array.of(-2) } });
    const back = await loadCheckpoint<{ epoch: number }>(ck);
    expect(back?.meta.epoch).toBe(2);
    expect(Array.from(back?.arrays.w ?? [])).toEqual([4, 5, 6]);
    expect(Array.from(back?.arrays.b ?? [])).toEqual([-2]);
    const names = (await readdir(ck)).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^checkpoint-[0-9a-f]{16}\.bin$/);
    expect(names[1]).toBe('checkpoint.json');
  });

  it('a body written without its header (a crash between the two) leaves the previous checkpoint whole', async () => {
    const ck = join(dir, 'b');
    await saveCheckpoint(ck, { meta: { epoch: 1 }, arrays: { w: Float32Array.of(7) } });
    await writeFile(join(ck, 'checkpoint-0123456789abcdef.bin'), new Uint8Array(new Float32Array([9, 9]).buffer));
    const back = await loadCheckpoint<{ epoch: number }>(ck);
    expect(back?.meta.epoch).toBe(1);
    expect(Array.from(back?.arrays.w ?? [])).toEqual([7]);
  });

  it('refuses a body that does not match its header', async () => {
    const ck = join(dir, 'c');
    await saveCheckpoint(ck, { meta: {}, arrays: { w: Float32Array.of(1, 2) } });
    const body = (await readdir(ck)).find((n) => n.endsWith('.bin')) as string;
    await writeFile(join(ck, body), new Uint8Array(new Float32Array([1, 3]).buffer));
    await expect(loadCheckpoint(ck)).rejects.toMatchObject({ code: 'XQC_TRAIN', message: expect.stringContaining('does not match') });
  });
});
