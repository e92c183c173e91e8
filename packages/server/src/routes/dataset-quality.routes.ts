/**
 * `GET /datasets/:id/quality` (viewer): the dataset quality report (duplicates, leakage
 * across the drawn split, corrupt files, outliers, label balance), computed on the first
 * request for a split and stored. Another account's dataset is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { unauthorized } from '../errors/api-error.ts';
import { DatasetQualityRepository } from '../repositories/dataset-quality.repository.ts';
import { DatasetRepository } from '../repositories/dataset.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { DatasetQualityQuerySchema, DatasetQualityReportSchema, DatasetQualitySchema } from '../schemas/dataset-quality.schema.ts';
import { DatasetIdParams } from '../schemas/dataset.schema.ts';
import { DatasetQualityService } from '../services/dataset-quality.service.ts';

const DESCRIPTION =
  'Checks, each with a level (ok, warning, error) in summary.checks: exact duplicates by SHA-256 of the file bytes (warning; error ' +
  'when the copies carry different labels); near duplicates by 64-bit pHash within Hamming distance 6 (warning); leakage: exact or ' +
  "near duplicates in different splits of the core's seeded stratified split, as a run with the same seed, valSplit and testSplit " +
  'draws it (error); corrupt files (warning); per-class outliers in brightness (mean gray), blur (log10 of 1 + the variance of the ' +
  'Laplacian) and size (pixels) at |robust z| > 3.5 (median and MAD; classes of 5 or more images; warning); label balance: a class ' +
  'under 10 % of the largest or with fewer than 10 images (warning), a class with no image (error). Computed on the first request ' +
  'for a split (decoding every image in a worker thread) and stored with the dataset.';

/** Registers the quality route (mount under the API prefix). */
export const datasetQualityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new DatasetQualityService({
    datasets: new DatasetRepository(app.db),
    reports: new DatasetQualityRepository(app.db),
    blob: async (sha256) => (await app.blobs.get(sha256)).bytes,
  });
  app.addSchema(DatasetQualityReportSchema);

  app.get(
    '/datasets/:id/quality',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['datasets'],
        summary: 'Quality report of a dataset: duplicates, leakage across splits, corrupt files, outliers, label balance',
        description: DESCRIPTION,
        params: DatasetIdParams,
        querystring: DatasetQualityQuerySchema,
        response: { 200: DatasetQualitySchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!request.principal) throw unauthorized();
      return service.get(request.principal, request.params.id, request.query);
    },
  );
};
