/**
 * Files from a drop or a picker, folders included: a dropped folder is walked through
 * `DataTransferItem.webkitGetAsEntry()` (every level, every batch of `readEntries`), a
 * picked folder (`<input webkitdirectory>`) carries `webkitRelativePath`. Only images are
 * kept, in path order (natural: img2 before img10).
 */

/** A file and its path inside what was dropped or picked. */
export interface PickedFile {
  file: File;
  path: string;
}

/** Extensions of the images `POST /detect` reads. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'tif', 'tiff', 'webp', 'bmp', 'gif'] as const;

/** The `accept` attribute of the image pickers. */
export const IMAGE_ACCEPT = ['image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'image/bmp', 'image/gif', ...IMAGE_EXTENSIONS.map((e) => `.${e}`)].join(',');

/** True for a file the server may read as an image (by media type or extension; hidden files are skipped). */
export function isImageFile(name: string, type = ''): boolean {
  const base = name.split('/').pop() ?? name;
  if (base.startsWith('.')) return false;
  if (type.startsWith('image/')) return true;
  const ext = base.includes('.') ? base.split('.').pop()!.toLowerCase() : '';
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural path order. */
export function sortByPath(files: PickedFile[]): PickedFile[] {
  return files.sort((a, b) => collator.compare(a.path, b.path));
}

/** The parts of the File System entry API the walk uses. */
export interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath?: string;
  file?(success: (f: File) => void, failure?: (e: unknown) => void): void;
  createReader?(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (e: unknown) => void): void };
}

/** Every file below an entry (a file entry gives itself), with paths relative to the drop. */
export async function walkEntry(entry: EntryLike, prefix = ''): Promise<PickedFile[]> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((resolve, reject) => entry.file!(resolve, reject));
    return [{ file, path }];
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    const out: PickedFile[] = [];
    // readEntries answers in batches (100 in Chromium) until it answers an empty one
    for (;;) {
      const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) out.push(...(await walkEntry(child, path)));
    }
    return out;
  }
  return [];
}

/**
 * The images of a drop: folders walked, other files as they are. Entries must be taken
 * synchronously in the drop handler (the list empties afterwards), which this does before
 * its first await.
 */
export async function imagesFromDrop(dt: Pick<DataTransfer, 'items' | 'files'>): Promise<PickedFile[]> {
  const entries: EntryLike[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = (item.webkitGetAsEntry?.() ?? null) as EntryLike | null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (!entries.length && !loose.length) loose.push(...Array.from(dt.files ?? []));
  const out: PickedFile[] = loose.map((file) => ({ file, path: file.name }));
  for (const e of entries) out.push(...(await walkEntry(e)));
  return sortByPath(out.filter((p) => isImageFile(p.path, p.file.type)));
}

/** The images of a picker's FileList (a folder picker gives each file's path inside the folder). */
export function imagesFromFileList(list: ArrayLike<File>): PickedFile[] {
  const out = Array.from(list).map((file) => ({ file, path: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name }));
  return sortByPath(out.filter((p) => isImageFile(p.path, p.file.type)));
}
