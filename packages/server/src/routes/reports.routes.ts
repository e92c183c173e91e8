/**
 * Reports: `POST /export` (operator) queues a `report.render` job and answers 202 with the
 * job and the report's URL; `GET /reports`, `GET /reports/{id}`, `GET /reports/{id}/download`
 * (viewer) list, read and download the account's reports; `DELETE /reports/{id}` (engineer)
 * removes one (services/report.service.ts). The file column is registered with the sweeper.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { unauthorized } from '../errors/api-error.ts';
import type { Principal } from '../auth/principal.ts';
import { ReportRepository } from '../repositories/report.repository.ts';
import { problems } from '../schemas/common.schema.ts';
import { ExportAcceptedSchema, ExportBodySchema, ReportListQuerySchema, ReportPageSchema, ReportParamsSchema, ReportRef, ReportSchema } from '../schemas/report.schema.ts';
import { ReportService } from '../services/report.service.ts';

/** Registers the report routes (mount under the API prefix; after the jobs and mail plugins). */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.blobs.addReference({ table: 'reports', column: 'file_sha256' });
  app.addSchema(ReportSchema);
  const repo = new ReportRepository(app.db);
  const service = new ReportService({
    repo,
    queue: app.jobQueue,
    blobs: {
      get: async (sha) => (await app.blobs.get(sha)).bytes,
      release: async (keys) => {
        await app.blobs.release(keys);
      },
    },
    mailEnabled: app.mail !== undefined,
    userEmail: (accountId, id) => repo.userEmail(accountId, id),
  });
  const caller = (p: Principal | undefined): Principal => {
    if (!p) throw unauthorized();
    return p;
  };

  app.post(
    '/export',
    {
      preHandler: app.requireRole('operator'),
      schema: {
        tags: ['reports'],
        summary: 'Render a PDF or Excel report of a date range, a model (version) or a list of inspections, as a job',
        description:
          'Answers 202 with the queued `report.render` job and the URL the report will have (404 until the job has succeeded). With `notify: true` the finished report is mailed to the caller (a local user\'s e-mail, or the e-mail claim of a token); 503 XQC_MAIL_DISABLED when the server has no SMTP.',
        body: ExportBodySchema,
        response: { 202: ExportAcceptedSchema, ...problems(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const out = await service.export(caller(request.principal), request.body);
      return reply.code(202).header('location', out.reportUrl).send(out);
    },
  );

  app.get(
    '/reports',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: ['reports'], summary: "The account's reports, newest first", querystring: ReportListQuerySchema, response: { 200: ReportPageSchema, ...problems(400, 401, 403) } },
    },
    async (request) => service.list(caller(request.principal), request.query),
  );

  app.get(
    '/reports/:id',
    {
      preHandler: app.requireRole('viewer'),
      schema: { tags: ['reports'], summary: 'One report: format, filters, size, pages, links', params: ReportParamsSchema, response: { 200: ReportRef, ...problems(400, 401, 403, 404) } },
    },
    async (request) => service.get(caller(request.principal), request.params.id),
  );

  app.get(
    '/reports/:id/download',
    {
      preHandler: app.requireRole('viewer'),
      schema: {
        tags: ['reports'],
        summary: 'The report file (application/pdf or the xlsx media type) as an attachment',
        params: ReportParamsSchema,
        produces: ['application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'the file' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const file = await service.download(caller(request.principal), request.params.id);
      return reply
        .header('content-type', file.mediaType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .header('cache-control', 'private, no-store')
        .send(Buffer.from(file.bytes));
    },
  );

  app.delete(
    '/reports/:id',
    {
      preHandler: app.requireRole('engineer'),
      schema: { tags: ['reports'], summary: 'Delete a report and its file', params: ReportParamsSchema, response: { 204: { type: 'null', description: 'deleted' }, ...problems(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      await service.delete(caller(request.principal), request.params.id);
      return reply.code(204).send();
    },
  );
};
