/**
 * Reads an uploaded dataset archive (zip, tar, or gzip-compressed tar, recognised by content)
 * into memory, streaming every entry through hard limits. Nothing is written to disk: the
 * caller gets the files or an {@link ApiError} with a stable code, so a refused archive
 * leaves nothing behind.
 *
 * Refused:
 * - paths that leave the root: `..` segments, absolute paths, drive letters (`C:`), NUL
 *   (400 XQC_ARCHIVE_UNSAFE_PATH); backslashes count as separators, so `..\x` is caught too;
 * - symbolic and hard links, devices and FIFOs (400 XQC_ARCHIVE_LINK);
 * - two entries with one path (400 XQC_ARCHIVE_DUPLICATE_PATH);
 * - archives that expand too far, counted on the bytes actually inflated, never on the
 *   sizes headers declare (headers lie): more than `maxTotalBytes` in all or `maxEntryBytes`
 *   in one entry (413 XQC_ARCHIVE_TOO_LARGE), more than `maxEntries` files (413
 *   XQC_ARCHIVE_TOO_MANY_ENTRIES), or an expansion ratio above `maxRatio` (413
 *   XQC_ARCHIVE_RATIO), per entry against its compressed size and for the whole archive
 *   against the upload's size, once past `ratioFloorBytes`;
 * - archives with no file (400 XQC_ARCHIVE_EMPTY), unreadable ones (422
 *   XQC_ARCHIVE_CORRUPT), and anything that is neither zip nor tar (415 XQC_ARCHIVE_UNSUPPORTED).
 *
 * macOS artefacts (`__MACOSX/`, `._*`, `.DS_Store`) are dropped, and one folder that wraps
 * every file is removed from the paths (`set/good/a.png` becomes `good/a.png`) when every
 * path lies at least two folders deep in it.
 */
import { Readable } from 'node:stream';
import type { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import { ApiError } from '../errors/api-error.ts';

/** A file of the archive. */
export interface ArchiveFile {
  /** Relative, `/`-separated, normalised (no `.`, `..` or empty segments). */
  path: string;
  bytes: Buffer;
}

/** What an archive was. */
export type ArchiveKind = 'zip' | 'tar' | 'tar.gz';

/** Limits of {@link readArchive}; every one is checked while the data streams. */
export interface ArchiveLimits {
  /** Uncompressed bytes of all files together (default 512 MiB). */
  maxTotalBytes: number;
  /** Uncompressed bytes of one file (default 128 MiB). */
  maxEntryBytes: number;
  /** Entries (files and folders) (default 20 000). */
  maxEntries: number;
  /** Largest expansion ratio, uncompressed / compressed (default 200). */
  maxRatio: number;
  /** The ratio applies once this many bytes were inflated (default 1 MiB), so tiny files of zeros pass. */
  ratioFloorBytes: number;
}

/** Default limits. */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxTotalBytes: 512 * 1024 * 1024,
  maxEntryBytes: 128 * 1024 * 1024,
  maxEntries: 20_000,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
});

/** The files of an archive and its kind. */
export interface ArchiveContents {
  kind: ArchiveKind;
  files: ArchiveFile[];
}

const unsafe = (name: string, why: string): ApiError => new ApiError(400, 'XQC_ARCHIVE_UNSAFE_PATH', `archive entry '${name}' ${why}; entries must be relative paths inside the archive`);
const corrupt = (detail: string, cause?: unknown): ApiError => new ApiError(422, 'XQC_ARCHIVE_CORRUPT', `the archive cannot be read: ${detail}`, { cause });

/**
 * The normalised relative path of entry `name`, or null for a folder entry.
 * @throws ApiError 400 XQC_ARCHIVE_UNSAFE_PATH for `..`, absolute paths, drive letters and NUL.
 */
export function safeEntryPath(name: string): string | null {
  if (name.includes('\0')) throw unsafe(name.replace(/\0/g, '\\0'), 'contains a NUL character');
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/')) throw unsafe(name, 'is an absolute path');
  if (/^[A-Za-z]:/.test(slashed)) throw unsafe(name, 'names a drive');
  const segments = slashed.split('/');
  if (segments.includes('..')) throw unsafe(name, 'leaves the archive root (..)');
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.some((s) => Buffer.byteLength(s) > 255)) throw unsafe(name.slice(0, 300), 'has a name longer than 255 bytes');
  if (kept.length === 0 || slashed.endsWith('/')) return null;
  return kept.join('/');
}

