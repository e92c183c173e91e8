/**
 * The server under test of api-bench.ts, in its own process so the load generator never
 * shares its event loop: the real app (embedded SQLite, blobs and data in the folder given
 * as argv[2]) listening on 127.0.0.1 at a free port, external HS256 tokens accepted with
 * the secret in argv[3], no rate limit; argv[6] `off` records no monitoring signals
 * (XQC_SIGNALS=off, for signals-bench.ts). Registers the demo classifier when the registry did
 * not, waits until every active model is loaded, then prints `READY <url>` on stdout.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.ts';
import { InspectionRepository } from '../src/repositories/inspection.repository.ts';
import { registerModelFolder } from '../src/routes/inspections.test-helpers.ts';
import { startServer } from '../src/server.ts';

const [dataDir, secret, issuer, model, signals] = process.argv.slice(2);
const MODELS = fileURLToPath(new URL('../../../models/', import.meta.url));

const config = loadConfig({
  XQC_DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  XQC_LOG_LEVEL: 'warn',
  XQC_JWT_SECRET: secret,
  XQC_JWT_ISSUER: issuer,
  XQC_RATE_LIMIT_MAX: '0',
  XQC_SIGNALS: signals === 'off' ? 'off' : 'on',
});
const server = await startServer(config, { print: () => undefined });
const repo = new InspectionRepository(server.app.db);
let version = await repo.activeVersionOf(model);
if (!version) {
  await registerModelFolder(server.app, `${MODELS}${model}`, model);
  version = await repo.activeVersionOf(model);
}
if (!version) throw new Error(`model ${model} could not be registered`);
await server.app.inference.ensureLoaded(version);
process.stdout.write(`READY ${server.url} ${JSON.stringify(server.app.inference.budget)}\n`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
