/**
 * The app's blobs (`app.blobs`): bytes in a {@link BlobStore}, bookkeeping in the `blobs`
 * table. Invariants:
 * - a row that references a blob never points at missing bytes: callers `put` first and
 *   insert their row after (foreign keys to `blobs.sha256` enforce the order);
 * - a swept blob is never referenced: the sweep deletes only rows that no registered
 *   reference column names and that were not put within the grace period, and removes
 *   the file inside that same transaction.
 *
 * `put` skips the store (and its existence check) for bytes whose row already existed and
 * that this process has itself stored or found stored since: a row can outlive its bytes
 * only when a write failed after the row was inserted, and such a key never enters that set;
 * a removal (sweep or release, here or in another process) deletes the row with the file,
 * so the next put inserts the row again and writes the bytes.
 *
 * `putWith` stores several blobs and runs the caller's inserts of the rows that reference
 * them in one transaction: the bytes are on disk before it commits, and a failure commits
 * nothing (and removes the bytes of blobs whose rows it had created). For blobs in that set
 * it skips the row too, relying on the referencing rows' foreign keys to find a removed one.
 */
import type { Transaction } from 'kysely';
import { isForeignKeyViolation } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
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
  /** Keys whose bytes were on disk without a row (a writer stopped before its commit), removed. */
  strayFiles: string[];
  /** Leftover temporary files of interrupted writes, removed. */
  leftovers: number;
}

/**
 * What {@link Blobs.audit} finds: everything a crash or a bug could leave behind. A healthy
 * store after a sweep with no grace period has every list empty.
 */
export interface BlobAudit {
  /** Blob rows no registered column names (the sweeper removes them after the grace period). */
  unreferenced: string[];
  /** Blob rows whose bytes are missing (never repaired automatically: reported). */
  missingBytes: string[];
  /** Files of the store with no row (a writer stopped between its bytes and its commit). */
  strayFiles: string[];
  /** Temporary files of interrupted writes. */
  leftovers: string[];
}

/** Bytes to store and their media type (e.g. `image/png`). */
export interface BlobInput {
  bytes: Uint8Array;
  mediaType: string;
}

/** Default time a freshly put blob is safe from the sweeper: one hour. */
export const DEFAULT_SWEEP_GRACE_MS = 60 * 60 * 1000;

/** How many keys {@link Blobs} remembers as stored by this process (least recently put dropped first). */
export const STORED_KEYS_LIMIT = 4096;

