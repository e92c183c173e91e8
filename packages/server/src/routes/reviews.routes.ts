/**
 * Review routes under the API prefix: `POST /inspections/:id/reviews` (operator),
 * `GET /inspections/:id/reviews` (viewer), `GET /reviews/:id/mask.png` (viewer),
 * `GET /review-queue` (operator), `POST /review-queue/:id/claim` and
 * `DELETE /review-queue/:id/claim` (operator). Each names its least role and calls one
 * service method (`app.reviews`, plugins/reviews.ts); the account comes from the principal.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { unauthorized } from '../errors/api-error.ts';
import { eventSink } from '../events/event-sink.ts';
import { problems } from '../schemas/common.schema.ts';
import { QueuePageSchema, QueueQuerySchema, ReviewHistorySchema, ReviewInputSchema, ReviewRef } from '../schemas/review.schema.ts';

const TAGS = ['reviews'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** Registers the review routes (mount under the API prefix). */
export const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.reviews;
  const events = eventSink(app.events, app.log);

  app.post(
    '/inspections/:id/reviews',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: TAGS,
        summary: "Record the operator's ground truth for an inspection (confirm or override; mask, boxes, comment); supersedes the current review",
        params: IdParams,
        body: ReviewInputSchema,
        response: { 201: ReviewRef, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const review = await service.submit(caller, request.params.id, request.body);
      events(caller.accountId, 'review.created', { inspectionId: review.inspectionId, reviewId: review.id, verdict: review.verdict, label: review.label, agrees: review.decision === 'confirm', reviewer: review.reviewer.subject });
      return reply.code(201).send(review);
    },
  );

  app.get(
    '/inspections/:id/reviews',
    { preHandler: app.requireRole('viewer'), schema: { tags: TAGS, summary: "An inspection's reviews, newest (current) first", params: IdParams, response: { 200: ReviewHistorySchema, ...problems(400, 401, 403, 404) } } },
    async (request) => service.history(callerOf(request), request.params.id),
  );

  app.get(
    '/reviews/:id/mask.png',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: TAGS,
        summary: "A review's corrected defect mask (binary grayscale PNG at the image's size)",
        params: IdParams,
        produces: ['image/png'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the mask as PNG' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.header('content-type', 'image/png').header('cache-control', 'private, max-age=31536000, immutable').send(Buffer.from(await service.maskPng(callerOf(request), request.params.id))),
  );

  app.get(
    '/review-queue',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: TAGS,
        summary: 'The review queue: referred, uncertain (active learning), audit and confident samples, ordered, with counts per reason',
        querystring: QueueQuerySchema,
        response: { 200: QueuePageSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => service.queue(callerOf(request), request.query),
  );

  app.post(
    '/review-queue/:id/claim',
    {
      preHandler: app.requireRole('operator'),
      schema: { tags: TAGS, summary: 'Claim an inspection for review for 15 minutes (renews your own claim)', params: IdParams, response: { 200: Type.Ref('ReviewClaim'), ...problems(400, 401, 403, 404, 409) } },
    },
    async (request) => service.claim(callerOf(request), request.params.id),
  );

  app.delete(
    '/review-queue/:id/claim',
    { preHandler: app.requireRole('operator'), schema: { tags: TAGS, summary: 'Release your claim on an inspection', params: IdParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } } },
    async (request, reply) => {
      await service.release(callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
