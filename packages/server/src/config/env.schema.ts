/**
 * The environment variables the server reads, as one TypeBox schema. `server.ts` is the
 * only reader of `process.env`; it validates the environment against this schema once and
 * `load-config.ts` turns the result into the frozen {@link Config}.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AUTH_ENV_PROPERTIES } from '../auth/auth-config.ts';

/** Log levels pino accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Environment variables, all strings as the environment gives them. */
export const EnvSchema = Type.Object(
  {
    PORT: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', description: 'TCP port to listen on (default 8080)' })),
    HOST: Type.Optional(Type.String({ minLength: 1, description: 'interface to listen on (default 127.0.0.1)' })),
    XQC_DATA_DIR: Type.Optional(Type.String({ minLength: 1, description: 'folder for the SQLite database and the blob store (default ./data)' })),
    DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL; SQLite in XQC_DATA_DIR when unset' })),
    XQC_DATABASE_SCHEMA: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', description: 'PostgreSQL schema for the tables (default: the search path of the role)' })),
    REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis URL for shared rate limits and queues' })),
    XQC_REDIS_PREFIX: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'prefix of every Redis key and channel of this deployment (default xqc); deployments sharing a Redis need distinct prefixes' })),
    XQC_MODELS_DIR: Type.Optional(Type.String({ minLength: 1, description: 'folder of demo models registered on first start (default: the repository models/)' })),
    XQC_DEMO_MODELS: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'register the demo models on start (default true)' })),
    XQC_LOG_LEVEL: Type.Optional(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { description: 'pino log level (default info)' })),
    XQC_ALERT_INTERVAL_MINUTES: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'minutes between evaluations of every account\'s enabled alert rules by this API process, 0 (the default) to leave it to a scheduler calling POST /alert-rules/evaluate' })),
    XQC_SIGNALS: Type.Optional(Type.Union([Type.Literal('on'), Type.Literal('off')], { description: 'record the monitoring signals of each /detect (image statistics, outputs, latency; default on)' })),
    XQC_MONITOR_INTERVAL_MINUTES: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'minutes between checks for due monitors by this API process, 0 to leave it to a scheduler calling POST /monitors/{id}/run (default 1)' })),
    XQC_WEBHOOK_DENY_PRIVATE: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')], { description: '1: refuse webhook URLs whose host is or resolves to a private, loopback or link-local address, at creation and at delivery (default 0: allowed)' })),
    XQC_BLOB_SWEEP_MINUTES: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'minutes between sweeps of unreferenced blobs, 0 to turn sweeping off (default 60)' })),
    XQC_JOB_CONCURRENCY: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'background jobs a worker runs at once; 0: the API process runs none (default 2; with REDIS_URL only `xaiqc worker` runs jobs)' })),
    MLFLOW_TRACKING_URI: Type.Optional(Type.String({ pattern: '^https?://', description: 'MLflow tracking server; train runs are mirrored to it as `xaiqc train` does (unset: no mirroring)' })),
    MLFLOW_EXPERIMENT_NAME: Type.Optional(Type.String({ minLength: 1, description: 'MLflow experiment of mirrored runs (default xai-qc)' })),
    XQC_BODY_LIMIT_MB: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'largest upload in MiB (default 256)' })),
    SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'SMTP server for outgoing mail (smtp:// or smtps://, credentials in the URL); mail is off unless it and XQC_MAIL_FROM are set' })),
    XQC_MAIL_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: 'From address of outgoing mail (password-reset links, finished reports)' })),
    XQC_WEB_DIR: Type.Optional(Type.String({ minLength: 1, description: 'folder of the built web app served at / (default packages/web/dist of the repository); off: serve no web app' })),
    XQC_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'base URL of the server as users reach it, for links in mails (default http://HOST:PORT)' })),
    XQC_LLM_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'OpenAI-compatible endpoint (base URL with /v1, e.g. http://127.0.0.1:11434/v1 for Ollama) whose chat model may write the answers to questions; unset: grounded answers only' })),
    XQC_LLM_MODEL: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'model name at XQC_LLM_URL (required with it)' })),
    XQC_LLM_API_KEY: Type.Optional(Type.String({ minLength: 1, description: 'bearer key of XQC_LLM_URL and XQC_EMBED_URL, when they need one' })),
    XQC_LLM_TIMEOUT_MS: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'time a language-model or embedding call may take before the grounded answer is used, ms (default 20000)' })),
    XQC_LLM_IMAGES: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')], { description: 'send the inspected image to the language model (a vision model; default false)' })),
    XQC_EMBED_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'OpenAI-compatible endpoint whose /embeddings make knowledge-base search hybrid (BM25 plus vectors); unset: BM25 only' })),
    XQC_EMBED_MODEL: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'embedding model at XQC_EMBED_URL (required with it)' })),
    XQC_KB_MAX_BYTES: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', description: 'largest knowledge-base document in bytes (default 10485760, 10 MiB)' })),
    ...AUTH_ENV_PROPERTIES,
  },
  { additionalProperties: true },
);

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;