/** Blob storage with reference-safe sweeping. */
export class Blobs {
  private readonly references: BlobReference[] = [];
  /** Keys this process wrote or found in the store, least recently put first. */
  private readonly stored = new Set<string>();

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
    const rowExisted = await this.repo.touch(sha256, bytes.length, mediaType, this.clock().toISOString());
    const known = this.stored.delete(sha256);
    if (!(rowExisted && known)) await this.store.write(sha256, bytes);
    this.remember(sha256);
    return { sha256, size: bytes.length, mediaType };
  }

  /**
   * Stores `items` and runs `within` in one transaction; `within` must insert rows whose
   * foreign keys name every item (they reference it from the commit on, so no sweep can take
   * it). Bytes this process has not stored yet are written before the transaction
   * (content-addressed, so an extra copy is harmless); inside it their rows are inserted or
   * refreshed and the store is checked again (a sweep may have removed the bytes meanwhile)
   * before `within` runs. A blob this process stored before is neither touched nor written:
   * the foreign keys of `within`'s rows check that its row still exists, and if one was
   * removed meanwhile the transaction fails with a foreign-key violation and runs once more
   * with every item put afresh. When anything throws, nothing commits and the bytes of blobs
   * whose rows this call created are removed before the rollback.
   * @returns what `within` returns, after the commit.
   */
  async putWith<T>(items: readonly BlobInput[], within: (infos: BlobInfo[], trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const infos = items.map((i) => ({ sha256: sha256Hex(i.bytes), size: i.bytes.length, mediaType: i.mediaType }));
    let result: T;
    try {
      result = await this.putInTransaction(items, infos, within, true);
    } catch (e) {
      if (!isForeignKeyViolation(e)) throw e;
      for (const info of infos) this.stored.delete(info.sha256);
      result = await this.putInTransaction(items, infos, within, false);
    }
    for (const info of infos) this.remember(info.sha256);
    return result;
  }

  private async putInTransaction<T>(
    items: readonly BlobInput[],
    infos: BlobInfo[],
    within: (infos: BlobInfo[], trx: Transaction<Database>) => Promise<T>,
    trustStored: boolean,
  ): Promise<T> {
    const fresh = infos.map((info) => !(trustStored && this.stored.has(info.sha256)));
    for (let k = 0; k < items.length; k++) if (fresh[k]) await this.store.write(infos[k].sha256, items[k].bytes);
    return this.repo.transaction(async (repo, trx) => {
      const now = this.clock().toISOString();
      const created: string[] = [];
      try {
        for (let k = 0; k < items.length; k++) {
          if (!fresh[k]) continue;
          const { sha256, size, mediaType } = infos[k];
          if (!(await repo.touch(sha256, size, mediaType, now))) created.push(sha256);
          this.stored.delete(sha256);
          await this.store.write(sha256, items[k].bytes);
        }
        return await within(infos, trx);
      } catch (e) {
        for (const sha256 of created) await this.removeBytes(sha256);
        throw e;
      }
    });
  }

  /** Marks `sha256` as stored by this process, most recently put last. */
  private remember(sha256: string): void {
    this.stored.delete(sha256);
    this.stored.add(sha256);
    if (this.stored.size > STORED_KEYS_LIMIT) this.stored.delete(this.stored.values().next().value as string);
  }

  /**
   * Removes now, without a grace period, each of `keys` that no registered column names
   * (rows and bytes), for a caller that just deleted the rows naming them.
   * @returns the keys removed
   */
  async release(keys: readonly string[]): Promise<string[]> {
    const cutoff = new Date(this.clock().getTime() + 1).toISOString();
    const removed: string[] = [];
    for (const sha of keys) if (await this.repo.deleteIfUnreferenced(sha, cutoff, this.references, () => this.removeBytes(sha))) removed.push(sha);
    return removed;
  }

  private async removeBytes(sha256: string): Promise<void> {
    this.stored.delete(sha256);
    await this.store.remove(sha256);
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
   * column is kept (the database refuses the delete). Then removes, with the same grace
   * period, bytes on disk that have no row (each under a placeholder row, so a writer of the
   * same bytes waits and stores them afresh) and leftover temporary files.
   */
  async sweep(options: { graceMs?: number; limit?: number } = {}): Promise<SweepResult> {
    const cutoffDate = new Date(this.clock().getTime() - (options.graceMs ?? DEFAULT_SWEEP_GRACE_MS));
    const cutoff = cutoffDate.toISOString();
    const limit = options.limit ?? 1000;
    const candidates = await this.repo.unreferencedBefore(cutoff, this.references, limit);
    const removed: string[] = [];
    for (const sha of candidates) {
      try {
        if (await this.repo.deleteIfUnreferenced(sha, cutoff, this.references, () => this.removeBytes(sha))) removed.push(sha);
      } catch (e) {
        // A foreign key names the blob from a column nobody registered: the database kept the
        // row, the transaction rolled back before the file was touched, and the blob stays.
        if (!isForeignKeyViolation(e)) throw e;
      }
    }
    const strayFiles: string[] = [];
    let leftovers = 0;
    for await (const file of this.store.list()) {
      if (strayFiles.length + leftovers >= limit) break;
      if (file.modifiedAt.getTime() >= cutoffDate.getTime()) continue;
      if (file.key === undefined) {
        await this.store.removeLeftover(file.name);
        leftovers++;
      } else if (!(await this.repo.find(file.key))) {
        const key = file.key;
        if (await this.repo.removeIfRowless(key, file.size, () => this.removeBytes(key))) strayFiles.push(key);
      }
    }
    return { removed, strayFiles, leftovers };
  }

  /**
   * Lists what is out of step between the rows and the files, without changing anything:
   * unreferenced rows, rows without bytes, bytes without rows, temporary leftovers. Reads
   * every row and file: for tests, crash checks and `xaiqc admin`, not for a request path.
   */
  async audit(): Promise<BlobAudit> {
    const unreferenced = await this.repo.unreferencedBefore('9999-12-31T23:59:59.999Z', this.references, Number.MAX_SAFE_INTEGER);
    const files = new Set<string>();
    const leftovers: string[] = [];
    for await (const file of this.store.list()) {
      if (file.key === undefined) leftovers.push(file.name);
      else files.add(file.key);
    }
    const missingBytes: string[] = [];
    let after = '';
    for (;;) {
      const keys = await this.repo.keysAfter(after, 1000);
      for (const key of keys) {
        if (!files.delete(key)) missingBytes.push(key);
      }
      if (keys.length < 1000) break;
      after = keys[keys.length - 1];
    }
    return { unreferenced: unreferenced.sort(), missingBytes, strayFiles: [...files].sort(), leftovers: leftovers.sort() };
  }
}