/** True for files macOS adds to archives (resource forks, Finder state). */
function isMacArtefact(path: string): boolean {
  const segments = path.split('/');
  const last = segments[segments.length - 1];
  return segments[0] === '__MACOSX' || last === '.DS_Store' || last.startsWith('._');
}

/** Counts inflated bytes against the limits; throws the first limit crossed. */
class Budget {
  private total = 0;
  private entries = 0;

  constructor(private readonly limits: ArchiveLimits, private readonly archiveBytes: number) {}

  entry(): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw new ApiError(413, 'XQC_ARCHIVE_TOO_MANY_ENTRIES', `the archive has more than ${this.limits.maxEntries} entries`);
    }
  }

  /** Adds `n` bytes of entry `name` (`entryBytes` so far, `compressed` its compressed size). */
  add(name: string, n: number, entryBytes: number, compressed: number | undefined): void {
    this.total += n;
    const l = this.limits;
    if (entryBytes > l.maxEntryBytes) throw new ApiError(413, 'XQC_ARCHIVE_TOO_LARGE', `archive entry '${name}' expands beyond ${l.maxEntryBytes} bytes`);
    if (this.total > l.maxTotalBytes) throw new ApiError(413, 'XQC_ARCHIVE_TOO_LARGE', `the archive expands beyond ${l.maxTotalBytes} bytes`);
    if (compressed !== undefined && entryBytes > l.ratioFloorBytes && entryBytes > l.maxRatio * Math.max(compressed, 1)) {
      throw new ApiError(413, 'XQC_ARCHIVE_RATIO', `archive entry '${name}' expands more than ${l.maxRatio} times its compressed size`);
    }
    if (this.total > l.ratioFloorBytes && this.total > l.maxRatio * Math.max(this.archiveBytes, 1)) {
      throw new ApiError(413, 'XQC_ARCHIVE_RATIO', `the archive expands more than ${l.maxRatio} times its size`);
    }
  }
}

/** Collects files, refusing duplicates and dropping macOS artefacts. */
class Collector {
  readonly files: ArchiveFile[] = [];
  private readonly seen = new Set<string>();

  add(path: string, bytes: Buffer): void {
    if (isMacArtefact(path)) return;
    if (this.seen.has(path)) throw new ApiError(400, 'XQC_ARCHIVE_DUPLICATE_PATH', `the archive holds '${path}' twice`);
    this.seen.add(path);
    this.files.push({ path, bytes });
  }

  /** Refuses a path that is a file and also a folder of another file. */
  checkFolders(): void {
    for (const f of this.files) {
      const segments = f.path.split('/');
      for (let i = 1; i < segments.length; i++) {
        const folder = segments.slice(0, i).join('/');
        if (this.seen.has(folder)) throw new ApiError(400, 'XQC_ARCHIVE_DUPLICATE_PATH', `the archive holds '${folder}' as a file and as the folder of '${f.path}'`);
      }
    }
  }
}

/** Reads `stream` into one buffer, charging every chunk to `budget` as it arrives. */
async function drain(stream: AsyncIterable<unknown> & { destroy(): void }, name: string, budget: Budget, compressed: number | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const item of stream) {
      const chunk = item as Buffer;
      size += chunk.length;
      budget.add(name, chunk.length, size, compressed);
      chunks.push(chunk);
    }
  } catch (e) {
    stream.destroy();
    if (e instanceof ApiError) throw e;
    throw corrupt(`entry '${name}': ${(e as Error).message}`, e);
  }
  return Buffer.concat(chunks, size);
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

async function readZip(bytes: Buffer, limits: ArchiveLimits): Promise<ArchiveFile[]> {
  let zip: yauzl.ZipFile;
  try {
    // Names are decoded and checked here (decodeStrings: false skips yauzl's own check, which
    // would fail the archive with an uncoded error); sizes are counted here, not trusted.
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, strictFileNames: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (e) {
    throw corrupt((e as Error).message, e);
  }
  const budget = new Budget(limits, bytes.length);
  const out = new Collector();
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (en: yauzl.Entry): void => { cleanup(); resolve(en); };
        const onEnd = (): void => { cleanup(); resolve(null); };
        const onError = (err: Error): void => { cleanup(); reject(corrupt(err.message, err)); };
        const cleanup = (): void => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) break;
      budget.entry();
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      const path = safeEntryPath(name);
      // Unix mode in the high half of the external attributes (made by Unix, version byte 3).
      const mode = entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & S_IFMT : 0;
      if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) throw new ApiError(400, 'XQC_ARCHIVE_LINK', `archive entry '${name}' is a link or special file; only regular files and folders are accepted`);
      if (path === null || mode === S_IFDIR) continue;
      if (entry.isEncrypted()) throw new ApiError(422, 'XQC_ARCHIVE_CORRUPT', `archive entry '${name}' is encrypted`);
      let stream: Readable;
      try {
        stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
      } catch (e) {
        throw corrupt(`entry '${name}': ${(e as Error).message}`, e);
      }
      const data = await drain(stream, name, budget, entry.compressedSize);
      if (data.length !== entry.uncompressedSize) throw corrupt(`entry '${name}' inflates to ${data.length} bytes, its header says ${entry.uncompressedSize}`);
      out.add(path, data);
    }
  } finally {
    zip.close();
  }
  out.checkFolders();
  return out.files;
}

