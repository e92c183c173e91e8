/**
 * The code a worker thread of the server starts with (`new Worker(code, { eval: true })`):
 * imports the worker module that sits beside the caller, registering tsx first when the
 * server runs from TypeScript sources, and reports a failing import as
 * `{ type: 'startError', message }` on the parent port so the caller refuses to start with
 * the reason instead of waiting for its timeout. Every worker module of the server (inference,
 * explain, anomaly, dataset quality, training) starts this way.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * @param callerUrl the caller's `import.meta.url` (its extension says whether sources are TypeScript).
 * @param baseName the worker module's file name without extension, resolved beside the caller.
 */
export function workerCode(callerUrl: string, baseName: string): string {
  const typescript = callerUrl.endsWith('.ts');
  const entry = new URL(`./${baseName}.${typescript ? 'ts' : 'js'}`, callerUrl).href;
  let code = `import(${JSON.stringify(entry)})`;
  if (typescript) {
    const tsxRoot = createRequire(callerUrl).resolve('tsx/package.json').replace(/package\.json$/, '');
    const api = pathToFileURL(`${tsxRoot}dist/esm/api/index.mjs`).href;
    code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return ${code}; })`;
  }
  return `${code}.catch((e) => require('node:worker_threads').parentPort.postMessage({ type: 'startError', message: String((e && e.stack) || e) }));`;
}
