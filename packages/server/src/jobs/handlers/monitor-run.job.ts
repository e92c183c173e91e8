/**
 * `monitor.run`: computes and stores one result of a monitor of the job account
 * (services/monitor.service.ts) and publishes `monitor.result`. A run that cannot compute a
 * result because of the monitor's data (a window without data: a 4xx) stores that as the
 * monitor's error state and ends without a result and without a retry; any other failure
 * is stored the same way and thrown, so the queue retries it. Never a half-written result:
 * the result and the monitor's run state are written in one transaction.
 * Result: `{ resultId, level }` or `{ error, code }`.
 */
import { ApiError } from '../../errors/api-error.ts';
import { DatasetRepository } from '../../repositories/dataset.repository.ts';
import { InspectionRepository } from '../../repositories/inspection.repository.ts';
import { MonitorRepository } from '../../repositories/monitor.repository.ts';
import { SignalRepository } from '../../repositories/signal.repository.ts';
import { storedEmbeddings } from '../../services/monitor-embeddings.ts';
import { MonitorService } from '../../services/monitor.service.ts';
import { defineJob } from '../job-definition.ts';

export const monitorRunJob = defineJob('monitor.run', ({ db, blobs, events, config }) => {
  const readBlob = async (sha256: string): Promise<Uint8Array> => (await blobs.get(sha256)).bytes;
  const service = new MonitorService({
    repo: new MonitorRepository(db),
    signals: new SignalRepository(db),
    datasets: new DatasetRepository(db),
    versions: new InspectionRepository(db),
    readBlob,
    embeddings: storedEmbeddings(db, config.dataDir, readBlob),
    events,
  });
  return async ({ job, payload, progress }) => {
    try {
      const result = await service.run(job.accountId, payload.monitorId, job.id);
      await progress(1, `level ${result.level}, ${result.signals.length} test(s)`);
      return { result: { resultId: result.id, level: result.level } };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await service.recordFailure(job.accountId, payload.monitorId, message);
      if (e instanceof ApiError && e.status < 500) return { result: { error: message, code: e.code } };
      throw e;
    }
  };
});
