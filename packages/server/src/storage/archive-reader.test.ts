import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { tarOf, zipOf } from '../test/archive-fixtures.ts';
import { readArchive, safeEntryPath } from './archive-reader.ts';

/** Replaces every occurrence of the ASCII string `from` in `bytes` by `to` (same length): names in local and central headers. */
function patchName(bytes: Buffer, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const out = Buffer.from(bytes);
  let at = out.indexOf(from);
  let count = 0;
  while (at >= 0) {
    out.write(to, at, 'latin1');
    count++;
    at = out.indexOf(from, at + 1);
  }
  expect(count).toBe(2);
  return out;
}

/** Sets the uncompressed size of the zip's single entry to `size` in its local and central headers. */
function lieAboutSize(bytes: Buffer, size: number): Buffer {
  const out = Buffer.from(bytes);
  const local = out.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const central = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  expect(local).toBe(0);
  expect(central).toBeGreaterThan(0);
  out.writeUInt32LE(size, local + 22);
  out.writeUInt32LE(size, central + 24);
  return out;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('safeEntryPath', () => {
  it('normalises relative paths and refuses paths that leave the root', () => {
    expect(safeEntryPath('good/./a.png')).toBe('good/a.png');
    expect(safeEntryPath('good//a.png')).toBe('good/a.png');
    expect(safeEntryPath('good/')).toBeNull();
    expect(safeEntryPath('good\\a.png')).toBe('good/a.png');
    for (const bad of ['../a.png', 'good/../../a.png', '/etc/passwd', 'C:/x.png', 'c:x.png', '..\\a.png', 'a\0.png']) {
      expect(() => safeEntryPath(bad), bad).toThrowError(expect.objectContaining({ code: 'XQC_ARCHIVE_UNSAFE_PATH', status: 400 }));
    }
  });
});

describe('readArchive', () => {
  it('reads a zip, drops macOS artefacts and unwraps one enclosing folder', async () => {
    const zip = await zipOf([
      { path: 'set/good/a.png', data: 'A' },
      { path: 'set/scratch/b.png', data: 'BB' },
      { path: '__MACOSX/set/good/._a.png', data: 'x' },
      { path: 'set/good/.DS_Store', data: 'x' },
    ]);
    const r = await readArchive(zip);
    expect(r.kind).toBe('zip');
    expect(r.files.map((f) => [f.path, f.bytes.toString()])).toEqual([
      ['good/a.png', 'A'],
      ['scratch/b.png', 'BB'],
    ]);
  });

  it('reads a tar and a gzip-compressed tar with folder entries', async () => {
    const t = await tarOf([{ name: 'images/', type: 'directory' }, { name: 'images/a.png', data: 'img' }, { name: 'masks/a.png', data: 'mask' }]);
    const plain = await readArchive(t);
    expect(plain.kind).toBe('tar');
    expect(plain.files.map((f) => f.path)).toEqual(['images/a.png', 'masks/a.png']);
    const gz = await readArchive(gzipSync(t));
    expect(gz.kind).toBe('tar.gz');
    expect(gz.files.map((f) => [f.path, f.bytes.toString()])).toEqual([
      ['images/a.png', 'img'],
      ['masks/a.png', 'mask'],
    ]);
  });

  it('refuses path traversal in a zip (.. and absolute) and in a tar', async () => {
    const dots = patchName(await zipOf([{ path: 'good/a.png', data: 'A' }, { path: 'xx/evil.png', data: 'E' }]), 'xx/evil.png', '../evil.png');
    expect(await refusal(readArchive(dots))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_UNSAFE_PATH' });
    const abs = patchName(await zipOf([{ path: 'xetc/passwd', data: 'E' }]), 'xetc/passwd', '/etc/passwd');
    expect(await refusal(readArchive(abs))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_UNSAFE_PATH' });
    const t = await tarOf([{ name: 'good/a.png', data: 'A' }, { name: '../../evil.png', data: 'E' }]);
    expect(await refusal(readArchive(t))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_UNSAFE_PATH' });
    expect(await refusal(readArchive(gzipSync(t)))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_UNSAFE_PATH' });
  });

  it('refuses symbolic links in a zip and symbolic and hard links in a tar', async () => {
    const zip = await zipOf([{ path: 'good/a.png', data: 'A' }, { path: 'good/link.png', data: '/etc/passwd', mode: 0o120777, compress: false }]);
    expect(await refusal(readArchive(zip))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_LINK' });
    const sym = await tarOf([{ name: 'good/a.png', data: 'A' }, { name: 'good/link.png', type: 'symlink', linkname: '/etc/passwd' }]);
    expect(await refusal(readArchive(sym))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_LINK' });
    const hard = await tarOf([{ name: 'good/a.png', data: 'A' }, { name: 'good/b.png', type: 'link', linkname: 'good/a.png' }]);
    expect(await refusal(readArchive(hard))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_LINK' });
  });

  it('refuses a zip bomb of highly compressible data by its ratio, total size and entry count', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const bomb = await zipOf([{ path: 'good/a.bmp', data: zeros }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await refusal(readArchive(bomb))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_RATIO' });
    const many = await zipOf(Array.from({ length: 6 }, (_, i) => ({ path: `good/${i}.bmp`, data: zeros.subarray(0, 1024 * 1024) })));
    expect(await refusal(readArchive(many, { maxRatio: 1e9, maxTotalBytes: 4 * 1024 * 1024 }))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_TOO_LARGE' });
    expect(await refusal(readArchive(many, { maxRatio: 1e9, maxEntries: 5 }))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_TOO_MANY_ENTRIES' });
    const gzBomb = gzipSync(await tarOf([{ name: 'good/a.bmp', data: zeros }]));
    expect(await refusal(readArchive(gzBomb))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_RATIO' });
  });

  it('counts inflated bytes, not the sizes a lying header declares', async () => {
    const honest = await zipOf([{ path: 'good/a.bmp', data: Buffer.alloc(8 * 1024 * 1024) }]);
    const lying = lieAboutSize(honest, 100);
    expect(await refusal(readArchive(lying))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_RATIO' });
    expect(await refusal(readArchive(lying, { maxRatio: 1e9, maxEntryBytes: 2 * 1024 * 1024 }))).toMatchObject({ status: 413, code: 'XQC_ARCHIVE_TOO_LARGE' });
    // Within every limit, the lie itself is a corrupt archive.
    const small = lieAboutSize(await zipOf([{ path: 'good/a.bmp', data: Buffer.alloc(1000, 7) }]), 10);
    expect(await refusal(readArchive(small))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
  });

  it('refuses empty archives: 0 bytes, a zip with no file, folders only, an empty tar and tar.gz', async () => {
    expect(await refusal(readArchive(Buffer.alloc(0)))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_EMPTY' });
    expect(await refusal(readArchive(await zipOf([])))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_EMPTY' });
    const dirs = await tarOf([{ name: 'good/', type: 'directory' }]);
    expect(await refusal(readArchive(dirs))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_EMPTY' });
    const empty = await tarOf([]);
    expect(await refusal(readArchive(empty))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_EMPTY' });
    expect(await refusal(readArchive(gzipSync(empty)))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_EMPTY' });
  });

  it('refuses corrupt archives and uploads that are no archive', async () => {
    const zip = await zipOf([{ path: 'good/a.png', data: Buffer.alloc(5000, 3) }]);
    expect(await refusal(readArchive(zip.subarray(0, zip.length - 30)))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
    const damaged = Buffer.from(zip);
    damaged.fill(0xff, 40, 60);
    expect(await refusal(readArchive(damaged))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
    const t = await tarOf([{ name: 'good/a.png', data: Buffer.alloc(5000, 3) }]);
    const badSum = Buffer.from(t);
    badSum.write('x', 10, 'latin1');
    expect(await refusal(readArchive(badSum))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
    const gz = gzipSync(t);
    expect(await refusal(readArchive(gz.subarray(0, gz.length - 40)))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
    expect(await refusal(readArchive(gzipSync(Buffer.from('not a tar at all, just text'.repeat(40)))))).toMatchObject({ status: 422, code: 'XQC_ARCHIVE_CORRUPT' });
    expect(await refusal(readArchive(Buffer.from('hello, this is no archive')))).toMatchObject({ status: 415, code: 'XQC_ARCHIVE_UNSUPPORTED' });
  });

  it('refuses two entries with one path, a path that is a file and a folder, and over-long names', async () => {
    const t = await tarOf([{ name: 'good/a.png', data: 'A' }, { name: 'good/./a.png', data: 'B' }]);
    expect(await refusal(readArchive(t))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_DUPLICATE_PATH' });
    const both = await zipOf([{ path: 'good', data: 'A' }, { path: 'good/a.png', data: 'B' }]);
    expect(await refusal(readArchive(both))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_DUPLICATE_PATH' });
    const long = await zipOf([{ path: `good/${'x'.repeat(300)}.png`, data: 'A' }]);
    expect(await refusal(readArchive(long))).toMatchObject({ status: 400, code: 'XQC_ARCHIVE_UNSAFE_PATH' });
  });
});
