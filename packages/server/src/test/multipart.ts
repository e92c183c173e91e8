/** Builds multipart/form-data request bodies for `app.inject` and fetch in tests. */
import { randomBytes } from 'node:crypto';

/** A file part (bytes) or a text field (string). */
export type FormPart = { name: string; filename?: string; contentType?: string; data: Uint8Array | string };

/** Encodes `parts` as multipart/form-data; returns the body and its content-type header. */
export function multipartBody(parts: readonly FormPart[]): { payload: Buffer; headers: { 'content-type': string } } {
  const boundary = `----xqc${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const isFile = typeof p.data !== 'string' || p.filename !== undefined;
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (isFile) head += `; filename="${p.filename ?? p.name}"\r\nContent-Type: ${p.contentType ?? 'application/octet-stream'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
