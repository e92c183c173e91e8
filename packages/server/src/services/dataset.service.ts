/**
 * Datasets of an account: upload an archive (read within limits, laid out in a temporary
 * folder only long enough for the core's reader to list and decode it, then removed),
 * store every file the reader admitted as a content-addressed blob plus the manifest, in
 * one transaction with the rows; list, get, delete (refused while a queued or running run
 * uses the dataset), and materialise a dataset's files into a folder for a run.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { DatasetFormat } from '@xai-qc/core';
import { buildManifest, canonicalJson, readDataset } from '@xai-qc/core';
import type { Transaction } from 'kysely';
import type { Principal } from '../auth/principal.ts';
import { isUniqueViolation } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import type { DatasetRow } from '../db/tables/datasets.tables.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors/api-error.ts';
import type { DatasetCursor, DatasetRepository } from '../repositories/dataset.repository.ts';
import type { DatasetDetailView, DatasetFormatName, DatasetStats, DatasetView } from '../schemas/dataset.schema.ts';
import { readArchive } from '../storage/archive-reader.ts';
import type { ArchiveFile, ArchiveLimits } from '../storage/archive-reader.ts';
import type { BlobInput } from '../storage/blobs.ts';
import { datasetStats } from './dataset-stats.ts';

/** What the service needs of the blob store. */
export interface DatasetBlobs {
  /** Puts `items` and runs `within` in one transaction (storage/blobs.ts putWith). */
  storeWith<T>(items: readonly BlobInput[], within: (keys: string[], trx: Transaction<Database>) => Promise<T>): Promise<T>;
  get(sha256: string): Promise<Buffer>;
  /** Removes now those of `keys` no row references. */
  release(keys: readonly string[]): Promise<void>;
}

/** An upload as the route read it. */
export interface DatasetUpload {
  bytes: Buffer;
  filename: string | null;
  name?: string;
  format?: DatasetFormatName;
}

/** Options of {@link DatasetService}. */
export interface DatasetServiceOptions {
  repo: DatasetRepository;
  blobs: DatasetBlobs;
  /** Archive limits (storage/archive-reader.ts defaults). */
  limits?: Partial<ArchiveLimits>;
  /** Parent of temporary dataset folders, created when missing (default the OS temp folder). */
  tempDir?: string;
  clock?: () => Date;
}

const NAME = /^[^\0/\\]{1,200}$/;

