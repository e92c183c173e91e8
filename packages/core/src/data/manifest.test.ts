import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import type { ImageU8 } from '../image/image.types.ts';
import { encodePng } from '../image/image-encode.ts';
import { canonicalJson } from './canonical-json.ts';
import { readClassificationDataset, writeClassificationSample } from './classification-format.ts';
import { buildManifest, MANIFEST_FILE, manifestId, readManifest, verifyManifest, writeManifest } from './manifest.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xqc-manifest-'));
  for (let i = 0; i < 12; i++) {
    const label = i % 3 === 0 ? 'bad' : 'ok';
    const data = Uint8Array.from({ length: 16 * 16 * 3 }, (_, k) => (k * 7 + i * 13) & 255);
    await writeClassificationSample(dir, { stem: `img${i}`, label, image: { width: 16, height: 16, channels: 3, data } });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: true })).toBe('{"a":[{"c":null,"d":"x"}],"b":1,"e":true}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow();
  });
});

describe('dataset manifest', () => {
  it('lists every file with hash, size, label and a stratified split; id is the hash of its canonical JSON', async () => {
    const manifest = await buildManifest(await readClassificationDataset(dir), { seed: 4, ratios: { train: 0.5, val: 0.25, test: 0.25 } });
    expect(manifest.files).toHaveLength(12);
    expect(manifest.files.map((f) => f.path)).toEqual([...manifest.files.map((f) => f.path)].sort());
    const first = manifest.files[0];
    const bytes = await readFile(join(dir, first.path));
    expect(first.size).toBe(bytes.length);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    const bad = manifest.files.filter((f) => f.label === 'bad');
    expect(bad.filter((f) => f.split === 'train')).toHaveLength(2);
    expect(manifest.id).toBe(manifestId(manifest));
    const again = await buildManifest(await readClassificationDataset(dir), { seed: 4, ratios: { train: 0.5, val: 0.25, test: 0.25 } });
    expect(again.id).toBe(manifest.id);
  });

  it('changes id when one pixel of one image changes', async () => {
    const before = await buildManifest(await readClassificationDataset(dir));
    const path = join(dir, 'ok', 'img1.png');
    const original = await readFile(path);
    const data = Uint8Array.from({ length: 16 * 16 * 3 }, (_, k) => (k * 7 + 13) & 255);
    data[100] ^= 1;
    const changed: ImageU8 = { width: 16, height: 16, channels: 3, data };
    await writeFile(path, await encodePng(changed));
    const after = await buildManifest(await readClassificationDataset(dir));
    await writeFile(path, original);
    expect(after.id).not.toBe(before.id);
    expect(after.files.filter((f, i) => f.sha256 !== before.files[i].sha256).map((f) => f.path)).toEqual(['ok/img1.png']);
  });

  it('round-trips through manifest.json, rejects tampering and reports drift', async () => {
    const manifest = await buildManifest(await readClassificationDataset(dir), { seed: 1 });
    await writeManifest(dir, manifest);
    expect(await readManifest(dir)).toEqual(manifest);
    expect((await verifyManifest(dir, manifest)).ok).toBe(true);

    const tampered = { ...manifest, files: manifest.files.map((f, i) => (i === 0 ? { ...f, label: 'ok' } : f)) };
    await writeFile(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const error = await readManifest(join(dir, 'tampered.json')).catch((e: unknown) => e);
    expect(isXqcError(error, 'XQC_DATASET_INVALID')).toBe(true);
    await rm(join(dir, 'tampered.json'));

    const victim = join(dir, manifest.files[2].path);
    const original = await readFile(victim);
    await writeFile(victim, Buffer.concat([original, Buffer.from([0])]));
    await writeFile(join(dir, 'ok', 'extra.png'), original);
    const check = await verifyManifest(dir, manifest);
    await writeFile(victim, original);
    await rm(join(dir, 'ok', 'extra.png'));
    await rm(join(dir, MANIFEST_FILE));
    expect(check).toEqual({ ok: false, missing: [], changed: [manifest.files[2].path], unlisted: ['ok/extra.png'] });
  });

  it('has one id per content whatever the split seed and shares, so every command prints the same dataset hash', async () => {
    const listing = await readClassificationDataset(dir);
    const a = await buildManifest(listing, { seed: 0 });
    const b = await buildManifest(listing, { seed: 11, ratios: { train: 0.8, val: 0.2, test: 0 } });
    const none = await buildManifest(listing, { split: false });
    expect(a.files.map((f) => f.split)).not.toEqual(b.files.map((f) => f.split));
    expect(b.id).toBe(a.id);
    expect(none.id).toBe(a.id);
  });

  it('refuses a manifest.json whose split is not the one its seed and ratios draw', async () => {
    const m = await buildManifest(await readClassificationDataset(dir), { seed: 2 });
    const k = m.files.findIndex((f) => f.split === 'train');
    const moved = { ...m, files: m.files.map((f, i) => (i === k ? { ...f, split: 'test' as const } : f)) };
    const path = join(dir, 'moved.json');
    await writeFile(path, JSON.stringify(moved));
    const error = await readManifest(path).catch((e: unknown) => e);
    await rm(path);
    expect(isXqcError(error, 'XQC_DATASET_INVALID') && error.message).toMatch(/split of 1 file/);
  });

  it('still reads a version 1 manifest, whose id covered the split', async () => {
    const m = await buildManifest(await readClassificationDataset(dir), { seed: 3 });
    const { id: _id, ...body } = { ...m, version: 1 as const };
    const v1 = { ...body, id: '' };
    v1.id = createHash('sha256').update(canonicalJson(body)).digest('hex');
    expect(v1.id).not.toBe(m.id);
    const path = join(dir, 'v1.json');
    await writeFile(path, JSON.stringify(v1));
    const back = await readManifest(path);
    await rm(path);
    expect(back.id).toBe(v1.id);
  });
});

