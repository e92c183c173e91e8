import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactResNet, createImage, decodeImage, encodePng, parseModelCard, readNpyFile, saveModel, writeModelCard } from '@xai-qc/core';
import { methodParams } from './commands/explain.ts';
import { main } from './main.ts';

let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xaiqc-explain-'));
  // An untrained compact ResNet: the test checks the pipeline, not what the model learned.
  const zoo = compactResNet({ numClasses: 2, width: 4, depth: 2, inputSize: 32, seed: 1 });
  await writeFile(join(dir, 'model.onnx'), saveModel(zoo.model));
  await writeModelCard(join(dir, 'model_card.yaml'), parseModelCard({ name: 'tiny', task: 'classify', labels: ['good', 'scratch'], input: { height: 32, width: 32, mean: [0.5], std: [0.25] } }));
  const image = createImage(40, 36, 3);
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 251;
  await writeFile(join(dir, 'part.png'), await encodePng(image));
  const mask = createImage(40, 36, 1);
  for (let y = 10; y < 20; y++) mask.data.fill(255, y * 40 + 5, y * 40 + 25);
  await writeFile(join(dir, 'mask.png'), await encodePng(mask));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('xaiqc explain', () => {
  it('writes a map, an overlay per method, a montage and a summary', async () => {
    const target = join(dir, 'out');
    const args = ['explain', '--model', join(dir, 'model.onnx'), '--image', join(dir, 'part.png'), '--mask', join(dir, 'mask.png'), '--out', target,
      '--methods', 'gradcam,gradcampp,ig,occlusion,rise,lime,kernelshap', '--seed', '3', '--segments', '12', '--target', 'scratch',
      '--param', 'ig.steps=8', '--param', 'rise.masks=48', '--param', 'lime.samples=60', '--param', 'kernelshap.samples=60', '--param', 'occlusion.window=8', '--json'];
    expect(await main(args, io)).toBe(0);
    expect(err).toEqual([]);
    const methods = ['gradcam', 'gradcampp', 'ig', 'occlusion', 'rise', 'lime', 'kernelshap'];
    const files = await readdir(target);
    for (const m of methods) expect(files).toEqual(expect.arrayContaining([`${m}.npy`, `${m}.png`]));
    expect(files).toEqual(expect.arrayContaining(['montage.png', 'summary.json']));
    const map = await readNpyFile(join(target, 'lime.npy'));
    expect(map.dims).toEqual([36, 40]);
    expect(map.dtype).toBe('float32');
    const overlay = await decodeImage(await readFile(join(target, 'gradcam.png')));
    expect([overlay.width, overlay.height, overlay.channels]).toEqual([40, 36, 3]);
    const sheet = await decodeImage(await readFile(join(target, 'montage.png')));
    expect(sheet.width).toBeGreaterThan(3 * 40);

    const summary = JSON.parse(await readFile(join(target, 'summary.json'), 'utf8'));
    expect(JSON.parse(out.pop() as string)).toEqual(summary);
    expect(summary.target).toMatchObject({ index: 1, label: 'scratch', reason: 'given' });
    expect(summary.methods.map((m: { method: string }) => m.method)).toEqual(methods);
    const byName = Object.fromEntries(summary.methods.map((m: { method: string }) => [m.method, m]));
    for (const m of methods) {
      expect(byName[m].runtimeMs).toBeGreaterThan(0);
      expect(byName[m].quality.energyInMask).toBeGreaterThanOrEqual(0);
      expect(typeof byName[m].quality.pointingHit).toBe('boolean');
    }
    expect(byName.ig.params.steps).toBe(8);
    expect(byName.ig.completenessError).toBeGreaterThanOrEqual(0);
    expect(byName.kernelshap.completenessError).toBeLessThan(1e-3);
    expect(byName.rise.evaluations).toBe(48);
    expect(summary.superpixels.nSegments).toBe(12);
    expect(summary.files.montage).toBe('montage.png');
    expect(summary.files.lime).toEqual({ npy: 'lime.npy', png: 'lime.png' });
    expect(files).toEqual(expect.arrayContaining(['aggregate.npy', 'aggregate.png']));
    // Provenance: the image's path and SHA-256, the model's SHA-256, the decision.
    const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    expect(summary.image).toMatchObject({ path: join(dir, 'part.png'), sha256: sha(await readFile(join(dir, 'part.png'))), width: 40, height: 36, original: { width: 40, height: 36 } });
    expect(summary.model.sha256).toBe(sha(await readFile(join(dir, 'model.onnx'))));
    expect(summary.decision).toMatchObject({ scoreKind: 'defect probability', calibrated: false, threshold: 0.5 });
    expect(Object.keys(summary.decision.probabilities)).toEqual(['good', 'scratch']);
    expect(['pass', 'reject']).toContain(summary.decision.verdict);
  });

  it('prints a table without --json and answers --help', async () => {
    out.length = 0;
    const args = ['explain', '--model', join(dir, 'model.onnx'), '--image', join(dir, 'part.png'), '--out', join(dir, 'out2'), '--methods', 'saliency,gradxinput'];
    expect(await main(args, io)).toBe(0);
    expect(out[0]).toMatch(/^verdict (PASS|REJECT) \(\w+\): P\(defect\) \d\.\d{3}, uncalibrated softmax; reject at >= 0\.5$/);
    expect(out[1]).toMatch(/^target logits\[scratch\]|^target .*\(predicted|top defect\)/);
    expect(out.some((l) => l.startsWith('saliency'))).toBe(true);
    expect(out.some((l) => l.startsWith('consensus'))).toBe(true);
    out.length = 0;
    expect(await main(['explain', '--help'], io)).toBe(0);
    expect(out[0]).toMatch(/^Usage: xaiqc explain/);
    expect(out.join('\n')).toContain('kernelshap');
  });

  it('reports bad input on one line: usage errors exit 2, coded errors exit 1', async () => {
    err.length = 0;
    const base = ['explain', '--model', join(dir, 'model.onnx'), '--image', join(dir, 'part.png'), '--out', join(dir, 'out3')];
    expect(await main([...base, '--methods', 'lrp'], io)).toBe(2);
    expect(err[0]).toMatch(/^xaiqc explain: (XQC_USAGE: )?unknown method 'lrp'; known: anomalymap, gradcam, /);
    expect(await main([...base, '--methods', 'rise', '--param', 'lime.samples=5'], io)).toBe(2);
    expect(await main([...base, '--methods', 'rise', '--target', 'dent'], io)).toBe(2);
    expect(await main([...base.slice(0, 3), '--image', join(dir, 'nope.png'), '--out', join(dir, 'out3'), '--methods', 'rise'], io)).toBe(1);
    expect(err[3]).toMatch(/XQC_IO/);
    expect(await main(['explain', '--model', join(dir, 'model.onnx')], io)).toBe(2);
    expect(err).toHaveLength(5);
    expect(err.every((l) => !l.includes('\n'))).toBe(true);
    await expect(readdir(join(dir, 'out3'))).rejects.toThrow();
  });
});

