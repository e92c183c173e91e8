/**
 * Resumable checkpoints: a JSON header and one binary file of Float32 arrays (weights,
 * BatchNorm statistics, optimiser slots, best weights). The binary file is named by its
 * content hash and written first; the header, which names it, is written last and
 * atomically, so a crash at any point leaves the previous checkpoint whole. Bodies no
 * header names any more are removed after the header is in place.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { XqcError } from '../errors.ts';
import { ioError, writeFileAtomic } from '../io/atomic-write.ts';

/** What a checkpoint holds. */
export interface CheckpointData<M> {
  /** Free-form metadata (epoch, history, config hash...). */
  meta: M;
  arrays: Record<string, Float32Array>;
}

interface CheckpointHeader<M> {
  version: 2;
  meta: M;
  /** File name of the body in the checkpoint folder, and the SHA-256 of its bytes. */
  body: string;
  sha256: string;
  index: { key: string; offset: number; length: number }[];
}

const HEADER = 'checkpoint.json';
const BODY_PATTERN = /^checkpoint-[0-9a-f]{16}\.bin$/;

/**
 * Writes a checkpoint into `dir` (created when absent), replacing the one there.
 * @throws XQC_IO naming the file and the reason when a file cannot be written
 */
export async function saveCheckpoint<M>(dir: string, data: CheckpointData<M>): Promise<void> {
  const index: CheckpointHeader<M>['index'] = [];
  let offset = 0;
  for (const [key, a] of Object.entries(data.arrays)) {
    index.push({ key, offset, length: a.length });
    offset += a.length;
  }
  const body = new Float32Array(offset);
  for (const e of index) body.set(data.arrays[e.key], e.offset);
  const bytes = new Uint8Array(body.buffer);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const name = `checkpoint-${sha256.slice(0, 16)}.bin`;
  await writeFileAtomic(join(dir, name), bytes);
  const header: CheckpointHeader<M> = { version: 2, meta: data.meta, body: name, sha256, index };
  await writeFileAtomic(join(dir, HEADER), JSON.stringify(header));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw ioError('list', dir, cause);
  }
  for (const old of names.filter((n) => BODY_PATTERN.test(n) && n !== name)) {
    await rm(join(dir, old), { force: true }).catch((cause: unknown) => {
      throw ioError('remove', join(dir, old), cause);
    });
  }
}

/**
 * Reads the checkpoint in `dir`, or undefined when there is none.
 * @throws XQC_TRAIN when the header is unreadable or the body does not match it; XQC_IO when a file cannot be read
 */
export async function loadCheckpoint<M>(dir: string): Promise<CheckpointData<M> | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, HEADER), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', join(dir, HEADER), e);
  }
  let header: CheckpointHeader<M>;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new XqcError('XQC_TRAIN', `checkpoint in ${dir} is unreadable: ${(e as Error).message}`, { cause: e });
  }
  if (header.version !== 2 || typeof header.body !== 'string' || !BODY_PATTERN.test(header.body)) {
    throw new XqcError('XQC_TRAIN', `checkpoint in ${dir} has an unknown layout (version ${String(header.version)}; this version writes 2): start without --resume`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, header.body));
  } catch (cause) {
    throw ioError('read', join(dir, header.body), cause);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== header.sha256) throw new XqcError('XQC_TRAIN', `checkpoint in ${dir}: ${header.body} does not match its header`);
  const body = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  for (const e of header.index) {
    if (e.offset + e.length > body.length) throw new XqcError('XQC_TRAIN', `checkpoint in ${dir} is truncated`);
    arrays[e.key] = body.slice(e.offset, e.offset + e.length);
  }
  return { meta: header.meta, arrays };
}
