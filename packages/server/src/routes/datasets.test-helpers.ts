/**
 * Synthetic datasets for dataset and run route tests: small PNGs made with the core's
 * encoder (dark images for `good`, a bright bar for `scratch`), archived with yazl or
 * tar-stream, and counters of what an app stored (rows, blob files, temporary folders).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, encodePng } from '@xai-qc/core';
import type { App } from '../app.ts';
import { multipartBody } from '../test/multipart.ts';

/** A `size` x `size` RGB PNG: dark noise, with a bright horizontal bar when `defect`. */
export async function pngOf(size: number, seed: number, defect: boolean): Promise<Buffer> {
  const img = createImage(size, size, 3);
  let s = seed * 7919 + 17;
  for (let i = 0; i < img.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    img.data[i] = 30 + (s % 40);
  }
  if (defect) {
    const row = 2 + (seed % (size - 4));
    for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) img.data[(row * size + x) * 3 + c] = 240;
  }
  return Buffer.from(await encodePng(img));
}

/** Files of a classification dataset: `perClass` images of `good` and of `scratch`, `size` pixels. */
export async function classificationFiles(perClass: number, size = 16): Promise<{ path: string; data: Buffer }[]> {
  const files: { path: string; data: Buffer }[] = [];
  for (let i = 0; i < perClass; i++) {
    files.push({ path: `good/g${i}.png`, data: await pngOf(size, i, false) });
    files.push({ path: `scratch/s${i}.png`, data: await pngOf(size, 100 + i, true) });
  }
  return files;
}

/** Uploads `archive` to `POST /datasets` with `headers`. */
export function uploadDataset(app: App, headers: Record<string, string>, archive: Buffer, fields: Record<string, string> = {}, filename = 'set.zip') {
  const form = multipartBody([{ name: 'archive', filename, data: archive }, ...Object.entries(fields).map(([name, data]) => ({ name, data }))]);
  return app.inject({ method: 'POST', url: '/api/xai-qc/datasets', headers: { ...headers, ...form.headers }, payload: form.payload });
}

/** Files under `dir`, recursively (0 when it does not exist). */
export function countFiles(dir: string): number {
  let n = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

/** Temporary folders the dataset and run code of an app with data folder `dataDir` left behind. */
export function tempFolders(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'tmp'));
  } catch {
    return [];
  }
}

/** Rows of the dataset tables and blob rows and files of `app`. */
export async function storedCounts(app: App, dataDir: string): Promise<Record<string, number>> {
  const count = async (table: 'datasets' | 'dataset_files' | 'blobs' | 'runs'): Promise<number> =>
    Number((await app.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { datasets: await count('datasets'), files: await count('dataset_files'), blobs: await count('blobs'), runs: await count('runs'), blobFiles: countFiles(join(dataDir, 'blobs')) };
}
