/**
 * Content-addressed byte storage. A blob's key is the SHA-256 of its bytes (64 lowercase
 * hex characters), so the same bytes are stored once and a key always names the same bytes.
 * {@link BlobStore} is the seam for other backends (S3 later); {@link FsBlobStore} keeps
 * files under `<root>/<aa>/<sha256>`, written atomically (temporary file, then rename).
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
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

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const probe = join(this.root, `.ready-${process.pid}`);
    await writeFile(probe, 'ok');
    await unlink(probe);
  }
}
