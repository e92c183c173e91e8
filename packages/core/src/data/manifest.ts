/**
 * Dataset versions as content-hash manifests: every file's path, SHA-256, size and label,
 * and the split a reader drew (seed, ratios, each file's split). The manifest's id (the
 * dataset hash) is the SHA-256 of the canonical JSON of the content only: format, classes
 * and files without their split. Two folders with the same files and labels have the same
 * id whatever split seed or shares a command used (`data generate` and `evaluate` print the
 * same hash), and changing one pixel of one image changes it. The split is checked
 * against its seed and ratios instead.
 *
 * Version 1 manifests (written before version 2) hashed the split too; they are still
 * read and verified by that rule.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { XqcError } from '../errors.ts';
import { ioError, writeFileAtomic } from '../io/atomic-write.ts';
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
  /** 2: the id covers the content only; 1 (read only): the id covers the split too. */
  version: 1 | 2;
  /** The dataset hash: SHA-256 of the canonical JSON of format, classes and files without their split. */
  id: string;
  format: DatasetFormat;
  classes: string[];
  /** How splits were drawn, or null when the files carry no split. */
  split: { seed: number; ratios: SplitRatios } | null;
  /** Sorted by path. */
  files: ManifestEntry[];
}

/**
 * The id of a manifest, hex SHA-256. Version 2: `sha256(canonicalJson({version, format,
 * classes, files without split}))`. Version 1: `sha256(canonicalJson(manifest without id))`.
 */
export function manifestId(manifest: Omit<DatasetManifest, 'id'> | DatasetManifest): string {
  const { id: _ignored, ...body } = manifest as DatasetManifest;
  const hashed = body.version === 1
    ? body
    : { version: body.version, format: body.format, classes: body.classes, files: body.files.map(({ split: _split, ...f }) => f) };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw ioError('read', path, cause);
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
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError('read', join(listing.root, LABELS_FILE), cause);
  }
  const files = await mapLimit(pending, 16, async (entry) => ({ ...entry, ...(await hashFile(join(listing.root, entry.path))) }));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const body: Omit<DatasetManifest, 'id'> = { version: 2, format: listing.format, classes: [...listing.classes], split: withSplit ? { seed, ratios: { ...ratios } } : null, files };
  const { version, ...rest } = body;
  return { version, id: manifestId(body), ...rest };
}

/** Writes `root/manifest.json` atomically (indented for review; the id does not depend on layout). */
export async function writeManifest(root: string, manifest: DatasetManifest): Promise<void> {
  await writeFileAtomic(join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The file paths whose recorded split differs from the one its seed and ratios draw (version 2). */
function splitMismatches(m: DatasetManifest): string[] {
  const images = m.files.filter((f) => f.role === 'image');
  const drawn = m.split ? stratifiedSplit(images.map((f) => ({ key: f.path, label: f.label ?? '' })), m.split.seed, m.split.ratios) : new Map<string, Split>();
  const want = (f: ManifestEntry): Split | null => (f.role === 'meta' ? null : (drawn.get(f.role === 'mask' ? (f.image ?? '') : f.path) ?? null));
  return m.files.filter((f) => f.split !== want(f)).map((f) => f.path);
}

/**
 * Reads `root/manifest.json` (or a path to a manifest file) and checks its shape and that
 * its id matches its content; throws `XQC_DATASET_INVALID` otherwise.
 */
export async function readManifest(rootOrFile: string): Promise<DatasetManifest> {
  const path = rootOrFile.endsWith('.json') ? rootOrFile : join(rootOrFile, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw ioError('read', path, cause);
  }
  let value: DatasetManifest;
  try {
    value = JSON.parse(text) as DatasetManifest;
  } catch (cause) {
    throw new XqcError('XQC_DATASET_INVALID', `${path} is not JSON: ${(cause as Error).message}`, { cause });
  }
  const ok =
    value !== null &&
    typeof value === 'object' &&
    (value.version === 1 || value.version === 2) &&
    typeof value.id === 'string' &&
    DATASET_FORMATS.includes(value.format) &&
    Array.isArray(value.classes) &&
    Array.isArray(value.files) &&
    value.files.every((f) => typeof f.path === 'string' && /^[0-9a-f]{64}$/.test(f.sha256) && Number.isInteger(f.size));
  if (!ok) throw new XqcError('XQC_DATASET_INVALID', `${path} is not a version 1 or 2 dataset manifest`);
  const expected = manifestId(value);
  if (expected !== value.id) throw new XqcError('XQC_DATASET_INVALID', `${path}: id ${value.id} does not match its content (${expected})`);
  if (value.version === 2) {
    const wrong = splitMismatches(value);
    if (wrong.length) throw new XqcError('XQC_DATASET_INVALID', `${path}: the split of ${wrong.length} file(s) (first ${wrong[0]}) is not the one its seed and ratios draw`);
  }
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
  const entries = await readdir(dir, { withFileTypes: true }).catch((cause: unknown) => {
    throw ioError('list', dir, cause);
  });
  for (const e of entries) {
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
