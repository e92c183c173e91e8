/**
 * Model registry routes: list and get (viewer), upload, activate and delete (engineer),
 * download and compare (viewer). Each route has its schemas and one service call; upload,
 * activate and delete are recorded in the audit log (`model.upload`, `model.activate`,
 * `model.delete`, target the model version).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors/api-error.ts';
import { problems } from '../schemas/common.schema.ts';
import {
  CompareQuery,
  DownloadQuery,
  ModelComparisonSchema,
  ModelDetailSchema,
  ModelListSchema,
  ModelParams,
  ModelUploadSchema,
  VersionParams,
} from '../schemas/model.schema.ts';
import { MODEL_FILES } from '../services/model-validation.ts';
import type { ModelFilePart } from '../services/model-validation.ts';
import type { ModelVersionView } from '../schemas/model.schema.ts';
import type { UploadOptions } from '../services/model-registry.service.ts';

const TAGS = ['models'];
const Version = Type.Ref('ModelVersion');

/** Reads a model upload: file parts by name, and the `activate` and `description` fields. */
async function readUpload(request: FastifyRequest): Promise<{ parts: Map<ModelFilePart, Uint8Array>; options: UploadOptions }> {
  if (!request.isMultipart()) throw badRequest('XQC_MULTIPART_REQUIRED', `send multipart/form-data with the parts ${Object.keys(MODEL_FILES).join(', ')}`);
  const parts = new Map<ModelFilePart, Uint8Array>();
  const options: UploadOptions = { createdBy: request.principal?.subject ?? null };
  for await (const part of request.parts()) {
    const name = part.fieldname;
    if (part.type === 'file') {
      if (!(name in MODEL_FILES)) {
        await part.toBuffer();
        throw badRequest('XQC_UPLOAD_PART', `unknown file part '${name}'; the parts are ${Object.keys(MODEL_FILES).join(', ')}`);
      }
      if (parts.has(name as ModelFilePart)) throw badRequest('XQC_UPLOAD_PART', `file part '${name}' was sent twice`);
      parts.set(name as ModelFilePart, await part.toBuffer());
    } else if (name === 'activate') {
      if (part.value !== 'true' && part.value !== 'false') throw badRequest('XQC_UPLOAD_PART', `field activate must be true or false, got '${String(part.value)}'`);
      options.activate = part.value === 'true';
    } else if (name === 'description') {
      options.description = String(part.value).slice(0, 2000);
    } else {
      throw badRequest('XQC_UPLOAD_PART', `unknown field '${name}'; the fields are activate, description`);
    }
  }
  return { parts, options };
}

/** What the audit log keeps of a model version: its model, version and task (never file bytes). */
function auditDetails(version: ModelVersionView): Record<string, unknown> {
  return { model: version.modelName, version: version.version, task: version.task };
}

/** Registers the registry routes (mount under the API prefix). */
export const modelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const viewer = app.requireRole('viewer');
  const engineer = app.requireRole('engineer');

  app.get(
    '/models',
    { preHandler: viewer, schema: { tags: TAGS, summary: 'List models with their active version', response: { 200: ModelListSchema, ...problems(401, 403) } } },
    async () => ({ items: await app.modelRegistry.listModels() }),
  );

  app.post(
    '/models',
    {
      preHandler: engineer,
      // Parts are streamed and checked by the service; the body schema documents them only.
      validatorCompiler: () => () => true,
      schema: {
        tags: TAGS,
        summary: 'Upload a model version (multipart: model, card, and anomaly artifacts); validated before anything is stored',
        consumes: ['multipart/form-data'],
        body: ModelUploadSchema,
        response: { 201: Version, ...problems(400, 401, 403, 406, 409, 413, 422) },
      },
    },
    async (request, reply) => {
      const { parts, options } = await readUpload(request);
      const version = await app.modelRegistry.upload(parts, options);
      await app.audit(request, 'model.upload', { type: 'model-version', id: version.id }, auditDetails(version));
      return reply.code(201).send(version);
    },
  );

  app.get(
    '/models/:model',
    { preHandler: viewer, schema: { tags: TAGS, summary: 'A model and its versions', params: ModelParams, response: { 200: ModelDetailSchema, ...problems(401, 403, 404) } } },
    async (request) => app.modelRegistry.getModel(request.params.model),
  );

  app.get(
    '/models/:model/versions/:version',
    { preHandler: viewer, schema: { tags: TAGS, summary: 'One model version with its card', params: VersionParams, response: { 200: Version, ...problems(401, 403, 404) } } },
    async (request) => app.modelRegistry.getVersion(request.params.model, request.params.version),
  );

  app.get(
    '/models/:model/versions/:version/download',
    {
      preHandler: viewer,
      schema: {
        tags: TAGS,
        summary: 'Download a file of a version (default model.onnx)',
        params: VersionParams,
        querystring: DownloadQuery,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the file bytes' }), ...problems(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const file = request.query.file ?? 'model.onnx';
      const d = await app.modelRegistry.download(request.params.model, request.params.version, file);
      return reply
        .header('content-type', d.mediaType)
        .header('content-disposition', `attachment; filename="${d.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
        .header('etag', `"${d.sha256}"`)
        .send(d.bytes);
    },
  );

  app.post(
    '/models/:model/versions/:version/activate',
    { preHandler: engineer, schema: { tags: TAGS, summary: 'Make a version the active one (exactly one per model)', params: VersionParams, response: { 200: Version, ...problems(401, 403, 404) } } },
    async (request) => {
      const version = await app.modelRegistry.activate(request.params.model, request.params.version);
      await app.audit(request, 'model.activate', { type: 'model-version', id: version.id }, auditDetails(version));
      return version;
    },
  );

  app.get(
    '/models/:model/compare',
    {
      preHandler: viewer,
      schema: { tags: TAGS, summary: 'Card figures of two versions side by side', params: ModelParams, querystring: CompareQuery, response: { 200: ModelComparisonSchema, ...problems(400, 401, 403, 404) } },
    },
    async (request) => app.modelRegistry.compare(request.params.model, request.query.a, request.query.b),
  );

  app.delete(
    '/models/:model/versions/:version',
    {
      preHandler: engineer,
      schema: { tags: TAGS, summary: 'Delete an inactive version that no inspection refers to', params: VersionParams, response: { 204: Type.Null(), ...problems(401, 403, 404, 409) } },
    },
    async (request, reply) => {
      const version = await app.modelRegistry.deleteVersion(request.params.model, request.params.version);
      await app.audit(request, 'model.delete', { type: 'model-version', id: version.id }, auditDetails(version));
      return reply.code(204).send(null);
    },
  );
};
