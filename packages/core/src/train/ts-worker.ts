/**
 * Starting a worker thread on one of this package's modules. The sources are TypeScript
 * run through tsx: the worker registers tsx's loader in its own thread before it imports
 * the entry (a worker does not inherit the loader of the thread that made it, and
 * vitest's transform does not reach workers at all). A module that fails to import
 * answers `{ startError }` on the parent port.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker running the module `name` (without extension) next to this file, with
 * `workerData`. The caller waits for the module's own ready message.
 */
export function spawnModuleWorker(name: string, workerData: unknown): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${name}.${typescript ? 'ts' : 'js'}`, import.meta.url).href;
  let code = `import(${JSON.stringify(entry)})`;
  if (typescript) {
    // tsx's ESM API ("tsx/esm/api", import condition); its CommonJS build cannot be imported from a worker.
    const tsxRoot = createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, '');
    const api = pathToFileURL(`${tsxRoot}dist/esm/api/index.mjs`).href;
    code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return ${code}; })`;
  }
  code += `.catch((e) => require('node:worker_threads').parentPort.postMessage({ startError: String((e && e.stack) || e) }));`;
  return new Worker(code, { eval: true, workerData });
}
