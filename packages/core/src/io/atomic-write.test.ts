import { mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isXqcError } from '../errors.ts';
import { FolderSink, MemorySink, stageFolder, writeFileAtomic } from './atomic-write.ts';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'xqc-atomic-'));
}

describe('writeFileAtomic', () => {
  it('writes the file and leaves no temporary beside it', async () => {
    const dir = await scratch();
    await writeFileAtomic(join(dir, 'sub', 'a.txt'), 'hello');
    expect(await readFile(join(dir, 'sub', 'a.txt'), 'utf8')).toBe('hello');
    expect(await readdir(join(dir, 'sub'))).toEqual(['a.txt']);
  });

  it('fails with XQC_IO naming the path and the reason, leaving nothing', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'file'), 'x');
    const err = await writeFileAtomic(join(dir, 'file', 'a.txt'), 'y').catch((e) => e);
    expect(isXqcError(err, 'XQC_IO')).toBe(true);
    expect(err.message).toContain(join(dir, 'file', 'a.txt'));
    expect(err.message).toMatch(/ENOTDIR|EEXIST/);
    expect(await readdir(dir)).toEqual(['file']);
  });
});

describe('sinks', () => {
  it('FolderSink writes nested names and refuses names that escape', async () => {
    const dir = await scratch();
    const sink = new FolderSink(dir);
    const ref = await sink.put('maps/a.json', '{}');
    expect(ref.bytes).toBe(2);
    expect(await readFile(join(dir, 'maps', 'a.json'), 'utf8')).toBe('{}');
    await expect(sink.put('../x', 'no')).rejects.toThrow(/relative path/);
    await expect(sink.put('/abs', 'no')).rejects.toThrow(/relative path/);
  });

  it('MemorySink keeps bytes by name', async () => {
    const sink = new MemorySink();
    await sink.put('s.json', '{"a":1}', 'application/json');
    expect(sink.text('s.json')).toBe('{"a":1}');
    expect(sink.items.get('s.json')?.contentType).toBe('application/json');
  });
});

describe('stageFolder', () => {
  it('shows results only after commit and refuses a non-empty target without force', async () => {
    const dir = await scratch();
    const target = join(dir, 'out');
    const staged = await stageFolder(target);
    await staged.sink.put('a.txt', 'A');
    expect(await readdir(dir)).not.toContain('out');
    await staged.commit();
    expect(await readdir(target)).toEqual(['a.txt']);

    const err = await stageFolder(target).catch((e) => e);
    expect(isXqcError(err, 'XQC_INVALID_ARGUMENT')).toBe(true);
    expect(err.message).toMatch(/not empty.*--force/);

    const again = await stageFolder(target, { force: true });
    await again.sink.put('b.txt', 'B');
    await again.commit();
    expect(await readdir(target)).toEqual(['b.txt']);
    expect((await readdir(dir)).sort()).toEqual(['out']);
  });

  it('abort leaves the target and no staging folder', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'out'));
    const staged = await stageFolder(join(dir, 'out'));
    await staged.sink.put('a.txt', 'A');
    await staged.abort();
    expect(await readdir(dir)).toEqual(['out']);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });
});
