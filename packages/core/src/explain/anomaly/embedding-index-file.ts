/**
 * The embedding index on disk: `<name>.json` (format, version, dimension, provenance, the
 * entries in row order and the SHA-256 of the vectors) beside `<name>.f32` (the unit rows,
 * [count, dim] float32 little-endian, no header). Both files are written through a
 * temporary file and renamed, the vectors first and the JSON last, so a crash leaves
 * either the previous index or a JSON whose checksum exposes the mismatch.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { XqcError } from '../../errors.ts';
import type { CosineTopKOptions } from './cosine-top-k.ts';
import { EmbeddingIndex } from './embedding-index.ts';
import type { EmbeddingProvenance, IndexEntry } from './embedding-index.ts';

/** Value of the `format` field. */
export const EMBEDDING_INDEX_FORMAT = 'xai-qc-embedding-index';

/** Version written by this code; loading accepts exactly this version. */
export const EMBEDDING_INDEX_VERSION = 1;

/** Contents of the JSON file. */
export interface EmbeddingIndexMetadata {
  format: typeof EMBEDDING_INDEX_FORMAT;
  version: number;
  dim: number;
  count: number;
  dtype: 'float32';
  byteOrder: 'little-endian';
  /** File name of the vectors, relative to the JSON file. */
  vectors: string;
  /** Hex SHA-256 of the vector bytes. */
  sha256: string;
  provenance: EmbeddingProvenance;
  entries: IndexEntry[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The rows as little-endian float32 bytes. */
function toLittleEndian(rows: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(rows.buffer.slice(rows.byteOffset, rows.byteOffset + rows.byteLength));
  const out = new Uint8Array(rows.length * 4);
  const view = new DataView(out.buffer);
  rows.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function fromLittleEndian(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The index as metadata and vector bytes (what {@link saveEmbeddingIndex} writes, for
 * callers that store them elsewhere, such as an object store).
 * @param vectorsName file name recorded for the vectors (default 'index.f32')
 */
export function serializeEmbeddingIndex(index: EmbeddingIndex, vectorsName = 'index.f32'): { metadata: EmbeddingIndexMetadata; vectors: Uint8Array } {
  const vectors = toLittleEndian(index.vectors());
  const metadata: EmbeddingIndexMetadata = {
    format: EMBEDDING_INDEX_FORMAT,
    version: EMBEDDING_INDEX_VERSION,
    dim: index.dim,
    count: index.size,
    dtype: 'float32',
    byteOrder: 'little-endian',
    vectors: vectorsName,
    sha256: sha256(vectors),
    provenance: { ...index.provenance },
    entries: index.entries(),
  };
  return { metadata, vectors };
}

function invalid(message: string): never {
  throw new XqcError('XQC_IO', `embedding index: ${message}`);
}

/**
 * Rebuilds an index from {@link serializeEmbeddingIndex}'s output.
 * @throws XQC_IO when the metadata is not this format and version, or the vectors do not match it
 */
export function deserializeEmbeddingIndex(metadata: unknown, vectors: Uint8Array, options: CosineTopKOptions = {}): EmbeddingIndex {
  const m = metadata as Partial<EmbeddingIndexMetadata> | null;
  if (!m || typeof m !== 'object' || m.format !== EMBEDDING_INDEX_FORMAT) invalid(`not an ${EMBEDDING_INDEX_FORMAT} file`);
  if (m.version !== EMBEDDING_INDEX_VERSION) invalid(`version ${m.version} is not supported (this code reads version ${EMBEDDING_INDEX_VERSION})`);
  if (m.dtype !== 'float32' || m.byteOrder !== 'little-endian') invalid(`vectors must be little-endian float32, got ${m.dtype} ${m.byteOrder}`);
  const { dim, count, entries } = m;
  if (!Number.isInteger(dim) || (dim as number) < 1 || !Number.isInteger(count) || (count as number) < 0) invalid(`bad dimension ${dim} or count ${count}`);
  if (!Array.isArray(entries) || entries.length !== count) invalid(`${Array.isArray(entries) ? entries.length : 'no'} entries for count ${count}`);
  for (const e of entries) {
    if (!e || typeof e.id !== 'string' || typeof e.verdict !== 'string' || !(e.review === null || typeof e.review === 'string')) invalid(`malformed entry ${JSON.stringify(e)}`);
  }
  if (vectors.length !== (count as number) * (dim as number) * 4) invalid(`vectors hold ${vectors.length} bytes; ${count} x ${dim} float32 need ${(count as number) * (dim as number) * 4}`);
  if (sha256(vectors) !== m.sha256) invalid('the vectors do not match the checksum in the metadata');
  try {
    return EmbeddingIndex.restore(dim as number, entries, fromLittleEndian(vectors), m.provenance ?? {}, options);
  } catch (e) {
    throw new XqcError('XQC_IO', `embedding index: ${(e as Error).message}`, { cause: e });
  }
}

function vectorsPath(jsonPath: string): string {
  if (!jsonPath.endsWith('.json')) throw new XqcError('XQC_INVALID_ARGUMENT', `the index path must end in .json, got '${jsonPath}'`);
  return `${jsonPath.slice(0, -'.json'.length)}.f32`;
}

/**
 * Writes the index to `jsonPath` (ending in .json) and the vectors beside it (same name,
 * .f32), atomically as the module comment says.
 * @throws XQC_IO when a file cannot be written
 */
export async function saveEmbeddingIndex(index: EmbeddingIndex, jsonPath: string): Promise<void> {
  const binPath = vectorsPath(jsonPath);
  const { metadata, vectors } = serializeEmbeddingIndex(index, basename(binPath));
  const suffix = `${process.pid}.tmp`;
  try {
    await writeFile(`${binPath}.${suffix}`, vectors);
    await writeFile(`${jsonPath}.${suffix}`, `${JSON.stringify(metadata, null, 1)}\n`);
    await rename(`${binPath}.${suffix}`, binPath);
    await rename(`${jsonPath}.${suffix}`, jsonPath);
  } catch (e) {
    throw new XqcError('XQC_IO', `cannot write the embedding index ${jsonPath}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Reads an index written by {@link saveEmbeddingIndex}.
 * @throws XQC_IO when a file is missing or unreadable, or the contents are inconsistent
 */
export async function loadEmbeddingIndex(jsonPath: string, options: CosineTopKOptions = {}): Promise<EmbeddingIndex> {
  let metadata: unknown;
  let vectors: Uint8Array;
  try {
    metadata = JSON.parse(await readFile(jsonPath, 'utf8'));
    const name = (metadata as { vectors?: unknown } | null)?.vectors;
    if (typeof name !== 'string' || name !== basename(name)) invalid(`the vectors file name ${JSON.stringify(name)} is not a plain file name`);
    vectors = new Uint8Array(await readFile(join(dirname(jsonPath), name)));
  } catch (e) {
    if (e instanceof XqcError) throw e;
    throw new XqcError('XQC_IO', `cannot read the embedding index ${jsonPath}: ${(e as Error).message}`, { cause: e });
  }
  return deserializeEmbeddingIndex(metadata, vectors, options);
}
