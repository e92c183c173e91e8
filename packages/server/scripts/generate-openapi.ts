/**
 * Writes the OpenAPI document of the app to packages/client/openapi.json, deterministically:
 * the app is built with a fixed test config in a temporary folder (no demo models, no
 * network), `app.swagger()` is called, and keys are written in a stable order with a
 * trailing newline. `npm run openapi` runs this, then openapi-typescript on the result.
 * With `--check`, writes nothing and exits 1 when the committed document differs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@xai-qc/core';
import { buildApp } from '../src/app.ts';
import { testConfig } from '../src/config/load-config.ts';

/** Where the committed document lives. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../client/openapi.json', import.meta.url));

/** Fixed environment of the generating app, so the document does not depend on the machine. */
const DOC_ENV = { XQC_TOKEN_SECRET: 'openapi-generation-secret-not-used-for-anything', XQC_ADMIN_PASSWORD: 'openapi-generation-only' };

/** Recursively sorts object keys (arrays keep their order) so output is byte-stable. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Builds the app and returns its OpenAPI document as stable JSON text. */
export async function generateOpenApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'xqc-openapi-'));
  const app = await buildApp(testConfig(dir, {}, DOC_ENV), { logger: false });
  try {
    await app.ready();
    return `${JSON.stringify(sortKeys(app.swagger()), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = await generateOpenApi();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(OPENAPI_FILE, 'utf8');
    } catch {
      // A missing document differs from the generated one.
    }
    if (committed !== text) {
      process.stderr.write(`${OPENAPI_FILE} is out of date; run npm run openapi\n`);
      process.exit(1);
    }
  } else {
    await writeFileAtomic(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  }
}
