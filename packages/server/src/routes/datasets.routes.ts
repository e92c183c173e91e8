/**
 * Dataset routes under the API prefix: `POST /datasets` (engineer: upload a zip, tar or
 * tar.gz), `GET /datasets` and `GET /datasets/:id` (viewer), `DELETE /datasets/:id`
 * (engineer; 409 while a queued or running run uses it). The account comes from the
 * principal, so another account's dataset is a 404.
 */
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Config } from '../config/load-config.ts';
import { ApiError, badRequest, unauthorized } from '../errors/api-error.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import {
  DatasetDetailSchema,
  DatasetIdParams,
  DatasetListQuerySchema,
  DatasetPageSchema,
  DatasetRef,
  DatasetSchema,
  DatasetStatsSchema,
  DatasetUploadSchema,
} from '../schemas/dataset.schema.ts';
import type { DatasetFormatName } from '../schemas/dataset.schema.ts';
import { DatasetService } from '../services/dataset.service.ts';
import type { DatasetUpload } from '../services/dataset.service.ts';
import type { ArchiveLimits } from '../storage/archive-reader.ts';

/** Blob columns of the dataset and run tables; the sweeper never removes a blob they name. */
export const DATASET_BLOB_COLUMNS = [
  { table: 'datasets', column: 'manifest_sha256' },
  { table: 'dataset_files', column: 'blob_sha256' },
] as const;

/** Options of {@link datasetRoutes}. */
export interface DatasetRoutesOptions {
  /** Temporary folders go to `dataDir/tmp`: the disk of the blobs, and one app's own in tests. */
  config: Config;
  /** Archive limits (tests). */
  limits?: Partial<ArchiveLimits>;
}

const TAGS = ['datasets'];
const FORMATS: readonly string[] = ['classification', 'segmentation', 'anomaly'];

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

async function readUpload(request: FastifyRequest): Promise<DatasetUpload> {
  if (!request.isMultipart()) throw new ApiError(415, 'XQC_UNSUPPORTED_MEDIA_TYPE', 'send the archive as multipart/form-data in a file field named archive');
  let upload: DatasetUpload | undefined;
  const fields: Record<string, string> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'archive') throw badRequest('XQC_UPLOAD_FIELD', `unexpected file field '${part.fieldname}'; name the file field archive`);
      if (upload) throw badRequest('XQC_TOO_MANY_FILES', 'send one archive per request');
      upload = { bytes: await part.toBuffer(), filename: part.filename || null };
    } else if (part.fieldname === 'name' || part.fieldname === 'format') {
      fields[part.fieldname] = String(part.value);
    } else {
      throw badRequest('XQC_UPLOAD_FIELD', `unexpected field '${part.fieldname}'; the form takes archive, name and format`);
    }
  }
  if (!upload) throw badRequest('XQC_UPLOAD_MISSING', 'archive: no file field named archive in the form');
  if (fields.format !== undefined && !FORMATS.includes(fields.format)) throw badRequest('XQC_INVALID_ARGUMENT', `format must be ${FORMATS.join(', ')}; got '${fields.format}'`);
  return { ...upload, name: fields.name, format: fields.format as DatasetFormatName | undefined };
}

const UPLOAD_DESCRIPTION =
  'multipart/form-data: file field `archive` (zip, tar or tar.gz of a dataset folder, recognised by content), optional `name` ' +
  '(default: the file name) and `format` (classification, segmentation or anomaly; default segmentation when images/ and masks/ ' +
  'are at the top, else classification). Refused before anything is stored: path traversal, absolute paths, drive letters ' +
  '(400 XQC_ARCHIVE_UNSAFE_PATH), links (400 XQC_ARCHIVE_LINK), duplicate paths (400 XQC_ARCHIVE_DUPLICATE_PATH), an empty ' +
  'archive (400 XQC_ARCHIVE_EMPTY), expansion beyond the limits counted while inflating (413 XQC_ARCHIVE_TOO_LARGE, ' +
  'XQC_ARCHIVE_TOO_MANY_ENTRIES, XQC_ARCHIVE_RATIO), not an archive (415 XQC_ARCHIVE_UNSUPPORTED), unreadable (422 ' +
  'XQC_ARCHIVE_CORRUPT), no usable image (422 XQC_DATASET_INVALID). 201 for a new dataset; 200 with deduplicated true ' +
  'when the account already has one with the same manifest hash.';

/** Registers the dataset routes (mount under the API prefix). */
export const datasetRoutes: FastifyPluginAsyncTypebox<DatasetRoutesOptions> = async (app, options) => {
  for (const ref of DATASET_BLOB_COLUMNS) app.blobs.addReference(ref);
  const service = new DatasetService({
    repo: new DatasetRepository(app.db),
    blobs: {
      storeWith: (items, within) => app.blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
      get: async (sha256) => (await app.blobs.get(sha256)).bytes,
      release: async (keys) => {
        await app.blobs.release(keys);
      },
    },
    limits: options.limits,
    tempDir: join(options.config.dataDir, 'tmp'),
  });
  app.addSchema(DatasetStatsSchema);
  app.addSchema(DatasetSchema);

  app.post(
    '/datasets',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: TAGS,
        summary: 'Upload a dataset archive; stored content-addressed with its manifest hash and statistics',
        description: UPLOAD_DESCRIPTION,
        consumes: ['multipart/form-data'],
        response: { 200: DatasetUploadSchema, 201: DatasetUploadSchema, ...problems(400, 401, 403, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const res = await service.upload(callerOf(request), await readUpload(request));
      return reply.code(res.deduplicated ? 200 : 201).send(res);
    },
  );

  app.get(
    '/datasets',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: "List the account's datasets, newest first, with cursor pagination", querystring: DatasetListQuerySchema, response: { 200: DatasetPageSchema, ...problems(400, 401, 403) } },
    },
    async (request) => service.list(callerOf(request), request.query),
  );

  app.get(
    '/datasets/:id',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: TAGS, summary: 'One dataset with its statistics and stored files', params: DatasetIdParams, response: { 200: DatasetDetailSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  app.delete(
    '/datasets/:id',
    {
      preHandler: app.requireRole('engineer'),
      schema: {
        tags: TAGS,
        summary: 'Delete a dataset; refused (409 XQC_DATASET_IN_USE) while a queued or running run uses it. Finished runs keep its manifest hash.',
        params: DatasetIdParams,
        response: { 200: DatasetRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.delete(callerOf(request), request.params.id),
  );
};