describe('xaiqc explain refuses what it cannot honour', () => {
  const base = (out: string): string[] => ['explain', '--model', join(dir, 'model.onnx'), '--image', join(dir, 'part.png'), '--out', join(dir, out)];

  it('refuses a non-empty output folder unless --force, which replaces it as a whole', async () => {
    err.length = 0;
    const target = join(dir, 'old');
    await mkdir(target);
    await writeFile(join(target, 'stale.png'), 'old run');
    expect(await main([...base('old'), '--methods', 'saliency'], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_INVALID_ARGUMENT: output folder .*old is not empty \(1 entries\); choose another or pass --force/);
    expect(await readdir(target)).toEqual(['stale.png']);
    expect(await main([...base('old'), '--methods', 'saliency', '--force'], io)).toBe(0);
    const files = await readdir(target);
    expect(files).not.toContain('stale.png');
    expect(files).toEqual(expect.arrayContaining(['saliency.npy', 'montage.png', 'summary.json']));
  });

  it('leaves nothing behind when a run fails half-way', async () => {
    err.length = 0;
    expect(await main([...base('failed'), '--methods', 'saliency,gradcam', '--layer', 'no_such_layer'], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_VALUE_NOT_FOUND|XQC_EXPLAIN/);
    expect((await readdir(dir)).filter((f) => f.includes('failed'))).toEqual([]);
  });

  it('refuses extra arguments, repeated options and methods, and undeclared parameters with usage errors', async () => {
    err.length = 0;
    expect(await main([...base('u1'), '--methods', 'saliency', 'extra.png'], io)).toBe(2);
    expect(err.pop()).toMatch(/^xaiqc explain: (XQC_USAGE: )?unexpected argument 'extra.png'; xaiqc explain takes options only \(see xaiqc explain --help\)$/);
    expect(await main([...base('u2'), '--image', join(dir, 'mask.png'), '--methods', 'saliency'], io)).toBe(2);
    expect(err.pop()).toMatch(/--image is given 2 times \('.*part.png', '.*mask.png'\); give it once/);
    expect(await main([...base('u3'), '--methods', 'saliency,ig,saliency'], io)).toBe(2);
    expect(err.pop()).toMatch(/--methods lists 'saliency' twice/);
    expect(await main([...base('u4'), '--methods', 'ig', '--param', 'ig.step=4'], io)).toBe(2);
    expect(err.pop()).toMatch(/unknown parameter 'step' for method ig; its parameters are baseline, customBaseline, normalize, blurSigma, steps, rule/);
    expect(await main([...base('u5'), '--methods', 'ig', '--param', 'ig.rule=simpson'], io)).toBe(2);
    expect(err.pop()).toMatch(/parameter ig.rule must be one of left, right, midpoint, trapezoid, gauss-legendre/);
    expect(await main([...base('u6'), '--methods', 'ig', '--param', 'ig.steps=4', '--param', 'ig.steps=5'], io)).toBe(2);
    expect(err.pop()).toMatch(/--param ig.steps is given twice/);
    expect((await readdir(dir)).filter((f) => /u\d/.test(f))).toEqual([]);
  });

  it('refuses a mask of another size than the image, naming both', async () => {
    err.length = 0;
    await writeFile(join(dir, 'small-mask.png'), await encodePng(createImage(20, 18, 1)));
    expect(await main([...base('m1'), '--methods', 'saliency', '--mask', join(dir, 'small-mask.png')], io)).toBe(1);
    expect(err.pop()).toMatch(/XQC_SHAPE_MISMATCH: the mask .*small-mask.png is 20x18; the image is 40x36: give a mask of the image's size/);
  });

  it('reports progress as JSON lines on the progress stream, one per step', async () => {
    const lines: string[] = [];
    const withProgress = { ...io, progress: { write: (t: string) => lines.push(t), isTTY: false } };
    expect(await main([...base('progress'), '--methods', 'saliency,gradxinput'], withProgress)).toBe(0);
    const events = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.every((e) => e.type === 'progress' && e.command === 'explain')).toBe(true);
    expect(events.filter((e) => e.stage).map((e) => [e.stage, e.done, e.total])).toEqual([
      ['predict', 0, 4],
      ['method saliency', 1, 4],
      ['method gradxinput', 2, 4],
      ['quality', 3, 4],
      ['write', 0, 1],
      ['write', 1, 1],
    ]);
  });

  it('refuses an image over the pixel limit with the numbers, and shrinks a large one to the display size', async () => {
    err.length = 0;
    expect(await main([...base('p1'), '--methods', 'saliency', '--max-pixels', '1000'], io)).toBe(1);
    expect(err.pop()).toBe('xaiqc explain: XQC_IMAGE_INVALID: the image is 40x36 = 1,440 pixels, over the limit of 1,000 pixels');
    expect(await main([...base('p2'), '--methods', 'saliency,gradxinput', '--display-size', '20', '--json'], io)).toBe(0);
    const summary = JSON.parse(out.pop() as string);
    expect(summary.image).toMatchObject({ width: 20, height: 18, original: { width: 40, height: 36 } });
    expect((await readNpyFile(join(dir, 'p2', 'saliency.npy'))).dims).toEqual([18, 20]);
  });
});

describe('xaiqc explain on the shipped anomaly detector', () => {
  it('explains the anomaly score end to end, with the anomaly map as a method', async () => {
    const model = fileURLToPath(new URL('../../../models/surface-anomaly/model.onnx', import.meta.url));
    const image = createImage(64, 64, 3);
    for (let i = 0; i < 64 * 64; i++) image.data.fill(120 + (((i % 64) * 7 + Math.floor(i / 64) * 3) % 23), i * 3, i * 3 + 3);
    for (let y = 30; y < 33; y++) image.data.fill(20, (y * 64 + 14) * 3, (y * 64 + 44) * 3);
    await writeFile(join(dir, 'surface.png'), await encodePng(image));
    const target = join(dir, 'anomaly-out');
    const args = ['explain', '--model', model, '--image', join(dir, 'surface.png'), '--out', target, '--methods', 'anomalymap,ig,gradcam,saliency,occlusion',
      '--param', 'ig.steps=8', '--param', 'occlusion.window=16', '--param', 'occlusion.stride=16', '--json'];
    expect(await main(args, io)).toBe(0);
    const summary = JSON.parse(out.pop() as string);
    expect(summary.decision).toMatchObject({ verdict: 'reject', scoreKind: 'anomaly score', calibrated: false });
    expect(summary.target).toMatchObject({ of: 'raw_score', reason: 'anomaly score' });
    expect(summary.methods.map((m: { method: string }) => m.method)).toEqual(expect.arrayContaining(['anomalymap', 'ig', 'gradcam', 'saliency', 'occlusion']));
    const ig = summary.methods.find((m: { method: string }) => m.method === 'ig');
    expect(ig.completenessError).toBeGreaterThanOrEqual(0);
    expect(await readdir(target)).toEqual(expect.arrayContaining(['anomalymap.npy', 'anomalymap.png', 'aggregate.png', 'montage.png', 'summary.json']));
  });
});

describe('methodParams', () => {
  it('parses METHOD.KEY=VALUE with numbers, booleans and strings', () => {
    expect(methodParams(['lime.samples=500', 'occlusion.fill=blur', 'rise.probability=0.25', 'lime.alpha=0'], ['lime', 'occlusion', 'rise'])).toEqual({
      lime: { samples: 500, alpha: 0 },
      occlusion: { fill: 'blur' },
      rise: { probability: 0.25 },
    });
    expect(() => methodParams(['lime'], ['lime'])).toThrow(/METHOD.KEY=VALUE/);
  });
});
