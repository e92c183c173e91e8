/**
 * The cost and the sampling error of the monitoring statistics (`imageSignals`) at several
 * grid sizes of the Laplacian (`samplePixels`), the figures behind `SIGNAL_SAMPLE_PIXELS`
 * (docs/benchmarks.md, "monitoring signals").
 *
 * - Cost: median of 3000 warm calls on the API benchmarks' 224 x 224 image (`benchSurfacePixels`:
 *   a textured surface with a scratch), three repeats.
 * - Error: for every image of each folder given (`SIGNALS_BENCH_DIRS`, comma-separated; by
 *   default the development photographs `../shared/data/bsdata-anomaly/train/good` and
 *   `../shared/data/xsdd` when they exist: they are never copied into the repository), the
 *   relative error of the sharpness measured on the grid against every pixel: median and 90th
 *   percentile over the first 150 images, and the spread of the sharpness between those images
 *   (standard deviation over mean), against which the error is to be read. A folder that is
 *   missing is reported as such.
 *
 * Run: `npm run bench -w @xai-qc/core -- signals`
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage } from '../src/image/image-decode.ts';
import type { ImageU8 } from '../src/image/image.types.ts';
import { imageSignals, SIGNAL_SAMPLE_PIXELS } from '../src/monitoring/image-signals.ts';
import { benchSurfacePixels } from '../src/testing/bench-surface.ts';
import { formatTable, machineInfo, writeResult } from './harness.ts';

const LIMITS = [16384, 8192, 4096] as const;
const CALLS = 3000;
const IMAGES = 150;
const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Median ms of `CALLS` calls at `limit`, after as many warm-up calls. */
function cost(image: ImageU8, limit: number): number {
  for (let i = 0; i < CALLS; i++) imageSignals(image, { samplePixels: limit });
  const t: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    imageSignals(image, { samplePixels: limit });
    t.push(performance.now() - t0);
  }
  return quantile(t.sort((a, b) => a - b), 0.5);
}

async function folderImages(dir: string): Promise<ImageU8[]> {
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.(jpe?g|png|bmp|tiff?)$/i.test(f))
    .sort()
    .slice(0, IMAGES);
  return Promise.all(files.map((f) => decodeImage(readFileSync(join(dir, f)))));
}

export async function benchSignals(): Promise<unknown> {
  const machine = machineInfo();
  const image = benchSurfacePixels();
  const costs: Record<string, number[]> = {};
  for (let r = 0; r < 3; r++) for (const limit of LIMITS) (costs[limit] ??= []).push(cost(image, limit));
  console.log(`imageSignals on a 224 x 224 colour image, median ms of ${CALLS} warm calls, three repeats (default samplePixels ${SIGNAL_SAMPLE_PIXELS}):`);
  console.log(formatTable(['samplePixels', 'repeat 1', 'repeat 2', 'repeat 3'], LIMITS.map((l) => [String(l), ...costs[l]])));
  const dirs = (process.env.SIGNALS_BENCH_DIRS?.split(',') ?? ['../shared/data/bsdata-anomaly/train/good', '../shared/data/xsdd']).map((d) => resolve(REPO, d));
  const errors: Record<string, unknown> = {};
  for (const dir of dirs) {
    const name = relative(REPO, dir);
    if (!existsSync(dir)) {
      console.log(`\n${name}: not found, skipped`);
      errors[name] = 'not found';
      continue;
    }
    const images = await folderImages(dir);
    const full = images.map((im) => imageSignals(im, { samplePixels: Infinity }).sharpness);
    const mean = full.reduce((a, b) => a + b, 0) / full.length;
    const spread = Math.sqrt(full.reduce((a, b) => a + (b - mean) ** 2, 0) / full.length) / mean;
    const rows = LIMITS.map((limit) => {
      const e = images.map((im, i) => Math.abs(imageSignals(im, { samplePixels: limit }).sharpness - full[i]) / full[i]).sort((a, b) => a - b);
      return [String(limit), 100 * quantile(e, 0.5), 100 * quantile(e, 0.9)];
    });
    const sizes = [...new Set(images.map((im) => `${im.width}x${im.height}`))].slice(0, 3).join(', ');
    console.log(`\n${name}: ${images.length} images (${sizes}); sharpness spread between images ${(100 * spread).toFixed(1)} %; relative error of the grid's sharpness against every pixel, %:`);
    console.log(formatTable(['samplePixels', 'median', 'p90'], rows as (string | number)[][]));
    errors[name] = { images: images.length, spreadPercent: 100 * spread, rows };
  }
  const result = { machine, costMs: costs, errors };
  console.log(`\nwrote ${await writeResult('signals', result)}`);
  return result;
}
