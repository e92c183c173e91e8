/**
 * `xaiqc serve`: runs the XAI-QC server in the foreground, configured from the environment
 * as `npm start` is (PORT, HOST, XQC_DATA_DIR, DATABASE_URL, ...), with flags that override
 * the most common settings. Prints the URLs and how to sign in; stops on Ctrl-C or SIGTERM.
 */
import { main as startFromEnvironment } from '@xai-qc/server';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

/** Environment variable each flag overrides. */
const FLAG_ENV: Readonly<Record<string, string>> = {
  port: 'PORT',
  host: 'HOST',
  'data-dir': 'XQC_DATA_DIR',
  'models-dir': 'XQC_MODELS_DIR',
  'demo-models': 'XQC_DEMO_MODELS',
};

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the XAI-QC server (REST API, docs, demo models)',
  help: `Usage: xaiqc serve [--port N] [--host H] [--data-dir DIR] [--models-dir DIR] [--demo-models true|false]

Runs the server in the foreground until Ctrl-C (SIGINT) or SIGTERM. Embedded by default:
SQLite and blobs in --data-dir (XQC_DATA_DIR, default ./data), the demo models of
--models-dir (default the repository's models/) registered and active on first start.
Set DATABASE_URL for PostgreSQL and REDIS_URL for shared rate limits (docs/deployment.md
lists every variable). Flags override the environment:
  --port N            PORT (default 8080; 0 picks a free port)
  --host H            HOST (default 127.0.0.1; 0.0.0.0 listens on every interface)
  --data-dir DIR      XQC_DATA_DIR
  --models-dir DIR    XQC_MODELS_DIR
  --demo-models B     XQC_DEMO_MODELS: register the demo models on start (default true)

Prints the API, docs and OpenAPI URLs and how to sign in (the first admin's generated
password is printed once, on the first start).`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'models-dir': { type: 'string' },
    'demo-models': { type: 'string' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`serve takes no positional arguments, got '${positionals[0]}'`);
    const overrides: Record<string, string> = {};
    for (const [flag, env] of Object.entries(FLAG_ENV)) {
      const v = values[flag];
      if (typeof v === 'string') overrides[env] = v;
    }
    if (overrides.XQC_DEMO_MODELS !== undefined && !['true', 'false'].includes(overrides.XQC_DEMO_MODELS)) {
      throw new UsageError(`--demo-models must be true or false, got '${overrides.XQC_DEMO_MODELS}'`);
    }
    const server = await startFromEnvironment(overrides, { print: io.out });
    await new Promise<void>((resolve) => server.app.server.once('close', () => resolve()));
    return 0;
  },
};
