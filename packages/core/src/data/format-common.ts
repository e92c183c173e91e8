/** Pieces shared by the three layout modules. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XqcError, isXqcError } from '../errors.ts';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../image/image-decode.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { DatasetSample, ReadDatasetOptions, SkippedFile } from './dataset.types.ts';
import { hasImageExtension, inspectImageFile, isImageProblem, mapLimit } from './image-files.ts';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Throws `XQC_INVALID_ARGUMENT` unless `name` is safe as one path segment. */
export function checkName(name: string, what: string): void {
  if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
    throw new XqcError('XQC_INVALID_ARGUMENT', `${what} '${name}' must start with a letter or digit and use only letters, digits, '.', '_' and '-'`);
  }
}

/** An image a reader found, before it is checked. */
export interface Candidate {
  /** Path relative to the root, `/`-separated. */
  rel: string;
  label: string;
}

/**
 * Checks candidates (a few at a time) and splits them into usable samples and skipped
 * files, in candidate order. Files without an image extension are skipped unread.
 */
export async function admitImages(root: string, candidates: readonly Candidate[], options: ReadDatasetOptions): Promise<{ admitted: DatasetSample[]; skipped: SkippedFile[] }> {
  const verify = options.verify ?? 'decode';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const results = await mapLimit(candidates, 8, async ({ rel, label }): Promise<DatasetSample | SkippedFile> => {
    if (!hasImageExtension(rel)) return { path: rel, reason: 'not an image file (unknown extension)' };
    const facts = await inspectImageFile(join(root, rel), verify, maxPixels);
    if (isImageProblem(facts)) return { path: rel, reason: facts.reason };
    return { image: rel, label, width: facts.width, height: facts.height, channels: facts.channels, format: facts.format };
  });
  const admitted: DatasetSample[] = [];
  const skipped: SkippedFile[] = [];
  for (const r of results) {
    if ('reason' in r) skipped.push(r);
    else admitted.push(r);
  }
  return { admitted, skipped };
}

/**
 * Loads a mask as 1-channel values. Colour masks are accepted only when every pixel is
 * gray (R = G = B), as some tools save label images; anything else is a reason string.
 */
export async function loadMask(path: string, maxPixels: number): Promise<ImageU8 | string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    return `unreadable: ${(cause as Error).message}`;
  }
  let image: ImageU8;
  try {
    image = await decodeImage(bytes, { maxPixels });
  } catch (cause) {
    if (isXqcError(cause, 'XQC_IMAGE_INVALID')) return cause.message;
    throw cause;
  }
  if (image.channels === 1) return image;
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * image.channels;
    if (image.data[o] !== image.data[o + 1] || image.data[o] !== image.data[o + 2]) return 'mask is not a single-channel label image';
    data[i] = image.data[o];
  }
  return { width: image.width, height: image.height, channels: 1, data };
}
