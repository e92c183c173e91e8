/** Schemas of `POST /export` and the `/reports` routes (TypeBox). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { IdParam } from './common.schema.ts';

/** Most inspection ids one export may list. */
export const MAX_EXPORT_IDS = 1000;

/** Body of `POST /export`. */
export const ExportBodySchema = Type.Object(
  {
    format: Type.Union([Type.Literal('pdf'), Type.Literal('xlsx')], { description: 'PDF report (pdfkit, A4) or Excel workbook (exceljs)' }),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive start (created_at >= from)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive end (created_at < to)' })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'model name; 404 when unknown' })),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'version of `model`' })),
    inspectionIds: Type.Optional(
      Type.Array(IdParam, { minItems: 1, maxItems: MAX_EXPORT_IDS, uniqueItems: true, description: `only these inspections (at most ${MAX_EXPORT_IDS}); 404 when one is not the account's` }),
    ),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'title on the cover and the file name (default "Quality report")' })),
    notify: Type.Optional(Type.Boolean({ description: "mail the finished report to the requester's e-mail (only when the server has SMTP configured and the caller's identity carries an e-mail)" })),
  },
  { additionalProperties: false },
);

/** Export request. */
export type ExportBody = Static<typeof ExportBodySchema>;

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** A stored report. */
export const ReportSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    jobId: Type.String({ format: 'uuid' }),
    format: Type.Union([Type.Literal('pdf'), Type.Literal('xlsx')]),
    title: Type.String(),
    filters: Type.Object({
      from: Nullable(Type.String()),
      to: Nullable(Type.String()),
      model: Nullable(Type.String()),
      version: Nullable(Type.String()),
      inspectionIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
    }),
    mediaType: Type.String(),
    fileName: Type.String(),
    size: Type.Integer({ description: 'bytes' }),
    sha256: Type.String(),
    pages: Type.Union([Type.Integer(), Type.Null()], { description: 'PDF pages; null for workbooks' }),
    inspections: Type.Integer({ description: 'inspections in the per-inspection part' }),
    createdBy: Type.String(),
    createdAt: Type.String(),
    links: Type.Object({ self: Type.String(), download: Type.String() }),
  },
  { $id: 'Report', title: 'Report' },
);

/** A report as the API returns it. */
export type Report = Static<typeof ReportSchema>;

/** `$ref` to {@link ReportSchema}. */
export const ReportRef = Type.Unsafe<Report>(Type.Ref('Report'));

/** Answer of `POST /export`: the queued job and where the report will be. */
export const ExportAcceptedSchema = Type.Object({
  reportId: Type.String({ format: 'uuid', description: 'the id the report will have once the job succeeds' }),
  url: Type.String({ description: 'download URL of the report (404 until the job has succeeded)' }),
  reportUrl: Type.String({ description: 'the report resource (404 until the job has succeeded)' }),
  job: Type.Unsafe<unknown>(Type.Ref('Job')),
});

/** Query of `GET /reports`. */
export const ReportListQuerySchema = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400, description: '`nextCursor` of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'page size (default 50)' })),
  },
  { additionalProperties: false },
);

/** Report list query. */
export type ReportListQuery = Static<typeof ReportListQuerySchema>;

/** A page of reports, newest first. */
export const ReportPageSchema = Type.Object({
  items: Type.Array(ReportRef),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as cursor for the next page; null on the last' }),
});

/** `{id}` of the report routes. */
export const ReportParamsSchema = Type.Object({ id: IdParam });
