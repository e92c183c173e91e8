/**
 * Builds the Fastify app from a frozen {@link Config}: plugins (errors, metrics, readiness,
 * docs, multipart, db, blob store, registry) and routes under `/api/xai-qc`. Never listens:
 * `server.ts` does, and tests call `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from './api-prefix.ts';
import type { Config } from './config/load-config.ts';
import blobStorePlugin from './plugins/blob-store.ts';
import dbPlugin from './plugins/db.ts';
import docsPlugin from './plugins/docs.ts';
import eventsPlugin from './plugins/events.ts';
import errorHandlerPlugin from './plugins/error-handler.ts';
import inferencePlugin from './plugins/inference.ts';
import jobsPlugin from './plugins/jobs.ts';
import mailPlugin from './plugins/mail.ts';
import metricsPlugin from './plugins/metrics.ts';
import readinessPlugin from './plugins/readiness.ts';
import webAppPlugin from './plugins/web-app.ts';
import registryPlugin from './plugins/registry.ts';
import reviewsPlugin from './plugins/reviews.ts';
import securityPlugin from './plugins/security.ts';
import authPlugin from './plugins/auth.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { authRoutes } from './routes/auth.routes.ts';
import { userRoutes } from './routes/users.routes.ts';
import { apiKeyRoutes } from './routes/api-keys.routes.ts';
import { inspectionRoutes } from './routes/inspections.routes.ts';
import { anomalyRoutes } from './routes/anomaly.routes.ts';
import { jobRoutes } from './routes/jobs.routes.ts';
import { datasetRoutes } from './routes/datasets.routes.ts';
import { datasetQualityRoutes } from './routes/dataset-quality.routes.ts';
import { runRoutes } from './routes/runs.routes.ts';
import { explanationRoutes } from './routes/explanations.routes.ts';
import { modelRoutes } from './routes/models.routes.ts';
import { prometheusRoutes } from './routes/prometheus.routes.ts';
import { reviewRoutes } from './routes/reviews.routes.ts';
import { metricsRoutes } from './routes/metrics.routes.ts';
import { calibrationRoutes } from './routes/calibration.routes.ts';
import { thresholdRoutes } from './routes/thresholds.routes.ts';
import { reportRoutes } from './routes/reports.routes.ts';
import { passwordResetRoutes } from './routes/password-reset.routes.ts';
import { webhookRoutes } from './routes/webhooks.routes.ts';
import { alertRoutes } from './routes/alerts.routes.ts';
import { monitorRoutes } from './routes/monitors.routes.ts';
import { questionRoutes } from './routes/questions.routes.ts';
import { knowledgeRoutes } from './routes/knowledge.routes.ts';

/** The app type every module sees. */
export type App = FastifyInstance;

/** Options beside the config, for embedding and tests. */
export interface BuildAppOptions {
  /** pino options or false; default: JSON logs at `config.logLevel`. */
  logger?: boolean | { level: string };
  /** Run job handlers in this process (`xaiqc worker`); default: only with the embedded queue. */
  jobWorker?: boolean;
}

/**
 * Log paths that may carry a credential: @fastify/multipart logs the busboy options, request
 * headers included, at trace level. Censored wherever they appear in a log line.
 */
export const REDACTED_LOG_PATHS: readonly string[] = Object.freeze([
  'busboyOptions.headers.authorization',
  'busboyOptions.headers["x-api-key"]',
  'busboyOptions.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
]);

/** Request ids a caller may set through `x-request-id`; anything else gets a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Creates the app with every plugin and route registered, ready after `await app.ready()`.
 * @param config frozen configuration from `loadConfig` or `testConfig`.
 */
export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger === false ? false : { ...(typeof options.logger === 'object' ? options.logger : { level: config.logLevel }), redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' } };
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandlerPlugin);
  await app.register(metricsPlugin);
  await app.register(readinessPlugin);
  await app.register(securityPlugin, { config });
  await app.register(docsPlugin);
  await app.register(multipart, { limits: { fileSize: config.bodyLimitBytes, files: 16, fields: 32, parts: 64 } });
  await app.register(dbPlugin, { config });
  await app.register(authPlugin, { config });
  await app.register(blobStorePlugin, { config });
  await app.register(registryPlugin, { config });
  await app.register(inferencePlugin, { config });
  await app.register(eventsPlugin, { config });
  await app.register(reviewsPlugin);
  await app.register(jobsPlugin, { config, worker: options.jobWorker });
  await app.register(mailPlugin, { config });

  await app.register(healthRoutes, { prefix: API_PREFIX });
  await app.register(authRoutes, { prefix: API_PREFIX, config });
  await app.register(userRoutes, { prefix: API_PREFIX });
  await app.register(apiKeyRoutes, { prefix: API_PREFIX });
  await app.register(modelRoutes, { prefix: API_PREFIX });
  await app.register(inspectionRoutes, { prefix: API_PREFIX, signals: config.signals });
  await app.register(anomalyRoutes, { prefix: API_PREFIX, config });
  await app.register(jobRoutes, { prefix: API_PREFIX });
  await app.register(datasetRoutes, { prefix: API_PREFIX, config });
  await app.register(datasetQualityRoutes, { prefix: API_PREFIX });
  await app.register(runRoutes, { prefix: API_PREFIX, config });
  await app.register(explanationRoutes, { prefix: API_PREFIX });
  await app.register(reviewRoutes, { prefix: API_PREFIX });
  await app.register(metricsRoutes, { prefix: API_PREFIX });
  await app.register(calibrationRoutes, { prefix: API_PREFIX });
  await app.register(thresholdRoutes, { prefix: API_PREFIX });
  await app.register(reportRoutes, { prefix: API_PREFIX });
  await app.register(passwordResetRoutes, { prefix: API_PREFIX, config });
  await app.register(webhookRoutes, { prefix: API_PREFIX, denyPrivate: config.webhookDenyPrivate });
  await app.register(alertRoutes, { prefix: API_PREFIX, config });
  await app.register(monitorRoutes, { prefix: API_PREFIX, config });
  await app.register(questionRoutes, { prefix: API_PREFIX, config });
  await app.register(knowledgeRoutes, { prefix: API_PREFIX, config });
  await app.register(prometheusRoutes);
  await app.register(webAppPlugin, { webDir: config.webDir });
  return app as unknown as App;
}
