/** File-level helpers shared by the dataset readers and writers. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, relative, sep } from 'node:path';
import sharp from 'sharp';
import { XqcError, isXqcError } from '../errors.ts';
import { decodeImageWithFormat } from '../image/image-decode.ts';
import { encodePng } from '../image/image-encode.ts';
import type { ImageFormat } from '../image/image-format.ts';
import { IMAGE_EXTENSIONS, sniffImageFormat } from '../image/image-format.ts';
import type { ImageU8 } from '../image/image.types.ts';

/** `path` relative to `root` with `/` separators, as manifests and listings store it. */
export function relativePosix(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** True when the file name has a decodable image extension. */
export function hasImageExtension(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** The file name without its last extension. */
export function stemOf(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** Names of the entries of `dir` (files or folders as asked), sorted, hidden ones left out; [] when `dir` is absent. */
export async function listEntries(dir: string, kind: 'file' | 'dir'): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new XqcError('XQC_IO', `cannot list ${dir}`, { cause });
  }
  return entries
    .filter((e) => !e.name.startsWith('.') && (kind === 'dir' ? e.isDirectory() : e.isFile()))
    .map((e) => e.name)
    .sort();
}

/** Facts about a readable image file. */
export interface ImageFacts {
  width: number;
  height: number;
  channels: number;
  format: ImageFormat;
}

/** An image that could not be used, and why. */
export interface ImageProblem {
  reason: string;
}

/**
 * Checks that `path` holds a decodable image and returns its facts, or the reason it is
 * not usable (unreadable, unknown format, corrupt, too large) as an {@link ImageProblem}:
 * the readers collect those instead of failing on the first bad file. With `header`,
 * only the header is parsed (BMP is always decoded; it is cheap).
 */
export async function inspectImageFile(path: string, verify: 'decode' | 'header', maxPixels: number): Promise<ImageFacts | ImageProblem> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    return { reason: `unreadable: ${(cause as Error).message}` };
  }
  const format = sniffImageFormat(bytes);
  if (format === null) return { reason: 'unsupported or unrecognised image format' };
  if (verify === 'header' && format !== 'bmp') {
    let meta: sharp.Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
    } catch (cause) {
      return { reason: `cannot read ${format} header: ${(cause as Error).message}` };
    }
    if (!meta.width || !meta.height) return { reason: 'image header has no size' };
    if (meta.width * meta.height > maxPixels) return { reason: `${meta.width}x${meta.height} exceeds the pixel limit ${maxPixels}` };
    return { width: meta.width, height: meta.height, channels: meta.channels ?? 3, format };
  }
  try {
    const { image } = await decodeImageWithFormat(bytes, { maxPixels });
    return { width: image.width, height: image.height, channels: image.channels, format };
  } catch (cause) {
    if (isXqcError(cause, 'XQC_IMAGE_INVALID')) return { reason: cause.message };
    throw cause;
  }
}

/** True when {@link inspectImageFile} reported a problem. */
export function isImageProblem(result: ImageFacts | ImageProblem): result is ImageProblem {
  return 'reason' in result;
}

/** Encodes `image` as PNG at `path`, creating parent folders. */
export async function writePng(path: string, image: ImageU8): Promise<void> {
  const bytes = await encodePng(image);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (cause) {
    throw new XqcError('XQC_IO', `cannot write ${path}`, { cause });
  }
}

/** Runs `task` over `items` with at most `limit` in flight, keeping result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
