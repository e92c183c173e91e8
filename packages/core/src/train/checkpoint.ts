/**
 * Resumable checkpoints: a JSON header and one binary file of Float32 arrays (weights,
 * BatchNorm statistics, optimiser slots, best weights), both written atomically, the
 * header last so a crash mid-write leaves the previous checkpoint valid.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XqcError } from '../errors.ts';

/** What a checkpoint holds. */
export interface CheckpointData<M> {
  /** Free-form metadata (epoch, history, config hash...). */
  meta: M;
  arrays: Record<string, Float32Array>;
}

const HEADER = 'checkpoint.json';
const BODY = 'checkpoint.bin';

/** Writes a checkpoint into `dir` (which must exist). */
export async function saveCheckpoint<M>(dir: string, data: CheckpointData<M>): Promise<void> {
  const index: { key: string; offset: number; length: number }[] = [];
  let offset = 0;
  for (const [key, a] of Object.entries(data.arrays)) {
    index.push({ key, offset, length: a.length });
    offset += a.length;
  }
  const body = new Float32Array(offset);
  for (const e of index) body.set(data.arrays[e.key], e.offset);
  const tmpBody = join(dir, `${BODY}.tmp`);
  const tmpHeader = join(dir, `${HEADER}.tmp`);
  await writeFile(tmpBody, new Uint8Array(body.buffer));
  await writeFile(tmpHeader, JSON.stringify({ version: 1, meta: data.meta, index }));
  await rename(tmpBody, join(dir, BODY));
  await rename(tmpHeader, join(dir, HEADER));
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export async function loadCheckpoint<M>(dir: string): Promise<CheckpointData<M> | undefined> {
  let header: { version: number; meta: M; index: { key: string; offset: number; length: number }[] };
  try {
    header = JSON.parse(await readFile(join(dir, HEADER), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new XqcError('XQC_TRAIN', `checkpoint in ${dir} is unreadable: ${(e as Error).message}`, { cause: e });
  }
  const bytes = await readFile(join(dir, BODY));
  const body = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  for (const e of header.index) {
    if (e.offset + e.length > body.length) throw new XqcError('XQC_TRAIN', `checkpoint in ${dir} is truncated`);
    arrays[e.key] = body.slice(e.offset, e.offset + e.length);
  }
  return { meta: header.meta, arrays };
}
