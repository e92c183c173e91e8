/**
 * Background jobs (`app.jobs`, `app.jobQueue`): the queue port over the embedded adapter
 * (the app's database) or, when `REDIS_URL` is set, BullMQ. Builds the handlers of
 * jobs/register-jobs.ts at registration, so start-up fails when a job name has no handler
 * or two. Runs a worker in this process when asked (`xaiqc worker`), or by default when the
 * queue is embedded and `jobConcurrency` > 0; with Redis the API process runs no jobs.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/load-config.ts';
import { eventSink } from '../events/event-sink.ts';
import { BullMqJobQueue } from '../jobs/bullmq-queue.ts';
import { EmbeddedJobQueue } from '../jobs/embedded-queue.ts';
import type { JobQueue, JobWorker } from '../jobs/job-queue.ts';
import { buildJobHandlers } from '../jobs/register-jobs.ts';
import { JobRepository } from '../repositories/job.repository.ts';
import { JobSchema } from '../schemas/job.schema.ts';
import { JobService } from '../services/job.service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** List, get and cancel the caller's jobs. */
    jobs: JobService;
    /** The queue port: services enqueue work here. */
    jobQueue: JobQueue;
  }
}

/** Options of the jobs plugin. */
export interface JobsPluginOptions {
  config: Config;
  /** Run handlers in this process: true in `xaiqc worker`; default: embedded queue and `jobConcurrency` > 0. */
  worker?: boolean;
}

async function jobsPlugin(app: FastifyInstance, { config, worker }: JobsPluginOptions): Promise<void> {
  app.addSchema(JobSchema);
  app.blobs.addReference({ table: 'job_blobs', column: 'blob_sha256' });
  const handlers = buildJobHandlers({ db: app.db, blobs: app.blobs, events: app.events, registry: app.modelRegistry, config, log: app.log });
  const repo = new JobRepository(app.db, app.dbDialect);
  const events = eventSink(app.events, app.log);
  const queue: JobQueue =
    config.redisUrl === undefined
      ? new EmbeddedJobQueue(repo, { log: app.log, events })
      : new BullMqJobQueue(repo, { redisUrl: config.redisUrl, prefix: config.redisPrefix, log: app.log, events });
  app.decorate('jobQueue', queue);
  app.decorate('jobs', new JobService(queue));
  const runHere = worker ?? (queue.kind === 'embedded' && config.jobConcurrency > 0);
  let running: JobWorker | undefined;
  app.addHook('onReady', async () => {
    if (runHere) {
      running = queue.run(handlers, { concurrency: Math.max(1, config.jobConcurrency) });
      app.log.info({ queue: queue.kind, concurrency: Math.max(1, config.jobConcurrency) }, 'job worker started');
    }
  });
  app.addHook('onClose', async () => {
    await running?.stop();
    await queue.close();
  });
}

/** Decorates `app.jobs` and `app.jobQueue`; starts a worker as the options say. */
export default fp(jobsPlugin, { name: 'xqc-jobs', fastify: '5.x', dependencies: ['xqc-db', 'xqc-blob-store', 'xqc-events', 'xqc-registry'] });
