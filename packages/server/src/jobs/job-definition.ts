/**
 * How a handler file declares itself: the job name it handles and a factory that builds the
 * handler from the app's services. Handler files export one {@link JobDefinition} each.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/schema.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { ModelRegistryService } from '../services/model-registry.service.ts';
import type { Blobs } from '../storage/blobs.ts';
import type { JobHandler } from './job-queue.ts';
import type { JobName } from './job-names.ts';

/** What handlers may use; built once per process by the jobs plugin. */
export interface JobDeps {
  readonly db: Kysely<Database>;
  readonly blobs: Blobs;
  /** Publishes live events of the job's account (explanation ready, run epochs). */
  readonly events: EventBus;
  /** Model versions and their files (explanations, runs). */
  readonly registry: ModelRegistryService;
  readonly config: Config;
  readonly log: FastifyBaseLogger;
}

/** One job name and how to build its handler. */
export interface JobDefinition<N extends JobName = JobName> {
  readonly name: N;
  create(deps: JobDeps): JobHandler<N>;
}

/** Declares the handler of `name` (typed by its payload). */
export function defineJob<N extends JobName>(name: N, create: (deps: JobDeps) => JobHandler<N>): JobDefinition<N> {
  return Object.freeze({ name, create });
}
