/**
 * Image scores of a combined anomaly detector's network part, compared on a test folder:
 * how the image score drawn from the network's map (and the fusion with PatchCore) would rank
 * the test images under other rules than the shipped one (docs/anomaly.md, "Combined").
 * Everything is computed from the detector's own raw outputs; nothing is refitted. The
 * good validation images (the split the fit drew from `--seed` and `--val-split`) give each
 * rule's good statistics, exactly as the fusion does.
 *
 *   npx tsx scripts/anomaly-image-score.ts COMBINED_DIR TRAIN_DIR TEST_DIR [--seed 0] [--val-split 0.15] [--half-scale off|on]
 *
 * `--half-scale` scores a copy of the detector whose network is rebuilt from the same
 * weights with the half-scale view off or on (`rebuild-simulated-network.ts`).
 *
 * Rules for the network's image score s(map) (map: the raw smoothed defect probability):
 *   topk      the mean of the top 0.1 % of the map (what ships)
 *   max       the map's largest pixel
 *   bg-mean   topk of (map - B), B the per-pixel mean of the good validation maps
 *   bg-z      topk of (map - B) / (S + 0.01), S their per-pixel standard deviation
 * and fusions of PatchCore's z-score with the network's: mean (what ships) and max.
 * Not part of `npm test`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AnomalyDetector, auroc, mapToOriginal, loadAnomalyFolder, pixelAuroc, preprocess, splitRatiosFor } from '@xai-qc/core';
import type { ImageU8, PixelMap } from '@xai-qc/core';
import { copyWithHalfScale } from './rebuild-simulated-network.ts';

interface Scored {
  pc: number[];
  maps: Float32Array[];
  pcMaps: Float32Array[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string' }, 'val-split': { type: 'string' }, 'half-scale': { type: 'string' } } });
const [given, trainDir, testDir] = positionals;
if (!given || !trainDir || !testDir || (values['half-scale'] !== undefined && !['off', 'on'].includes(values['half-scale']))) {
  process.stderr.write('usage: npx tsx scripts/anomaly-image-score.ts COMBINED_DIR TRAIN_DIR TEST_DIR [--seed 0] [--val-split 0.15] [--half-scale off|on]\n');
  process.exit(2);
}
const dir = values['half-scale'] === undefined ? given : copyWithHalfScale(given, values['half-scale'] === 'on');
if (dir !== given) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const seed = Number(values.seed ?? 0);
const valSplit = Number(values['val-split'] ?? 0.15);

const detector = await AnomalyDetector.load(dir);
const scorer = detector.scorer as unknown as { partScores(t: unknown): Promise<{ patchcore: Float64Array | number[]; maps: Float32Array[] }> };
if (typeof scorer.partScores !== 'function') throw new Error(`${dir} is not a combined detector`);
const input = detector.config.input;
const pcPart = await AnomalyDetector.load(join(dir, 'patchcore'));
const [H, W] = [input.height, input.width];
const plane = H * W;
const k = Math.max(1, Math.round(plane / 1000));

async function scoreAll(images: ImageU8[]): Promise<Scored> {
  const out: Scored = { pc: [], maps: [], pcMaps: [] };
  for (let i = 0; i < images.length; i += 8) {
    const batch = images.slice(i, i + 8);
    const p = await scorer.partScores(preprocess(batch, input).tensor);
    out.pc.push(...p.patchcore);
    out.maps.push(...p.maps);
    const q = await pcPart.scoreImages(batch);
    q.maps.forEach((m, j) => {
      const back = mapToOriginal({ ...q.sizes[j], data: m }, q.placements[j]);
      if (back.width !== W || back.height !== H) throw new Error(`PatchCore map ${back.width}x${back.height}, expected ${W}x${H}`);
      out.pcMaps.push(back.data);
    });
  }
  return out;
}

const train = await loadAnomalyFolder(trainDir, { input, seed, ratios: splitRatiosFor(valSplit, 0) });
const valGood = train.splits.val.filter((s) => s.good).map((s) => s.image);
const test = await loadAnomalyFolder(testDir, { input, seed: 0 });
const samples = [...test.splits.train, ...test.splits.val, ...test.splits.test].filter((s) => s.good || s.mask);
const labels = samples.map((s) => (s.good ? 0 : 1));
const masks: PixelMap[] = samples.map((s) => ({ width: W, height: H, data: s.mask ?? new Uint8Array(plane) }));
process.stderr.write(`scoring ${valGood.length} good validation and ${samples.length} test images\n`);
const val = await scoreAll(valGood);
const tst = await scoreAll(samples.map((s) => s.image));

const bgMean = new Float32Array(plane);
const bgSd = new Float32Array(plane);
for (const m of val.maps) for (let j = 0; j < plane; j++) bgMean[j] += m[j] / val.maps.length;
for (const m of val.maps) for (let j = 0; j < plane; j++) bgSd[j] += (m[j] - bgMean[j]) ** 2 / val.maps.length;
for (let j = 0; j < plane; j++) bgSd[j] = Math.sqrt(bgSd[j]);

const topk = (m: Float32Array): number => {
  const s = Float32Array.from(m).sort();
  let t = 0;
  for (let i = s.length - k; i < s.length; i++) t += s[i];
  return t / k;
};
const rules: Record<string, (m: Float32Array) => number> = {
  topk,
  max: (m) => m.reduce((a, b) => Math.max(a, b), -Infinity),
  'bg-mean': (m) => topk(m.map((v, j) => v - bgMean[j])),
  'bg-z': (m) => topk(m.map((v, j) => (v - bgMean[j]) / (bgSd[j] + 0.01))),
};
const stats = (xs: number[]): { mean: number; sd: number } => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean, sd: Math.max(sd, 1e-6) };
};
const pcStats = stats(val.pc);
const zPc = tst.pc.map((s) => (s - pcStats.mean) / pcStats.sd);
console.log(`patchcore alone: image AUROC ${auroc(labels, tst.pc).toFixed(3)}`);
for (const [name, rule] of Object.entries(rules)) {
  const v = val.maps.map(rule);
  const t = tst.maps.map(rule);
  const st = stats(v);
  const z = t.map((s) => (s - st.mean) / st.sd);
  const mean = z.map((s, i) => (s + zPc[i]) / 2);
  const max = z.map((s, i) => Math.max(s, zPc[i]));
  console.log(`${name.padEnd(8)} network ${auroc(labels, t).toFixed(3)}  fused mean ${auroc(labels, mean).toFixed(3)}  fused max ${auroc(labels, max).toFixed(3)}`);
}
const shifted = (f: (v: number, j: number) => number): PixelMap[] => tst.maps.map((m) => ({ width: W, height: H, data: m.map(f) }));
console.log(`pixel AUROC: map ${pixelAuroc(shifted((v) => v), masks).toFixed(3)}, map - B ${pixelAuroc(shifted((v, j) => v - bgMean[j]), masks).toFixed(3)}, (map - B) / (S + 0.01) ${pixelAuroc(shifted((v, j) => (v - bgMean[j]) / (bgSd[j] + 0.01)), masks).toFixed(3)}`);

// Fused maps: each part's map as z-units of its good validation pixels, then their mean (OR-like) or minimum (AND).
const pixelStats = (ms: Float32Array[]): { mean: number; sd: number } => {
  let s = 0;
  let q = 0;
  let n = 0;
  for (const m of ms) for (const v of m) {
    s += v;
    q += v * v;
    n++;
  }
  const mean = s / n;
  return { mean, sd: Math.max(Math.sqrt(Math.max(q / n - mean * mean, 0)), 1e-9) };
};
const ns = pixelStats(val.maps);
const ps = pixelStats(val.pcMaps);
const fuse = (f: (a: number, b: number) => number, set: Scored): Float32Array[] =>
  set.maps.map((m, i) => m.map((v, j) => f((v - ns.mean) / ns.sd, (set.pcMaps[i][j] - ps.mean) / ps.sd)));
console.log(`patchcore map: pixel AUROC ${pixelAuroc(tst.pcMaps.map((d) => ({ width: W, height: H, data: d })), masks).toFixed(3)}, topk image AUROC ${auroc(labels, tst.pcMaps.map(topk)).toFixed(3)}`);
for (const [name, f] of [
  ['map mean', (a: number, b: number) => (a + b) / 2],
  ['map min', (a: number, b: number) => Math.min(a, b)],
  ['map geo', (a: number, b: number) => Math.sign(a) * Math.sign(b) > 0 && a > 0 ? Math.sqrt(a * b) : Math.min(a, b)],
] as const) {
  const t = fuse(f, tst);
  const v = fuse(f, val).map(topk);
  const ts = t.map(topk);
  const st = stats(v);
  const z = ts.map((x) => (x - st.mean) / st.sd);
  console.log(`${name.padEnd(9)} image AUROC ${auroc(labels, ts).toFixed(3)}, with PatchCore z mean ${auroc(labels, z.map((x, i) => (x + zPc[i]) / 2)).toFixed(3)}, pixel AUROC ${pixelAuroc(t.map((d) => ({ width: W, height: H, data: d })), masks).toFixed(3)}`);
}
