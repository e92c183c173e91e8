/**
 * The server's configuration: parsed once from the environment into a frozen, typed object.
 * Nothing below `server.ts` reads `process.env`; tests build a {@link Config} directly with
 * {@link testConfig} or {@link loadConfig} over a plain object.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { XqcError } from '@xai-qc/core';
import { authConfigFromEnv, securityConfigFromEnv } from '../auth/auth-config.ts';
import type { AuthConfig, SecurityConfig } from '../auth/auth-config.ts';
import { EnvSchema, LOG_LEVELS } from './env.schema.ts';

/** pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the app needs to start. Built by {@link loadConfig}; frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute folder for the SQLite file and the blob store. */
  readonly dataDir: string;
  /** PostgreSQL URL; undefined selects embedded SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema put first on the search path; undefined keeps the role's default. */
  readonly databaseSchema: string | undefined;
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key and channel (queues, events, rate limits); default `xqc`. */
  readonly redisPrefix: string;
  /** Absolute folder of demo models (one sub-folder per model with model.onnx and model_card.yaml). */
  readonly modelsDir: string;
  /** Register and activate the demo models on start (idempotent). */
  readonly registerDemoModels: boolean;
  readonly logLevel: LogLevel;
  /** Milliseconds between sweeps of unreferenced blobs; 0 turns sweeping off. */
  readonly blobSweepIntervalMs: number;
  /** Time between evaluations of every account's enabled alert rules, ms; 0: none (XQC_ALERT_INTERVAL_MINUTES, default 0). */
  readonly alertIntervalMs: number;
  /** Record the per-inspection monitoring signals at /detect (XQC_SIGNALS, default on). */
  readonly signals: boolean;
  /** Time between checks for due monitors by the API process, ms; 0: none (XQC_MONITOR_INTERVAL_MINUTES, default 1). */
  readonly monitorIntervalMs: number;
  /** Refuse webhook targets on private, loopback and link-local addresses (XQC_WEBHOOK_DENY_PRIVATE=1, default off). */
  readonly webhookDenyPrivate: boolean;
  /** Background jobs one worker runs at once; 0: this process runs no jobs (XQC_JOB_CONCURRENCY). */
  readonly jobConcurrency: number;
  /** MLflow tracking server that train runs are mirrored to (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME); undefined: none. */
  readonly mlflow: { readonly trackingUri: string; readonly experiment?: string } | undefined;
  /** Largest request body in bytes (uploads included). */
  readonly bodyLimitBytes: number;
  /** Token verification, local accounts, first admin (auth/auth-config.ts). */
  readonly auth: AuthConfig;
  /** CORS, rate limits (auth/auth-config.ts). */
  readonly security: SecurityConfig;
  /** Outgoing mail (SMTP_URL, XQC_MAIL_FROM); undefined: mail is off. */
  readonly mail: { readonly smtpUrl: string; readonly from: string } | undefined;
  /** Base URL of the server for links in mails (XQC_PUBLIC_URL), without a trailing slash. */
  readonly publicUrl: string;
  /** Folder of the built web app served at `/` (XQC_WEB_DIR, default packages/web/dist); null: no web app (XQC_WEB_DIR=off). */
  readonly webDir: string | null;
  /** Questions and the knowledge base (XQC_LLM_*, XQC_EMBED_*, XQC_KB_MAX_BYTES). */
  readonly ask: AskConfig;
}

/** The language model, the embedding endpoint and the knowledge-base limit. */
export interface AskConfig {
  /** Chat model that may write answers (XQC_LLM_URL, XQC_LLM_MODEL, XQC_LLM_API_KEY, XQC_LLM_TIMEOUT_MS, XQC_LLM_IMAGES); undefined: grounded answers only. */
  readonly llm: { readonly url: string; readonly model: string; readonly apiKey?: string; readonly timeoutMs: number; readonly images: boolean } | undefined;
  /** Embedding endpoint for hybrid search (XQC_EMBED_URL, XQC_EMBED_MODEL); undefined: BM25 only. */
  readonly embed: { readonly url: string; readonly model: string; readonly apiKey?: string; readonly timeoutMs: number } | undefined;
  /** Largest knowledge-base document in bytes (XQC_KB_MAX_BYTES, default 10 MiB). */
  readonly kbMaxBytes: number;
}

/** The repository's `models/` folder, the default home of the demo models. */
export const REPO_MODELS_DIR = fileURLToPath(new URL('../../../../models/', import.meta.url));

