/**
 * Dataset versions as content-hash manifests: every file's path, SHA-256, size, label and
 * split. The manifest's id is the SHA-256 of its canonical JSON (without the id), so two
 * folders with the same files, labels and splits have the same id, and changing one pixel
 * of one image changes it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import { canonicalJson } from './canonical-json.ts';
import type { DatasetFormat, DatasetListing } from './dataset.types.ts';
import { DATASET_FORMATS } from './dataset.types.ts';
import { mapLimit, relativePosix } from './image-files.ts';
import { LABELS_FILE } from './labels-file.ts';
import type { Split, SplitRatios } from './split.ts';
import { checkSplitRatios, DEFAULT_SPLIT_RATIOS, stratifiedSplit } from './split.ts';

/** File name of the manifest in a dataset root. */
export const MANIFEST_FILE = 'manifest.json';

/** One file of a dataset version. */
export interface ManifestEntry {
  /** Relative to the dataset root, `/`-separated. */
  path: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  /** Bytes. */
  size: number;
  role: 'image' | 'mask' | 'meta';
  /** The sample's label (masks carry their image's); null for meta files. */
  label: string | null;
  split: Split | null;
  /** For masks: the image they belong to. */
  image?: string;
}

/** A dataset version. */
export interface DatasetManifest {
  version: 1;
  /** SHA-256 of the canonical JSON of every other field. */
  id: string;
  format: DatasetFormat;
  classes: string[];
  /** How splits were drawn, or null when the files carry no split. */
  split: { seed: number; ratios: SplitRatios } | null;
  /** Sorted by path. */
  files: ManifestEntry[];
}

/** The id of a manifest: `sha256(canonicalJson(manifest without id))`, hex. */
export function manifestId(manifest: Omit<DatasetManifest, 'id'> | DatasetManifest): string {
  const { id: _ignored, ...body } = manifest as DatasetManifest;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new XqcError('XQC_IO', `cannot read ${path}`, { cause });
  }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

/** Options of {@link buildManifest}. */
export interface BuildManifestOptions {
  /** Seed of the stratified split; default 0. */
  seed?: number;
  ratios?: SplitRatios;
  /** Assign splits (default true); false leaves every split null. */
  split?: boolean;
}

/**
 * Hashes the samples (and masks) of a listing, plus `labels.json` when present, and
 * assigns each sample a split stratified by label (see `stratifiedSplit`). Skipped files
 * are not part of the version.
 */
export async function buildManifest(listing: DatasetListing, options: BuildManifestOptions = {}): Promise<DatasetManifest> {
  const seed = options.seed ?? 0;
  const ratios = options.ratios ?? DEFAULT_SPLIT_RATIOS;
  const withSplit = options.split ?? true;
  if (withSplit) checkSplitRatios(ratios);
  const splits = withSplit ? stratifiedSplit(listing.samples.map((s) => ({ key: s.image, label: s.label })), seed, ratios) : new Map<string, Split>();
  const pending: Omit<ManifestEntry, 'sha256' | 'size'>[] = [];
  for (const s of listing.samples) {
    const split = splits.get(s.image) ?? null;
    pending.push({ path: s.image, role: 'image', label: s.label, split });
    if (s.mask) pending.push({ path: s.mask, role: 'mask', label: s.label, split, image: s.image });
  }
  try {
    await stat(join(listing.root, LABELS_FILE));
    pending.push({ path: LABELS_FILE, role: 'meta', label: null, split: null });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new XqcError('XQC_IO', `cannot stat ${LABELS_FILE}`, { cause });
  }
  const files = await mapLimit(pending, 16, async (entry) => ({ ...entry, ...(await hashFile(join(listing.root, entry.path))) }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const body: Omit<DatasetManifest, 'id'> = { version: 1, format: listing.format, classes: [...listing.classes], split: withSplit ? { seed, ratios: { ...ratios } } : null, files };
  const { version, ...rest } = body;
  return { version, id: manifestId(body), ...rest };
}

/** Writes `root/manifest.json` (indented for review; the id does not depend on layout). */
export async function writeManifest(root: string, manifest: DatasetManifest): Promise<void> {
  const path = join(root, MANIFEST_FILE);
  try {
    await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (cause) {
    throw new XqcError('XQC_IO', `cannot write ${path}`, { cause });
  }
}

/**
 * Reads `root/manifest.json` (or a path to a manifest file) and checks its shape and that
 * its id matches its content; throws `XQC_DATASET_INVALID` otherwise.
 */
export async function readManifest(rootOrFile: string): Promise<DatasetManifest> {
  const path = rootOrFile.endsWith('.json') ? rootOrFile : join(rootOrFile, MANIFEST_FILE);
  let value: DatasetManifest;
  try {
    value = JSON.parse(await readFile(path, 'utf8')) as DatasetManifest;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'XQC_IO' : 'XQC_DATASET_INVALID';
    throw new XqcError(code, `cannot read manifest ${path}`, { cause });
  }
  const ok =
    value !== null &&
    typeof value === 'object' &&
    value.version === 1 &&
    typeof value.id === 'string' &&
    DATASET_FORMATS.includes(value.format) &&
    Array.isArray(value.classes) &&
    Array.isArray(value.files) &&
    value.files.every((f) => typeof f.path === 'string' && /^[0-9a-f]{64}$/.test(f.sha256) && Number.isInteger(f.size));
  if (!ok) throw new XqcError('XQC_DATASET_INVALID', `${path} is not a version 1 dataset manifest`);
  const expected = manifestId(value);
  if (expected !== value.id) throw new XqcError('XQC_DATASET_INVALID', `${path}: id ${value.id} does not match its content (${expected})`);
  return value;
}

/** Differences between a folder and a manifest. */
export interface ManifestCheck {
  ok: boolean;
  /** Listed but absent. */
  missing: string[];
  /** Present with a different hash or size. */
  changed: string[];
  /** Present but not listed (hidden files and the manifest itself excepted). */
  unlisted: string[];
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** Re-hashes every listed file under `root` and reports what is missing, changed or unlisted. */
export async function verifyManifest(root: string, manifest: DatasetManifest): Promise<ManifestCheck> {
  const abs = resolve(root);
  const present: string[] = [];
  await walk(abs, present);
  const onDisk = new Set(present.map((p) => relativePosix(abs, p)));
  const missing: string[] = [];
  const changed: string[] = [];
  await mapLimit(manifest.files, 16, async (f) => {
    if (!onDisk.has(f.path)) {
      missing.push(f.path);
      return;
    }
    const { sha256, size } = await hashFile(join(abs, f.path));
    if (sha256 !== f.sha256 || size !== f.size) changed.push(f.path);
  });
  const listed = new Set(manifest.files.map((f) => f.path));
  const unlisted = [...onDisk].filter((p) => p !== MANIFEST_FILE && !listed.has(p)).sort();
  missing.sort();
  changed.sort();
  return { ok: missing.length === 0 && changed.length === 0 && unlisted.length === 0, missing, changed, unlisted };
}
