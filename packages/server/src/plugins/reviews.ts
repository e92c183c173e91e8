/**
 * Reviews (`app.reviews`): the review service over its repository, the inspections and the
 * blob store; the mask column registered with the sweeper; the review schemas. Explanations
 * and metrics read ground truth through `app.reviews.groundTruthMask`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { InspectionRepository } from '../repositories/inspection.repository.ts';
import { ReviewRepository } from '../repositories/review.repository.ts';
import { ClaimSchema, ReviewSchema } from '../schemas/review.schema.ts';
import { ReviewService } from '../services/review.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Reviews and the review queue; `groundTruthMask` for explanations and metrics. */
    reviews: ReviewService;
  }
}

async function reviewsPlugin(app: FastifyInstance): Promise<void> {
  app.blobs.addReference({ table: 'reviews', column: 'mask_sha256' });
  app.addSchema(ReviewSchema);
  app.addSchema(ClaimSchema);
  app.decorate(
    'reviews',
    new ReviewService({
      reviews: new ReviewRepository(app.db),
      inspections: new InspectionRepository(app.db),
      blobs: {
        storeWith: (items, within) => app.blobs.putWith(items, (infos, trx) => within(infos.map((i) => i.sha256), trx)),
        get: async (sha256) => (await app.blobs.get(sha256)).bytes,
      },
    }),
  );
}

/** Decorates `app.reviews`. */
export default fp(reviewsPlugin, { name: 'xqc-reviews', fastify: '5.x', dependencies: ['xqc-db', 'xqc-blob-store'] });