/** The web app's build output in the repository, the default {@link Config.webDir}. */
export const REPO_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * Validates environment variables and returns the frozen config.
 * @param env a `process.env`-like mapping; unknown variables are ignored.
 * @param cwd folder relative paths are resolved against.
 * @throws XQC_INVALID_ARGUMENT naming each bad variable and what it accepts.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): Config {
  const defined = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && k in EnvSchema.properties));
  const errors = [...Value.Errors(EnvSchema, defined)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.path.slice(1) || 'environment'}: ${e.schema.description ?? e.message} (${e.message})`);
    throw new XqcError('XQC_INVALID_ARGUMENT', `invalid environment: ${[...new Set(lines)].join('; ')}`);
  }
  const e = defined as Record<string, string>;
  const port = e.PORT === undefined ? 8080 : Number(e.PORT);
  if (port > 65535) throw new XqcError('XQC_INVALID_ARGUMENT', `invalid environment: PORT must be 0..65535, got ${port}`);
  if (e.XQC_LLM_URL !== undefined && e.XQC_LLM_MODEL === undefined) throw new XqcError('XQC_INVALID_ARGUMENT', 'invalid environment: XQC_LLM_URL needs XQC_LLM_MODEL');
  if (e.XQC_EMBED_URL !== undefined && e.XQC_EMBED_MODEL === undefined) throw new XqcError('XQC_INVALID_ARGUMENT', 'invalid environment: XQC_EMBED_URL needs XQC_EMBED_MODEL');
  const llmTimeoutMs = Number(e.XQC_LLM_TIMEOUT_MS ?? 20000);
  return Object.freeze({
    port,
    host: e.HOST ?? '127.0.0.1',
    dataDir: resolve(cwd, e.XQC_DATA_DIR ?? 'data'),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.XQC_DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.XQC_REDIS_PREFIX ?? 'xqc',
    modelsDir: e.XQC_MODELS_DIR === undefined ? REPO_MODELS_DIR : resolve(cwd, e.XQC_MODELS_DIR),
    registerDemoModels: e.XQC_DEMO_MODELS !== 'false',
    logLevel: (e.XQC_LOG_LEVEL ?? 'info') as LogLevel,
    blobSweepIntervalMs: Number(e.XQC_BLOB_SWEEP_MINUTES ?? 60) * 60 * 1000,
    alertIntervalMs: Number(e.XQC_ALERT_INTERVAL_MINUTES ?? 0) * 60 * 1000,
    signals: e.XQC_SIGNALS !== 'off',
    monitorIntervalMs: Number(e.XQC_MONITOR_INTERVAL_MINUTES ?? 1) * 60 * 1000,
    webhookDenyPrivate: e.XQC_WEBHOOK_DENY_PRIVATE === '1',
    jobConcurrency: Number(e.XQC_JOB_CONCURRENCY ?? 2),
    mlflow: e.MLFLOW_TRACKING_URI === undefined ? undefined : Object.freeze({ trackingUri: e.MLFLOW_TRACKING_URI, experiment: e.MLFLOW_EXPERIMENT_NAME }),
    bodyLimitBytes: Number(e.XQC_BODY_LIMIT_MB ?? 256) * 1024 * 1024,
    auth: authConfigFromEnv(e),
    security: securityConfigFromEnv(e),
    mail: e.SMTP_URL !== undefined && e.XQC_MAIL_FROM !== undefined ? Object.freeze({ smtpUrl: e.SMTP_URL, from: e.XQC_MAIL_FROM }) : undefined,
    publicUrl: (e.XQC_PUBLIC_URL ?? `http://${e.HOST ?? '127.0.0.1'}:${port}`).replace(/\/+$/, ''),
    webDir: e.XQC_WEB_DIR === 'off' ? null : e.XQC_WEB_DIR === undefined ? REPO_WEB_DIR : resolve(cwd, e.XQC_WEB_DIR),
    ask: Object.freeze({
      llm: e.XQC_LLM_URL === undefined ? undefined : Object.freeze({ url: e.XQC_LLM_URL, model: e.XQC_LLM_MODEL, apiKey: e.XQC_LLM_API_KEY, timeoutMs: llmTimeoutMs, images: e.XQC_LLM_IMAGES === 'true' }),
      embed: e.XQC_EMBED_URL === undefined ? undefined : Object.freeze({ url: e.XQC_EMBED_URL, model: e.XQC_EMBED_MODEL, apiKey: e.XQC_LLM_API_KEY, timeoutMs: llmTimeoutMs }),
      kbMaxBytes: Number(e.XQC_KB_MAX_BYTES ?? 10 * 1024 * 1024),
    }),
  });
}

/**
 * A config for tests: SQLite in `dataDir`, no demo models, silent logs, unless overridden.
 * @param env extra environment variables (auth settings, for instance), validated like the real ones.
 */
export function testConfig(dataDir: string, overrides: Partial<Config> = {}, env: Readonly<Record<string, string>> = {}): Config {
  return Object.freeze({ ...loadConfig({ XQC_DATA_DIR: dataDir, XQC_DEMO_MODELS: 'false', XQC_LOG_LEVEL: 'silent', ...env }), ...overrides });
}
