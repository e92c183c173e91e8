/**
 * `calibration.fit`: refits a classifier version's temperature (and conformal threshold) on
 * the account's reviews and registers the result as a new, inactive version
 * (services/calibration.service.ts). Result: the fit's figures and the new version.
 */
import { CalibrationService } from '../../services/calibration.service.ts';
import { defineJob } from '../job-definition.ts';

export const calibrationFitJob = defineJob('calibration.fit', ({ db, registry }) => async ({ job, payload, progress }) => {
  await progress(0.1, 'reading reviews');
  const result = await new CalibrationService(db, registry).fit(job.accountId, payload);
  await progress(1, `registered ${result.modelName}@${result.newVersion}`);
  return { result };
});
