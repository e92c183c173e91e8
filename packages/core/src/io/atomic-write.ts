/**
 * The one way core and the CLI write files: bytes go to a sibling temporary file that is
 * renamed over the target, so a reader never sees a half-written file and a failure
 * leaves nothing behind. Folders of results are staged the same way ({@link stageFolder}).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';

/** Bytes or UTF-8 text to write. */
export type FileData = Uint8Array | string;

/** `XQC_IO` naming the path and the system's reason (`ENOENT`, `EACCES`, ...). */
export function ioError(action: string, path: string, cause: unknown): XqcError {
  const reason = describeIoCause(cause);
  return new XqcError('XQC_IO', `cannot ${action} ${path}${reason ? `: ${reason}` : ''}`, { cause });
}

function describeIoCause(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const e = cause as { code?: unknown; message?: unknown };
    if (typeof e.code === 'string') {
      const reasons: Record<string, string> = {
        ENOENT: 'no such file or directory',
        EACCES: 'permission denied',
        EPERM: 'operation not permitted',
        EISDIR: 'is a directory',
        ENOTDIR: 'a parent is not a directory',
        ENOSPC: 'no space left on device',
        EROFS: 'read-only file system',
        EEXIST: 'already exists',
        ENOTEMPTY: 'directory not empty',
      };
      return `${reasons[e.code] ?? 'error'} (${e.code})`;
    }
    if (typeof e.message === 'string') return e.message;
  }
  return '';
}

/**
 * Writes `data` to `path` atomically: a temporary file beside it, then a rename. Parent
 * folders are created. On any failure the temporary file is removed. `options.mode` sets the
 * file's permissions from the start (0o600 for secrets), not after the rename.
 * @throws XQC_IO with the path and the reason
 */
export async function writeFileAtomic(path: string, data: FileData, options: { mode?: number } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    await rename(tmp, path);
  } catch (cause) {
    // The temporary may not exist, or its parent may not be a folder; the first failure is the one to report.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError('write', path, cause);
  }
}

/** Where a produced artifact went: its name in the sink, its size and, for folders, its path. */
export interface ArtifactRef {
  /** The name the producer gave it (a relative path such as `maps/gradcam.png`). */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** Where a reader finds it: a file path for a folder sink, a key or URL for a blob store. */
  readonly location: string;
}

/**
 * A destination for named artifacts (PNG maps, JSON summaries, .npy arrays, models). The
 * CLI writes into a folder ({@link FolderSink}); the server passes its blob store; tests
 * use {@link MemorySink}. Producers never touch the file system directly.
 */
export interface ArtifactSink {
  /** Stores `data` under `name` (a relative path with `/` separators), replacing any earlier one. */
  put(name: string, data: FileData, contentType?: string): Promise<ArtifactRef>;
}

/** Throws unless `name` is a relative path that stays inside its sink. */
export function checkArtifactName(name: string): void {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || name.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `artifact name ${JSON.stringify(name)} must be a relative path without '.', '..' or empty parts`);
  }
}

/** An {@link ArtifactSink} over a folder: each artifact is written atomically at `dir/name`. */
export class FolderSink implements ArtifactSink {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  async put(name: string, data: FileData): Promise<ArtifactRef> {
    checkArtifactName(name);
    const path = join(this.dir, ...name.split('/'));
    await writeFileAtomic(path, data);
    return { name, bytes: byteLength(data), location: path };
  }
}

/** An {@link ArtifactSink} that keeps artifacts in memory (tests, and producers whose caller uploads). */
export class MemorySink implements ArtifactSink {
  readonly items = new Map<string, { data: Uint8Array; contentType: string | undefined }>();

  async put(name: string, data: FileData, contentType?: string): Promise<ArtifactRef> {
    checkArtifactName(name);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.items.set(name, { data: bytes, contentType });
    return { name, bytes: bytes.length, location: `memory:${name}` };
  }

  /** The stored bytes of `name` as UTF-8 text. */
  text(name: string): string {
    const item = this.items.get(name);
    if (!item) throw new XqcError('XQC_VALUE_NOT_FOUND', `no artifact ${name}`);
    return new TextDecoder().decode(item.data);
  }
}

function byteLength(data: FileData): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}

/** A folder of results being written: a sink into a hidden staging folder, then commit or abort. */
export interface StagedFolder {
  /** The folder the results will appear in after {@link StagedFolder.commit}. */
  readonly target: string;
  /** Writes into the staging folder. */
  readonly sink: FolderSink;
  /** Moves the staged results to `target` (replacing it when `force` was given). */
  commit(): Promise<void>;
  /** Removes the staging folder; `target` is untouched. Safe to call after commit. */
  abort(): Promise<void>;
}

/**
 * Stages a results folder so that a run never mixes with an old one and an interrupted
 * run leaves nothing: results go to a hidden sibling folder that is renamed to `target`
 * at the end. A non-empty `target` is refused unless `force`, in which case it is
 * replaced as a whole on commit.
 * @throws XQC_INVALID_ARGUMENT when `target` exists, is not empty and `force` is false
 * @throws XQC_IO when `target` is a file or the staging folder cannot be made
 */
export async function stageFolder(target: string, options: { force?: boolean } = {}): Promise<StagedFolder> {
  const abs = resolve(target);
  const existing = await stat(abs).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw ioError('read', abs, e);
  });
  if (existing && !existing.isDirectory()) throw ioError('write into', abs, { code: 'ENOTDIR' });
  if (existing && !options.force) {
    const entries = await readdir(abs).catch((e) => {
      throw ioError('read', abs, e);
    });
    if (entries.length > 0) {
      throw new XqcError('XQC_INVALID_ARGUMENT', `output folder ${abs} is not empty (${entries.length} entries); choose another or pass --force to replace it`);
    }
  }
  const staging = join(dirname(abs), `.${basename(abs)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    await mkdir(staging, { recursive: true });
  } catch (cause) {
    throw ioError('create', staging, cause);
  }
  let done = false;
  return {
    target: abs,
    sink: new FolderSink(staging),
    async commit() {
      if (done) return;
      try {
        if (existing) {
          const old = `${staging}.old`;
          await rename(abs, old);
          await rename(staging, abs);
          await rm(old, { recursive: true, force: true });
        } else {
          await rename(staging, abs);
        }
        done = true;
      } catch (cause) {
        throw ioError('move results into', abs, cause);
      }
    },
    async abort() {
      if (done) return;
      done = true;
      await rm(staging, { recursive: true, force: true });
    },
  };
}
