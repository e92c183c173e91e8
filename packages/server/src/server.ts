/**
 * Starts the server: the only module that reads `process.env`. Validates the environment
 * into a frozen config, builds the app, listens, prints where it is, and closes cleanly on
 * SIGINT and SIGTERM. `npm start` and `xaiqc serve` both come through {@link startServer}.
 */
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import { API_PREFIX } from './api-prefix.ts';
import { loadConfig } from './config/load-config.ts';
import { signInLines } from './plugins/auth.ts';
import type { Config } from './config/load-config.ts';

/** A listening server. */
export interface RunningServer {
  readonly app: App;
  readonly config: Config;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Where the start-up banner goes (default stdout). */
  print?: (line: string) => void;
}

/** Lines printed after start: the URLs of the API, docs and probes. */
export function bannerLines(url: string, config: Config): string[] {
  return [
    `XAI-QC server listening on ${url}`,
    `  API            ${url}${API_PREFIX}`,
    `  API docs       ${url}/docs`,
    `  OpenAPI        ${url}${API_PREFIX}/openapi.json`,
    `  health, ready  ${url}${API_PREFIX}/health, ${url}${API_PREFIX}/ready`,
    `  storage        ${config.databaseUrl === undefined ? `SQLite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}, blobs in ${config.dataDir}/blobs`,
  ];
}

/**
 * Builds the app from `config`, listens on `config.host:config.port` and prints the banner.
 * @returns the running server; `close()` stops it.
 */
export async function startServer(config: Config, options: StartServerOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const app = await buildApp(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  for (const line of bannerLines(url, config)) print(line);
  for (const line of signInLines(url, app.takeInitialAdmin())) print(line);
  return { app, config, url, close: () => app.close() };
}

/**
 * Entry point of `npm start`: config from `process.env` (with `overrides`), start, stop on
 * SIGINT/SIGTERM.
 */
export async function main(overrides: Record<string, string | undefined> = {}, options: StartServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig({ ...process.env, ...overrides });
  const server = await startServer(config, options);
  const stop = (signal: string): void => {
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