async function readTar(source: Readable, archiveBytes: number, limits: ArchiveLimits, gunzip?: Transform): Promise<ArchiveFile[]> {
  const extract = tar.extract();
  const budget = new Budget(limits, archiveBytes);
  const out = new Collector();
  const failures: unknown[] = [];
  const fail = (e: unknown): void => {
    failures.push(e);
    extract.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  if (gunzip) {
    gunzip.on('error', (e) => fail(corrupt(`gzip: ${e.message}`, e)));
    source.pipe(gunzip).pipe(extract);
  } else {
    source.pipe(extract);
  }
  try {
    for await (const entry of extract) {
      const { header } = entry;
      budget.entry();
      const path = safeEntryPath(header.name);
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new ApiError(400, 'XQC_ARCHIVE_LINK', `archive entry '${header.name}' is a ${header.type}${header.linkname ? ` to '${header.linkname}'` : ''}; only regular files and folders are accepted`);
      }
      if ((header.size ?? 0) > limits.maxEntryBytes) throw new ApiError(413, 'XQC_ARCHIVE_TOO_LARGE', `archive entry '${header.name}' is larger than ${limits.maxEntryBytes} bytes`);
      const data = await drain(entry, header.name, budget, gunzip ? undefined : header.size);
      if (path !== null) out.add(path, data);
    }
  } catch (e) {
    source.unpipe();
    gunzip?.destroy();
    extract.destroy();
    const first = failures.find((f) => f instanceof ApiError);
    if (first) throw first;
    if (e instanceof ApiError) throw e;
    throw corrupt((e as Error).message, e);
  }
  const first = failures[0];
  if (first) throw first;
  out.checkFolders();
  return out.files;
}

/** The archive kind of `bytes` by its magic numbers, or undefined. */
export function sniffArchive(bytes: Uint8Array): 'zip' | 'tar' | 'gzip' | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6)) return 'zip';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Removes one folder wrapping every file when every path lies at least two folders below it. */
function unwrap(files: ArchiveFile[]): ArchiveFile[] {
  if (files.length === 0) return files;
  const first = files[0].path.split('/')[0];
  const wrapped = files.every((f) => {
    const s = f.path.split('/');
    return s.length >= 3 && s[0] === first;
  });
  return wrapped ? files.map((f) => ({ path: f.path.slice(first.length + 1), bytes: f.bytes })) : files;
}

/**
 * Reads the files of a zip, tar or tar.gz archive within `limits`.
 * @param bytes the uploaded archive.
 * @throws ApiError (see the module comment for every code).
 */
export async function readArchive(bytes: Buffer, limits: Partial<ArchiveLimits> = {}): Promise<ArchiveContents> {
  const l: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...limits };
  if (bytes.length === 0) throw new ApiError(400, 'XQC_ARCHIVE_EMPTY', 'the archive is empty (0 bytes)');
  const kind = sniffArchive(bytes);
  let files: ArchiveFile[];
  let archiveKind: ArchiveKind;
  if (kind === 'zip') {
    archiveKind = 'zip';
    files = await readZip(bytes, l);
  } else if (kind === 'gzip') {
    archiveKind = 'tar.gz';
    files = await readTar(Readable.from([bytes]), bytes.length, l, createGunzip());
  } else if (kind === 'tar') {
    archiveKind = 'tar';
    files = await readTar(Readable.from([bytes]), bytes.length, l);
  } else if (bytes.length % 512 === 0 && bytes.every((b) => b === 0)) {
    throw new ApiError(400, 'XQC_ARCHIVE_EMPTY', 'the archive holds no file (a tar of end blocks only)');
  } else {
    throw new ApiError(415, 'XQC_ARCHIVE_UNSUPPORTED', 'the upload is not a zip, tar or tar.gz archive (recognised by content)');
  }
  if (files.length === 0) throw new ApiError(400, 'XQC_ARCHIVE_EMPTY', 'the archive holds no file');
  return { kind: archiveKind, files: unwrap(files) };
}
