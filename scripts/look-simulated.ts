/**
 * A contact sheet of simulated defects, to look at what the simulated-anomaly detector
 * trains on, and the figures of the simulator (area per kind, time per sample):
 *   npx tsx scripts/look-simulated.ts [--data <folder of good images>] [--count 24]
 *       [--size 128] [--seed 1] [--kinds spot,scratch] [--gray] [--zoom 2] [--out <dir>]
 *       [--stats 2000]
 * Without --data the crops come from synthetic good surfaces (metal, paint, fabric). Each
 * sample is shown twice: as simulated, and with its mask outlined in red, captioned with
 * its kinds and mask area. The sheet is written to <out>/simulated-<seed>.png (default out
 * .tmp/sim); with --stats N it also prints, per kind, the mean mask area against the mean
 * requested area and the time per sample over N samples.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ImageU8, MontageTile, SimulationKind } from '@xai-qc/core';
import {
  convertChannels,
  createRng,
  decodeImage,
  drawOutline,
  encodePng,
  generateSurface,
  IMAGE_EXTENSIONS,
  montage,
  resizeNearest,
  SIMULATION_DEFAULTS,
  SIMULATION_KINDS,
  simulateDefect,
  XqcError,
} from '@xai-qc/core';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    count: { type: 'string', default: '24' },
    size: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
    kinds: { type: 'string' },
    gray: { type: 'boolean', default: false },
    zoom: { type: 'string', default: '2' },
    out: { type: 'string', default: '.tmp/sim' },
    stats: { type: 'string', default: '0' },
  },
});
const count = Number(values.count);
const size = Number(values.size);
const seed = Number(values.seed);
const zoom = Number(values.zoom);
const statsCount = Number(values.stats);
const kinds = (values.kinds ? values.kinds.split(',') : SIMULATION_KINDS) as SimulationKind[];

/** Random `size` crops of the images (each image cropped `perImage` times; smaller images are skipped). */
function crops(images: readonly ImageU8[], perImage: number, rngSeed: number): ImageU8[] {
  const rng = createRng(rngSeed);
  const out: ImageU8[] = [];
  for (const image of images) {
    if (image.width < size || image.height < size) continue;
    for (let k = 0; k < perImage; k++) {
      const x0 = rng.int(0, image.width - size + 1);
      const y0 = rng.int(0, image.height - size + 1);
      const c = image.channels;
      const data = new Uint8Array(size * size * c);
      for (let y = 0; y < size; y++) data.set(image.data.subarray(((y0 + y) * image.width + x0) * c, ((y0 + y) * image.width + x0 + size) * c), y * size * c);
      out.push({ width: size, height: size, channels: c, data });
    }
  }
  return out;
}

async function loadGood(): Promise<ImageU8[]> {
  if (!values.data) {
    return Array.from({ length: 24 }, (_, i) => generateSurface({ seed: seed * 1000 + i, label: 'good', width: size * 2, height: size * 2 }).image);
  }
  const names = (await readdir(values.data)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort().slice(0, 32);
  if (names.length === 0) throw new XqcError('XQC_DATASET_INVALID', `no images in ${values.data}`);
  return Promise.all(names.map(async (n) => decodeImage(await readFile(join(values.data as string, n)))));
}

let good = await loadGood();
if (values.gray) good = good.map((g) => convertChannels(g, 1));
const pool = crops(good, 4, seed);
if (pool.length < 2) throw new XqcError('XQC_DATASET_INVALID', `fewer than 2 images of at least ${size}x${size}`);

const rng = createRng(seed);
const tiles: MontageTile[] = [];
for (let i = 0; i < count; i++) {
  const image = pool[i % pool.length];
  const others = pool.filter((p) => p !== image);
  const sample = simulateDefect(image, others, rng, { kinds, goodProbability: 0 });
  let area = 0;
  for (const v of sample.mask) area += v;
  const caption = `${sample.kinds.join('+') || 'good'} ${area}px`;
  const big = (im: ImageU8): ImageU8 => resizeNearest(im, im.width * zoom, im.height * zoom);
  const maskImage = { width: size, height: size, data: sample.mask };
  tiles.push({ image: big(sample.image), caption });
  tiles.push({ image: drawOutline(big(sample.image), maskImage, { color: [255, 0, 0], thickness: 1 }), caption: 'mask' });
}
const sheet = await montage(tiles, {
  columns: 8,
  title: [`simulated defects, seed ${seed}`, `${values.data ?? 'synthetic good surfaces'}, ${size} px crops${values.gray ? ', gray' : ''}, x${zoom}; kinds ${kinds.join(', ')}`],
});
await mkdir(values.out, { recursive: true });
const file = join(values.out, `simulated-${seed}.png`);
await writeFile(file, await encodePng(sheet));
console.log(`wrote ${file}`);

if (statsCount > 0) {
  const [lo, hi] = SIMULATION_DEFAULTS.areaShare;
  const requested = ((hi - lo) / Math.log(hi / lo)) * size * size;
  console.log(`mean requested area ${requested.toFixed(1)} px (log-uniform share in [${lo}, ${hi}])`);
  for (const kind of [...kinds.map((k) => [k]), kinds]) {
    const r = createRng(seed + 1);
    let sum = 0;
    let made = 0;
    const started = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < statsCount; i++) {
      const sample = simulateDefect(pool[i % pool.length], pool, r, { kinds: kind, goodProbability: 0, maxDefects: 1 });
      let area = 0;
      for (const v of sample.mask) area += v;
      if (area > 0) {
        sum += area;
        made++;
      }
    }
    const wall = (performance.now() - t0) / statsCount;
    const cpu = process.cpuUsage(started);
    const cpuMs = (cpu.user + cpu.system) / 1000 / statsCount;
    const name = kind.length > 1 ? 'all kinds' : kind[0];
    console.log(`${name.padEnd(15)} mean area ${(sum / Math.max(1, made)).toFixed(1).padStart(7)} px  ratio ${(sum / Math.max(1, made) / requested).toFixed(2)}  left good ${statsCount - made}/${statsCount}  ${wall.toFixed(3)} ms wall, ${cpuMs.toFixed(3)} ms cpu per sample`);
  }
}
