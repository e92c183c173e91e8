/** @xai-qc/server: the Fastify app, its config and how to start it. */
export { buildApp } from './app.ts';
export type { App, BuildAppOptions } from './app.ts';
export { API_PREFIX } from './api-prefix.ts';
export { loadConfig, testConfig, REPO_MODELS_DIR } from './config/load-config.ts';
export type { Config, LogLevel } from './config/load-config.ts';
export { bannerLines, main, startServer } from './server.ts';
export type { RunningServer, StartServerOptions } from './server.ts';
export { startWorker, workerMain } from './worker.ts';
export type { RunningWorker } from './worker.ts';
export { SERVER_VERSION } from './version.ts';
export type { Database } from './db/schema.ts';
export { ApiError, ProblemSchema } from './errors/api-error.ts';
export type { Problem } from './errors/api-error.ts';
export type { Principal, Role } from './auth/principal.ts';
export { openAdminTasks } from './auth/admin-tasks.ts';
export type { AdminTasks } from './auth/admin-tasks.ts';
