import { describe, expect, it } from 'vitest';
import { imagesFromDrop, imagesFromFileList, isImageFile, walkEntry } from './dropped-files.ts';
import type { EntryLike } from './dropped-files.ts';

const file = (name: string, type = '') => new File([new Uint8Array([1])], name, { type });

function fileEntry(name: string, type = ''): EntryLike {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(file(name, type)) };
}

/** A folder whose reader answers in batches of `batch`, as Chromium does with 100. */
function dirEntry(name: string, children: EntryLike[], batch = 2): EntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let i = 0;
      return {
        readEntries: (ok) => {
          const part = children.slice(i, i + batch);
          i += batch;
          setTimeout(() => ok(part), 0);
        },
      };
    },
  };
}

describe('dropped and picked files', () => {
  it('recognises images by type or extension and skips hidden files', () => {
    expect(isImageFile('a.PNG')).toBe(true);
    expect(isImageFile('scan.tiff')).toBe(true);
    expect(isImageFile('noext', 'image/png')).toBe(true);
    expect(isImageFile('notes.txt', 'text/plain')).toBe(false);
    expect(isImageFile('dir/.DS_Store')).toBe(false);
    expect(isImageFile('dir/._a.png')).toBe(false);
  });

  it('walks nested folders through every batch of readEntries', async () => {
    const tree = dirEntry('lot', [fileEntry('img1.png'), fileEntry('img2.png'), fileEntry('img3.png'), dirEntry('sub', [fileEntry('x.jpg')])]);
    const files = await walkEntry(tree);
    expect(files.map((f) => f.path)).toEqual(['lot/img1.png', 'lot/img2.png', 'lot/img3.png', 'lot/sub/x.jpg']);
  });

  it('takes folders and files from a drop, keeps images only, in natural order', async () => {
    const items = [
      { kind: 'file', webkitGetAsEntry: () => dirEntry('parts', [fileEntry('img10.png'), fileEntry('readme.txt'), fileEntry('img2.png')]), getAsFile: () => null },
      { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => file('loose.bmp') },
      { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
    ];
    const out = await imagesFromDrop({ items: items as unknown as DataTransferItemList, files: [] as unknown as FileList });
    expect(out.map((f) => f.path)).toEqual(['loose.bmp', 'parts/img2.png', 'parts/img10.png']);
  });

  it('falls back to the file list when the drop has no items', async () => {
    const out = await imagesFromDrop({ items: [] as unknown as DataTransferItemList, files: [file('b.png'), file('a.png'), file('c.txt')] as unknown as FileList });
    expect(out.map((f) => f.path)).toEqual(['a.png', 'b.png']);
  });

  it('uses the folder picker relative paths', () => {
    const f = Object.assign(file('a.png'), { webkitRelativePath: 'lot/a.png' });
    expect(imagesFromFileList([f, file('z.txt')]).map((p) => p.path)).toEqual(['lot/a.png']);
  });
});
