/**
 * Pixel AUROC of an anomaly detector per defect kind, on a test folder whose defect images sit
 * in one sub-folder per kind (the MVTec AD layout, or core's generator's): each kind's images
 * together with every good test image, and all of them together; with the image AUROC and PRO,
 * and in how many defect images the map's peak lies inside the mask (docs/anomaly.md,
 * "Combined": where the radiograph pixel figure is lost).
 *
 *   npx tsx scripts/anomaly-per-kind.ts DETECTOR_DIR TEST_DIR [--flips] [--sigma 1,2,3] [--half-scale off,on] [--by-size]
 *
 * `--flips` also scores the map averaged over the four flips of each image (test-time
 * augmentation); `--sigma` rescores a simulated-defect detector with other map smoothings
 * (a copy of the folder with `scoring.sigma` changed, in a temporary folder); `--half-scale`
 * rescores it with its network rebuilt from the same weights with the half-scale view off
 * or on (`withTestTimeViews`), every pair of the two lists: the paired comparison of
 * docs/anomaly.md, "Half-scale view and map smoothing"; `--by-size` splits each kind by the
 * files' own sizes, with each group's share of the defect pixels. Not part of `npm test`; it reads
 * the folders in place.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AnomalyDetector, auPro, auroc, loadAnomalyFolder, pixelAuroc } from '@xai-qc/core';
import type { ImageU8, PixelMap } from '@xai-qc/core';
import { rebuildSimulatedNetwork } from './rebuild-simulated-network.ts';

type Flip = readonly [boolean, boolean];

function flipImage(im: ImageU8, [fx, fy]: Flip): ImageU8 {
  const { width: w, height: h, channels: c } = im;
  const data = new Uint8Array(im.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = ((fy ? h - 1 - y : y) * w + (fx ? w - 1 - x : x)) * c;
      data.set(im.data.subarray(from, from + c), (y * w + x) * c);
    }
  }
  return { width: w, height: h, channels: c, data };
}

/** The map of a flipped image, flipped back (a flip is its own inverse). */
function flipMap(m: Float32Array, w: number, h: number, [fx, fy]: Flip): Float32Array {
  const out = new Float32Array(m.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = m[(fy ? h - 1 - y : y) * w + (fx ? w - 1 - x : x)];
  return out;
}

async function measure(dir: string, testDir: string, flips: readonly Flip[], bySize = false): Promise<string> {
  const detector = await AnomalyDetector.load(dir);
  const data = await loadAnomalyFolder(testDir, { input: detector.config.input, seed: 0 });
  const samples = [...data.splits.train, ...data.splits.val, ...data.splits.test].filter((s) => s.good || s.mask);
  const byKind = new Map<string, { maps: PixelMap[]; masks: PixelMap[] }>();
  // The file's own size (before fitting to the input), for --by-size.
  const sizeOf = new Map<string, string>();
  if (bySize) {
    for (const s of samples) {
      const m = await sharp(join(testDir, s.source)).metadata();
      sizeOf.set(s.source, `${m.width}x${m.height}`);
    }
  }
  const maps: PixelMap[] = [];
  const masks: PixelMap[] = [];
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < samples.length; i += 16) {
    const batch = samples.slice(i, i + 16);
    const sums: Float32Array[] = [];
    const batchScores = new Float64Array(batch.length);
    const sizes: { width: number; height: number }[] = [];
    for (const flip of flips) {
      const r = await detector.scoreImages(batch.map((s) => flipImage(s.image, flip)));
      batch.forEach((_, k) => {
        const { width, height } = r.sizes[k];
        sizes[k] = { width, height };
        const m = flipMap(r.maps[k], width, height, flip);
        sums[k] ??= new Float32Array(m.length);
        for (let j = 0; j < m.length; j++) sums[k][j] += m[j] / flips.length;
        batchScores[k] += r.scores[k] / flips.length;
      });
    }
    batch.forEach((s, k) => {
      const map = { ...sizes[k], data: sums[k] };
      const mask = { ...sizes[k], data: s.mask ?? new Uint8Array(sizes[k].width * sizes[k].height) };
      maps.push(map);
      masks.push(mask);
      labels.push(s.good ? 0 : 1);
      scores.push(batchScores[k]);
      const key = s.good ? '' : bySize ? `${s.label} ${sizeOf.get(s.source)}` : s.label;
      const entry = byKind.get(key) ?? { maps: [], masks: [] };
      entry.maps.push(map);
      entry.masks.push(mask);
      byKind.set(key, entry);
    });
  }
  const good = byKind.get('') ?? { maps: [], masks: [] };
  const kinds = [...byKind.keys()]
    .filter((k) => k !== '')
    .sort()
    .map((k) => {
      const part = byKind.get(k)!;
      const f = pixelAuroc([...good.maps, ...part.maps], [...good.masks, ...part.masks]).toFixed(3);
      if (!bySize) return `${k} ${f}`;
      // How many images, and their share of all defect pixels: what weighs in the pooled pixel AUROC.
      const pixels = (ms: PixelMap[]): number => {
        let n = 0;
        for (const m of ms) for (let i = 0; i < m.data.length; i++) n += m.data[i];
        return n;
      };
      return `${k} ${f} (${part.maps.length} images, ${((100 * pixels(part.masks)) / pixels(masks.filter((_, i) => labels[i] === 1))).toFixed(0)} % of defect pixels)`;
    });
  // Where each defect image's map peaks: inside its mask, or somewhere else (the image score then rests on a false response).
  let peaks = 0;
  let defects = 0;
  for (let i = 0; i < maps.length; i++) {
    if (labels[i] !== 1) continue;
    defects++;
    const m = maps[i].data;
    let best = 0;
    for (let j = 1; j < m.length; j++) if (m[j] > m[best]) best = j;
    if (masks[i].data[best] === 1) peaks++;
  }
  return `image AUROC ${auroc(labels, scores).toFixed(3)}, pixel AUROC ${pixelAuroc(maps, masks).toFixed(3)}, PRO ${auPro(maps, masks).toFixed(3)}; pixel AUROC per kind${bySize ? ' and file size' : ''}: ${kinds.join(', ')}; map peak inside the mask in ${peaks} of ${defects} defect images`;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { flips: { type: 'boolean' }, sigma: { type: 'string' }, 'half-scale': { type: 'string' }, 'by-size': { type: 'boolean' } } });
