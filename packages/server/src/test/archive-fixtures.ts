/** Archives for tests: zips built with yazl and tars with tar-stream, from in-memory files. */
import tar from 'tar-stream';
import yazl from 'yazl';

/** A zip of `files` built with yazl (`mode` per file optional). */
export async function zipOf(files: readonly { path: string; data: Buffer | string; mode?: number; compress?: boolean }[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(Buffer.from(f.data), f.path, { mode: f.mode, compress: f.compress ?? true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** A tar of `entries` built with tar-stream (files, folders, links). */
export async function tarOf(entries: readonly { name: string; data?: Buffer | string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === undefined || e.type === 'file') pack.entry({ name: e.name }, Buffer.from(e.data ?? ''));
    else pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
