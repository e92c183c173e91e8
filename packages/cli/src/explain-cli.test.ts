import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(summary.files.montage).toBe(join(target, 'montage.png'));
  });

  it('prints a table without --json and answers --help', async () => {
    out.length = 0;
    const args = ['explain', '--model', join(dir, 'model.onnx'), '--image', join(dir, 'part.png'), '--out', join(dir, 'out2'), '--methods', 'saliency,gradxinput'];
    expect(await main(args, io)).toBe(0);
    expect(out[0]).toMatch(/^target logits\[scratch\]|^target .*\(predicted|top defect\)/);
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
    expect(await main([...base, '--methods', 'lrp'], io)).toBe(1);
    expect(err[0]).toMatch(/^xaiqc explain: XQC_EXPLAIN: unknown explanation method 'lrp'/);
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