function toView(r: DatasetRow): DatasetView {
  return {
    id: r.id,
    name: r.name,
    format: r.format as DatasetFormatName,
    manifestHash: r.manifest_hash,
    manifestSha256: r.manifest_sha256,
    archiveKind: r.archive_kind as DatasetView['archiveKind'],
    fileCount: r.file_count,
    totalBytes: r.total_bytes,
    stats: JSON.parse(r.stats_json) as DatasetStats,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function encodeCursor(c: DatasetCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(s: string): DatasetCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // Falls through to the 400 below.
  }
  throw badRequest('XQC_INVALID_CURSOR', 'cursor: not a cursor this API returned; pass nextCursor from the previous page');
}

/**
 * The layout of `files` when the upload names none: `images/` and `masks/` at the top make a
 * segmentation dataset, anything else a classification one. The anomalib layout looks like a
 * classification one (`good/`, `<defect>/`), so it must be named.
 */
export function detectFormat(files: readonly ArchiveFile[]): DatasetFormat {
  const top = new Set(files.map((f) => f.path.split('/')[0]));
  return top.has('images') && top.has('masks') ? 'segmentation' : 'classification';
}

/** Writes `files` under `root` (their paths are normalised and relative, see archive-reader.ts). */
export async function writeFiles(root: string, files: Iterable<{ path: string; bytes: Uint8Array }>): Promise<void> {
  const made = new Set<string>();
  for (const f of files) {
    const dir = dirname(join(root, f.path));
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await writeFile(join(root, f.path), f.bytes);
  }
}

/** Dataset logic over its repository and the blob store. */
export class DatasetService {
  private readonly repo: DatasetRepository;
  private readonly blobs: DatasetBlobs;
  private readonly clock: () => Date;

  constructor(private readonly options: DatasetServiceOptions) {
    this.repo = options.repo;
    this.blobs = options.blobs;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Reads, checks and stores an uploaded archive; an identical dataset of the account (same
   * manifest hash) is returned instead of stored again. Nothing is stored when anything fails.
   * @throws ApiError 4xx from the archive reader; 422 XQC_DATASET_INVALID when the layout has no usable image
   */
  async upload(principal: Principal, upload: DatasetUpload): Promise<{ dataset: DatasetView; deduplicated: boolean }> {
    const name = upload.name ?? basename((upload.filename ?? 'dataset').replace(/\\/g, '/')).replace(/\.(zip|tar|tar\.gz|tgz)$/i, '');
    if (!NAME.test(name)) throw new ApiError(400, 'XQC_INVALID_ARGUMENT', 'name: 1 to 200 characters, no slash, backslash or NUL');
    const archive = await readArchive(upload.bytes, this.options.limits);
    const format = upload.format ?? detectFormat(archive.files);
    const byPath = new Map(archive.files.map((f) => [f.path, f.bytes]));
    const parent = this.options.tempDir ?? tmpdir();
    await mkdir(parent, { recursive: true });
    const tmp = await mkdtemp(join(parent, 'xqc-dataset-'));
    let manifest: Awaited<ReturnType<typeof buildManifest>>;
    let stats: DatasetStats;
    try {
      await writeFiles(tmp, archive.files);
      const listing = await readDataset(format, tmp, { verify: 'decode' });
      if (listing.samples.length === 0) {
        throw new ApiError(422, 'XQC_DATASET_INVALID', `no usable image in the ${format} layout (${listing.skipped.length} file(s) skipped: ${listing.skipped.slice(0, 3).map((s) => `${s.path}: ${s.reason}`).join('; ')})`);
      }
      manifest = await buildManifest(listing, { split: false });
      stats = await datasetStats(listing, (p) => byPath.get(p));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const existing = await this.repo.findByHash(principal.accountId, manifest.id);
    if (existing) return { dataset: toView(existing), deduplicated: true };

    const manifestBytes = Buffer.from(canonicalJson(manifest));
    const stored = manifest.files.map((f) => ({ ...f, bytes: byPath.get(f.path) as Buffer }));
    const unique = new Map<string, BlobInput>();
    for (const f of stored) unique.set(f.sha256, { bytes: f.bytes, mediaType: 'application/octet-stream' });
    const items = [{ bytes: manifestBytes, mediaType: 'application/json' }, ...unique.values()];
    const id = randomUUID();
    const row: DatasetRow = {
      id,
      account_id: principal.accountId,
      name,
      format,
      manifest_hash: manifest.id,
      manifest_sha256: '',
      archive_kind: archive.kind,
      file_count: stored.length,
      total_bytes: stored.reduce((s, f) => s + f.size, 0),
      stats_json: JSON.stringify(stats),
      created_at: this.clock().toISOString(),
      created_by: principal.subject,
    };
    try {
      await this.blobs.storeWith(items, async ([manifestKey], trx) => {
        row.manifest_sha256 = manifestKey;
        await this.repo.insert(trx, row, stored.map((f) => ({ dataset_id: id, path: f.path, blob_sha256: f.sha256, size: f.size, role: f.role, label: f.label })));
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // The same dataset was uploaded concurrently and won.
      const winner = await this.repo.findByHash(principal.accountId, manifest.id);
      if (!winner) throw e;
      return { dataset: toView(winner), deduplicated: true };
    }
    return { dataset: toView(row), deduplicated: false };
  }

  /** A page of the account's datasets, newest first. */
  async list(principal: Principal, q: { limit?: number; cursor?: string }): Promise<{ items: DatasetView[]; nextCursor: string | null }> {
    const page = await this.repo.list(principal.accountId, q.limit ?? 50, q.cursor === undefined ? undefined : decodeCursor(q.cursor));
    return { items: page.items.map(toView), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** The dataset row `id` of the caller's account. @throws 404 */
  async row(accountId: string, id: string): Promise<DatasetRow> {
    const row = await this.repo.find(accountId, id);
    if (!row) throw notFound(`dataset ${id}`);
    return row;
  }

  /** A dataset with its files. @throws 404 */
  async get(principal: Principal, id: string): Promise<DatasetDetailView> {
    const row = await this.row(principal.accountId, id);
    const files = await this.repo.files(id);
    return { ...toView(row), files: files.map((f) => ({ path: f.path, sha256: f.blob_sha256, size: f.size, role: f.role as 'image', label: f.label })) };
  }

  /**
   * Deletes a dataset and releases the blobs no other row names.
   * @throws 404; 409 XQC_DATASET_IN_USE while a queued or running run uses it
   */
  async delete(principal: Principal, id: string): Promise<DatasetView> {
    const row = await this.row(principal.accountId, id);
    const res = await this.repo.delete(principal.accountId, id);
    if (!res) throw notFound(`dataset ${id}`);
    if ('busy' in res) throw conflict('XQC_DATASET_IN_USE', `dataset ${id} is used by queued or running run(s) ${res.busy.join(', ')}; cancel them or wait until they end`);
    await this.blobs.release(res.blobs);
    return toView(row);
  }

  /**
   * Writes the files of dataset `id` of `accountId` under `root` (created), from their blobs.
   * @returns the dataset row
   */
  async materialise(accountId: string, id: string, root: string): Promise<DatasetRow> {
    const row = await this.row(accountId, id);
    const files = await this.repo.files(id);
    await mkdir(root, { recursive: true });
    const made = new Set<string>();
    for (const f of files) {
      const dir = dirname(join(root, f.path));
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      await writeFile(join(root, f.path), await this.blobs.get(f.blob_sha256));
    }
    return row;
  }
}
