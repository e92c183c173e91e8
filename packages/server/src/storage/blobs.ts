/**
 * The app's blobs (`app.blobs`): bytes in a {@link BlobStore}, bookkeeping in the `blobs`
 * table. Invariants:
 * - a row that references a blob never points at missing bytes: callers `put` first and
 *   insert their row after (foreign keys to `blobs.sha256` enforce the order);
 * - a swept blob is never referenced: the sweep deletes only rows that no registered
 *   reference column names and that were not put within the grace period, and removes
 *   the file inside that same transaction.
 */
import { isForeignKeyViolation } from '../db/connect.ts';
import { ApiError } from '../errors/api-error.ts';
import type { BlobReference, BlobRepository } from '../repositories/blob.repository.ts';
import type { BlobStore } from './blob-store.ts';
import { isBlobKey, sha256Hex } from './blob-store.ts';

/** A stored blob. */
export interface BlobInfo {
  sha256: string;
  size: number;
  mediaType: string;
}

/** What a sweep did. */
export interface SweepResult {
  /** Keys removed (rows and bytes). */
  removed: string[];
}

/** Default time a freshly put blob is safe from the sweeper: one hour. */
export const DEFAULT_SWEEP_GRACE_MS = 60 * 60 * 1000;

/** Blob storage with reference-safe sweeping. */
export class Blobs {
  private readonly references: BlobReference[] = [];

  constructor(
    readonly store: BlobStore,
    private readonly repo: BlobRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Registers a column holding blob keys; the sweeper never removes a blob it names. */
  addReference(ref: BlobReference): void {
    if (!this.references.some((r) => r.table === ref.table && r.column === ref.column)) this.references.push({ ...ref });
  }

  /** The registered reference columns. */
  referenceColumns(): readonly BlobReference[] {
    return this.references;
  }

  /**
   * Stores `bytes` and records them: the row first (refreshing `last_put_at`, which keeps a
   * concurrent sweep off it), then the bytes. Insert referencing rows only after this resolves.
   * @param mediaType e.g. `application/octet-stream`, `image/png`.
   */
  async put(bytes: Uint8Array, mediaType: string): Promise<BlobInfo> {
    const sha256 = sha256Hex(bytes);
    await this.repo.touch(sha256, bytes.length, mediaType, this.clock().toISOString());
    await this.store.write(sha256, bytes);
    return { sha256, size: bytes.length, mediaType };
  }

  /**
   * The bytes of `sha256`.
   * @throws ApiError 404 XQC_NOT_FOUND when unknown; 500 XQC_BLOB_MISSING when the row exists but the bytes do not.
   */
  async get(sha256: string): Promise<{ bytes: Buffer; info: BlobInfo }> {
    const row = isBlobKey(sha256) ? await this.repo.find(sha256) : undefined;
    if (!row) throw new ApiError(404, 'XQC_NOT_FOUND', `blob ${sha256} not found`);
    const bytes = await this.store.read(sha256);
    if (!bytes) throw new ApiError(500, 'XQC_BLOB_MISSING', `blob ${sha256} has a row but no bytes`);
    return { bytes, info: { sha256, size: row.size, mediaType: row.media_type } };
  }

  /**
   * Removes blobs that no reference column names and that were last put more than `graceMs`
   * ago, at most `limit` per call. A blob still named by a foreign key of an unregistered
   * column is kept (the database refuses the delete).
   */
  async sweep(options: { graceMs?: number; limit?: number } = {}): Promise<SweepResult> {
    const cutoff = new Date(this.clock().getTime() - (options.graceMs ?? DEFAULT_SWEEP_GRACE_MS)).toISOString();
    const candidates = await this.repo.unreferencedBefore(cutoff, this.references, options.limit ?? 1000);
    const removed: string[] = [];
    for (const sha of candidates) {
      try {
        if (await this.repo.deleteIfUnreferenced(sha, cutoff, this.references, () => this.store.remove(sha))) removed.push(sha);
      } catch (e) {
        // A foreign key names the blob from a column nobody registered: the database kept the
        // row, the transaction rolled back before the file was touched, and the blob stays.
        if (!isForeignKeyViolation(e)) throw e;
      }
    }
    return { removed };
  }
}
