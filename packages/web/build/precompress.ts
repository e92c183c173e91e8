/**
 * A Vite plugin that writes `.br` and `.gz` beside every text file of the build, so the server
 * (@fastify/static `preCompressed`) sends compressed files without compressing per request.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const TEXT = /\.(js|css|html|svg|json|txt)$/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

/** The plugin; runs after the bundle is written. */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'xqc-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      for (const f of files(outDir)) {
        if (!TEXT.test(f)) continue;
        const data = readFileSync(f);
        if (data.length < 512) continue;
        writeFileSync(`${f}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${f}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}
