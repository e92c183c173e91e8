/**
 * Test support for the inspection routes: registers a shipped model folder as an active
 * version straight into the registry tables (blobs first, then rows, as the registry
 * does), and builds multipart bodies for `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCardYaml } from '@xai-qc/core';
import type { App } from '../app.ts';

/** Registers `dir` (model.onnx, model_card.yaml and, for anomaly detectors, anomaly.json with PatchCore's features.onnx and bank.npy or network.onnx) as the active version of a new model. */
export async function registerModelFolder(app: App, dir: string, name: string): Promise<{ modelId: string; versionId: string }> {
  const cardText = await readFile(join(dir, 'model_card.yaml'), 'utf8');
  const card = parseModelCardYaml(cardText);
  const onnx = await app.blobs.put(await readFile(join(dir, 'model.onnx')), 'application/octet-stream');
  const cardBlob = await app.blobs.put(Buffer.from(cardText), 'application/yaml');
  const now = new Date().toISOString();
  const modelId = randomUUID();
  const versionId = randomUUID();
  await app.db.insertInto('models').values({ id: modelId, name, task: card.task, description: null, created_at: now, updated_at: now }).execute();
  await app.db
    .insertInto('model_versions')
    .values({
      id: versionId, model_id: modelId, version: card.version, task: card.task, onnx_sha256: onnx.sha256, card_sha256: cardBlob.sha256,
      card_json: JSON.stringify(card), onnx_size: onnx.size, ir_version: 8, opset: 17, input_name: card.input.name ?? 'input',
      input_shape_json: JSON.stringify([1, 3, card.input.height, card.input.width]), is_active: 1, created_at: now, created_by: null,
    })
    .execute();
  const extras = (await readdir(dir)).filter((f) => ['anomaly.json', 'features.onnx', 'bank.npy', 'network.onnx'].includes(f));
  for (const f of extras) {
    const b = await app.blobs.put(await readFile(join(dir, f)), 'application/octet-stream');
    await app.db.insertInto('model_version_files').values({ version_id: versionId, name: f, blob_sha256: b.sha256, size: b.size }).execute();
  }
  return { modelId, versionId };
}

/** A multipart/form-data body with one part per file. */
export function multipartBody(files: readonly { field?: string; filename: string; bytes: Uint8Array; type?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----xqc${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'image'}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.from(f.bytes),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