const [dir, testDir] = positionals;
if (!dir || !testDir) {
  process.stderr.write('usage: npx tsx scripts/anomaly-per-kind.ts DETECTOR_DIR TEST_DIR [--flips] [--sigma 1,2,3] [--half-scale off,on] [--by-size]\n');
  process.exit(2);
}
const sigmas = values.sigma ? values.sigma.split(',').map(Number) : [undefined];
const halves = values['half-scale'] ? values['half-scale'].split(',').map((v) => (v === 'on' ? true : v === 'off' ? false : Number.NaN)) : [undefined];
if (halves.some((h) => Number.isNaN(h))) throw new Error(`--half-scale takes off and on, got ${values['half-scale']}`);
for (const half of halves) for (const sigma of sigmas) {
  let folder = dir;
  let tmp: string | undefined;
  if (sigma !== undefined || half !== undefined) {
    if (sigma !== undefined && !(sigma > 0)) throw new Error(`--sigma takes positive numbers, got ${values.sigma}`);
    tmp = mkdtempSync(join(tmpdir(), 'xqc-per-kind-'));
    cpSync(dir, tmp, { recursive: true });
    const config = JSON.parse(readFileSync(join(tmp, 'anomaly.json'), 'utf8')) as { scoring?: { sigma: number } };
    if (!config.scoring) throw new Error(`${dir} is not a simulated-defect detector: --sigma and --half-scale do not apply`);
    if (sigma !== undefined) config.scoring.sigma = sigma;
    writeFileSync(join(tmp, 'anomaly.json'), JSON.stringify(config));
    if (half !== undefined) rebuildSimulatedNetwork(tmp, half as boolean);
    folder = tmp;
  }
  try {
    const label = `${half === undefined ? '' : `half-scale ${half ? 'on' : 'off'}, `}${sigma === undefined ? '' : `sigma ${sigma}`}${sigma === undefined && half === undefined ? '' : ': '}`;
    console.log(`${label}${await measure(folder, testDir, [[false, false]], values['by-size'])}`);
    if (values.flips) console.log(`${label}mean of the four flips: ${await measure(folder, testDir, [[false, false], [true, false], [false, true], [true, true]])}`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
