/**
 * `report.render`: renders a PDF or Excel report of the job account's record, stores the
 * file and its `reports` row in one transaction, and mails it when the requester asked
 * (services/report-render.ts). Result: the report's id, URL, size, pages, inspections and
 * whether it was mailed.
 */
import { createMailer } from '../../services/mail.service.ts';
import { renderReport } from '../../services/report-render.ts';
import { defineJob } from '../job-definition.ts';

export const reportRenderJob = defineJob('report.render', ({ db, blobs, registry, config, log }) => {
  const mailer = createMailer(config);
  return async ({ job, payload, progress }) => {
    const result = await renderReport({ db, blobs, registry, mailer, publicUrl: config.publicUrl, log }, job, payload, (fraction, message) => progress(fraction, message));
    return { result };
  };
});
