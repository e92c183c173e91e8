/**
 * Inspection routes under the API prefix: `POST /detect`, `POST /detect/batch`,
 * `GET /inspections`, `GET /inspections/:id`, its `image` and `overlay.png`, and
 * `DELETE /inspections/:id` (admin, recorded in the audit log as `inspection.delete`). The auth plugin authenticates every one of them;
 * each names its least role (`app.requireRole`) and calls one service method.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { ApiError, badRequest, unauthorized } from '../errors/api-error.ts';
import { eventSink } from '../events/event-sink.ts';
import { problems } from '../schemas/common.schema.ts';
import {
  BatchResponseSchema,
  CurrentReviewSchema,
  DetectQuerySchema,
  FindingSchema,
  InspectionListItemSchema,
  InspectionPageSchema,
  InspectionRef,
  InspectionSchema,
  ListQuerySchema,
  OverlayQuerySchema,
} from '../schemas/inspection.schema.ts';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { SignalRepository } from '../repositories/signal.repository.ts';
import { InspectionService } from '../services/inspection.service.ts';
import type { InspectionBlobs, Upload } from '../services/inspection.service.ts';

/** Options of {@link inspectionRoutes}. */
export interface InspectionRoutesOptions {
  /** Largest accepted width x height of an upload (default 40 megapixels). */
  maxPixels?: number;
  /** Record the per-inspection monitoring signals (default true; `XQC_SIGNALS=off` turns them off). */
  signals?: boolean;
}

/** Blob columns of the inspection tables; the sweeper never removes a blob they name. */
export const INSPECTION_BLOB_COLUMNS = [
  { table: 'inspections', column: 'image_sha256' },
  { table: 'inspections', column: 'anomaly_map_sha256' },
  { table: 'inspection_findings', column: 'mask_sha256' },
] as const;

/** The caller, whose role `app.requireRole` has checked. */
function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

async function readUploads(request: FastifyRequest, max: number): Promise<Upload[]> {
  if (!request.isMultipart()) throw new ApiError(415, 'XQC_UNSUPPORTED_MEDIA_TYPE', 'send the image as multipart/form-data in a file field named image');
  const uploads: Upload[] = [];
  for await (const part of request.files()) {
    if (part.fieldname !== 'image') throw badRequest('XQC_UPLOAD_FIELD', `unexpected file field '${part.fieldname}'; name the file field image`);
    if (uploads.length === max) throw badRequest('XQC_TOO_MANY_FILES', `at most ${max} image(s) per request`);
    uploads.push({ bytes: await part.toBuffer(), filename: part.filename || null });
  }
  if (uploads.length === 0) throw badRequest('XQC_UPLOAD_MISSING', 'image: no file field named image in the form');
  return uploads;
}

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const DETECT_DESCRIPTION =
  'multipart/form-data with one file field `image` (PNG, JPEG, WebP, TIFF, BMP or GIF, recognised by content). ' +
  'Refused before anything is stored: 0 bytes (400 XQC_UPLOAD_EMPTY), not an image (415 XQC_IMAGE_UNSUPPORTED), ' +
  'more pixels than the limit (413 XQC_IMAGE_TOO_LARGE, read from the header), undecodable (422 XQC_IMAGE_INVALID).';

/** Registers the inspection routes (mount under the API prefix). */
export const inspectionRoutes: FastifyPluginAsyncTypebox<InspectionRoutesOptions> = async (app, options) => {
  for (const ref of INSPECTION_BLOB_COLUMNS) app.blobs.addReference(ref);
  const blobs: InspectionBlobs = {
    storeWith: (items, within) => app.blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
    get: async (sha256) => (await app.blobs.get(sha256)).bytes,
    // Removes now (no grace period) what no row references; a detect stores its blobs and
    // inserts its rows in one transaction, so it never sees a blob released in between.
    release: async (keys) => {
      await app.blobs.release(keys);
    },
  };
  const service = new InspectionService({
    repo: new InspectionRepository(app.db),
    blobs,
    inference: app.inference,
    maxPixels: options.maxPixels,
    events: eventSink(app.events, app.log),
    signals: new SignalRepository(app.db),
    recordSignals: options.signals !== false,
  });
  app.addSchema(FindingSchema);
  app.addSchema(InspectionSchema);
  app.addSchema(CurrentReviewSchema);
  app.addSchema(InspectionListItemSchema);

  app.post(
    '/detect',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: ['inspections'],
        summary: 'Inspect one image with a model version and store the inspection',
        description: DETECT_DESCRIPTION,
        consumes: ['multipart/form-data'],
        querystring: DetectQuerySchema,
        response: { 201: InspectionRef, ...problems(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const principal = callerOf(request);
      const [upload] = await readUploads(request, 1);
      return reply.code(201).send(await service.detect(principal, upload, request.query));
    },
  );

  app.post(
    '/detect/batch',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: ['inspections'],
        summary: 'Inspect several images (file fields named image) with one model version',
        description: `${DETECT_DESCRIPTION} A batch with one upload that fails these checks is refused whole; an image that fails to decode gets its own error entry.`,
        consumes: ['multipart/form-data'],
        querystring: DetectQuerySchema,
        response: { 200: BatchResponseSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => {
      const principal = callerOf(request);
      return { items: await service.detectBatch(principal, await readUploads(request, 16), request.query) };
    },
  );

  app.get(
    '/inspections',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['inspections'],
        summary: "List the account's inspections with their current reviews, filters, sorts and cursor pagination",
        description:
          'Each item is an inspection (masks and maps left out) with `review`: its current review (the newest, as the first item of GET /inspections/{id}/reviews) or null. ' +
          'Filters combine with AND. `sort` picks the order (default newest first); keep the same sort and filters when following nextCursor: a cursor of another sort is refused (400 XQC_INVALID_CURSOR).',
        querystring: ListQuerySchema,
        response: { 200: InspectionPageSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => service.list(callerOf(request), request.query),
  );

  app.get(
    '/inspections/:id',
    { preHandler: app.requireRole('viewer'), schema: { tags: ['inspections'], summary: 'One inspection with its masks and anomaly map', params: IdParams, response: { 200: InspectionRef, ...problems(400, 401, 403, 404) } } },
    async (request) => service.get(callerOf(request), request.params.id),
  );

  app.get(
    '/inspections/:id/image',
    { preHandler: app.requireRole('viewer'), schema: { tags: ['inspections'], summary: 'The inspected image as uploaded', params: IdParams, produces: ['image/*'], response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the image bytes as uploaded, with their content type' }), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      const { bytes, mediaType } = await service.image(callerOf(request), request.params.id);
      return reply.header('content-type', mediaType).header('cache-control', 'private, max-age=31536000, immutable').send(Buffer.from(bytes));
    },
  );

  app.get(
    '/inspections/:id/overlay.png',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['inspections'],
        summary: 'The image with finding masks blended at the given opacity and boxes outlined',
        params: IdParams,
        querystring: OverlayQuerySchema,
        produces: ['image/png'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the overlay as PNG' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const png = await service.overlay(callerOf(request), request.params.id, request.query.opacity ?? 0.5);
      return reply.header('content-type', 'image/png').send(Buffer.from(png));
    },
  );

  app.delete(
    '/inspections/:id',
    { preHandler: app.requireRole('admin'), schema: { tags: ['inspections'], summary: 'Delete an inspection and release its blobs (admin)', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.delete(callerOf(request), request.params.id);
      await app.audit(request, 'inspection.delete', { type: 'inspection', id: request.params.id });
      return reply.code(204).send(null);
    },
  );
};
