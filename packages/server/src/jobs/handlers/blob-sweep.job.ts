/**
 * `blob.sweep`: removes blobs that no row references and that were put longer ago than the
 * grace period (storage/blobs.ts keeps the invariants), in batches, reporting progress and
 * stopping between batches when cancelled.
 * Result: `{ removed, strayFiles, leftovers, batches }` (counts): unreferenced blobs, bytes
 * without a row (a writer stopped before its commit) and temporary leftovers removed.
 */
import { ApiError } from '../../errors/api-error.ts';
import { defineJob } from '../job-definition.ts';

/** Blobs examined per batch when the payload names no limit. */
const DEFAULT_BATCH = 500;
/** Batches per job at most: a sweep of a huge store ends and the next job goes on. */
const MAX_BATCHES = 100;

export const blobSweepJob = defineJob('blob.sweep', ({ blobs }) => async ({ payload, signal, progress }) => {
  const graceMs = payload.graceMs;
  const limit = payload.limit ?? DEFAULT_BATCH;
  if (graceMs !== undefined && (!Number.isFinite(graceMs) || graceMs < 0)) throw new ApiError(400, 'XQC_INVALID_ARGUMENT', `blob.sweep: graceMs must be a number >= 0, got ${graceMs}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ApiError(400, 'XQC_INVALID_ARGUMENT', `blob.sweep: limit must be an integer 1..10000, got ${limit}`);
  let removed = 0;
  let strayFiles = 0;
  let leftovers = 0;
  let batches = 0;
  await progress(0, 'sweeping unreferenced blobs');
  while (batches < MAX_BATCHES) {
    if (signal.aborted) throw signal.reason;
    const res = await blobs.sweep({ graceMs, limit });
    removed += res.removed.length;
    strayFiles += res.strayFiles.length;
    leftovers += res.leftovers;
    batches++;
    await progress(Math.min(0.99, batches / MAX_BATCHES), `removed ${removed} blob(s)`);
    if (res.removed.length < limit && res.strayFiles.length + res.leftovers < limit) break;
  }
  return { result: { removed, strayFiles, leftovers, batches } };
});
