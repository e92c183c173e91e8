/**
 * Content-addressed byte storage. A blob's key is the SHA-256 of its bytes (64 lowercase
 * hex characters), so the same bytes are stored once and a key always names the same bytes.
 * {@link BlobStore} is the seam for other backends (S3 later); {@link FsBlobStore} keeps
 * files under `<root>/<aa>/<sha256>`, written atomically (temporary file, then rename).
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@xai-qc/core';

/** The SHA-256 of `bytes` as 64 lowercase hex characters. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `key` is a SHA-256 hex key. */
export function isBlobKey(key: string): boolean {
  return /^[0-9a-f]{64}$/.test(key);
}

/** Where blob bytes live. Keys are SHA-256 hex of the bytes; implementations never rename a key. */
export interface BlobStore {
  /** Stores `bytes` under `key` (their SHA-256) unless present; atomic: readers see all or nothing. */
  write(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes of `key`; undefined when absent. */
  read(key: string): Promise<Buffer | undefined>;
  /** True when `key` is stored. */
  has(key: string): Promise<boolean>;
  /** Removes `key`; absent keys are not an error. */
  remove(key: string): Promise<void>;
  /** Throws unless the store can be written and read now (readiness). */
  check(): Promise<void>;
  /**
   * Every file of the store: blobs (`key` set) and leftovers of interrupted writes (`key`
   * undefined), for the sweeper and the audit. Order unspecified.
   */
  list(): AsyncIterable<StoredFile>;
  /** Removes a leftover named by {@link StoredFile.name} (never a blob). */
  removeLeftover(name: string): Promise<void>;
}

/** One file of a {@link BlobStore}. */
export interface StoredFile {
  /** The blob key, or undefined for a leftover (an interrupted write's temporary file). */
  key: string | undefined;
  /** Store-relative name, e.g. `ab/ab12...` or `ab/.ab12....tmp`. */
  name: string;
  size: number;
  modifiedAt: Date;
}

function assertKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`blob key must be 64 lowercase hex characters, got '${key.slice(0, 80)}'`);
}

/** Blobs as files under `root/<first two hex>/<sha256>`. */
export class FsBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  /** Path of `key`'s file. */
  pathOf(key: string): string {
    assertKey(key);
    return join(this.root, key.slice(0, 2), key);
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.length) return;
    await writeFileAtomic(path, bytes);
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async has(key: string): Promise<boolean> {
    return access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async remove(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async *list(): AsyncIterable<StoredFile> {
    const shards = await readdir(this.root, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    for (const shard of shards) {
      if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
      for (const file of await readdir(join(this.root, shard.name), { withFileTypes: true })) {
        if (!file.isFile()) continue;
        const name = `${shard.name}/${file.name}`;
        const st = await stat(join(this.root, name)).catch(() => undefined);
        if (!st) continue; // removed meanwhile
        const key = isBlobKey(file.name) && file.name.startsWith(shard.name) ? file.name : undefined;
        yield { key, name, size: st.size, modifiedAt: st.mtime };
      }
    }
  }

  async removeLeftover(name: string): Promise<void> {
    const m = /^([0-9a-f]{2})\/(\.[0-9a-f]{64}\.[0-9a-f]+\.tmp)$/.exec(name);
    if (!m) throw new Error(`not a leftover of an interrupted write: '${name.slice(0, 120)}'`);
    await unlink(join(this.root, m[1], m[2])).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.ready-${process.pid}`);
    await writeFile(probe, 'ok');
    await unlink(probe);
  }
}
