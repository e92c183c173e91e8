/**
 * Handler maps for queue tests, fixtures and benchmarks that exercise the queue itself with a
 * few job names: every other name gets a handler that fails the job, naming what is missing.
 */
import type { JobHandlers } from './job-queue.ts';
import { JOB_NAMES } from './job-names.ts';

/** `partial` completed with failing handlers for every job name it leaves out. */
export function testHandlers(partial: Partial<JobHandlers>): JobHandlers {
  const all: Record<string, unknown> = {};
  for (const name of JOB_NAMES) {
    all[name] =
      partial[name] ??
      (async () => {
        throw new Error(`job '${name}' has no handler in this test worker`);
      });
  }
  return all as unknown as JobHandlers;
}
