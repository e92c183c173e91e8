/**
 * One way to see an image: for a gray, a BGR and a letterbox card, every entry point that
 * turns image files into model inputs (evaluate, calibrate, explain, uncertainty, anomaly)
 * feeds the model exactly what `Predictor.prepare` makes of the decoded file. The sessions
 * the entry points compile are recorded through the shared session cache, so a path that
 * prepares images its own way (or bypasses the cache) fails here.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writePng } from '../data/image-files.ts';
import { explainImage } from '../explain/explain-image.ts';
import { prepareExplainImage } from '../explain/explain-input.ts';
import { decodeImage } from '../image/image-decode.ts';
import type { ImageU8 } from '../image/image.types.ts';
import type { Model } from '../onnx/ir.ts';
import { saveModel } from '../onnx/model-io.ts';
import { tensor } from '../onnx/tensor.ts';
import type { Tensor } from '../onnx/tensor.ts';
import { defaultSessionCache } from '../runtime/session.ts';
import type { OnnxSession } from '../runtime/session.ts';
import { emptyModel } from '../testing/model-factory.ts';
import { evaluateFolder } from '../train/evaluate-folder.ts';
import { calibrateClassifier, classifierTrust } from '../uncertainty/calibrate-model.ts';
import { ensembleImages } from '../uncertainty/ensemble.ts';
import { mcDropoutImages } from '../uncertainty/mc-dropout.ts';
import { uniformRng } from '../util/random.ts';
import { loadAnomalyFolder } from './anomaly/anomaly-data.ts';
import { parseModelCard, writeModelCard } from './card.ts';
import type { InputSpec } from './card.ts';
import { Predictor } from './predictor.ts';
import { preprocess } from './preprocess.ts';

const SIZE = 16;
const CARDS: Record<string, Partial<InputSpec>> = {
  gray: { color: 'gray', resize: 'stretch', mean: [0.45], std: [0.2] },
  bgr: { color: 'bgr', resize: 'stretch', mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] },
  letterbox: { color: 'rgb', resize: 'letterbox', mean: [0.5], std: [0.25] },
};

/** Conv over the whole image (C -> 2) -> Dropout -> Flatten: logits [N, 2]. */
function classifier(channels: number): Model {
  const { model, b } = emptyModel([{ name: 'input', dtype: 'float32', shape: ['N', channels, SIZE, SIZE] }]);
  const u = uniformRng(7);
  const w = b.constant(tensor('float32', [2, channels, SIZE, SIZE], Float32Array.from({ length: 2 * channels * SIZE * SIZE }, () => (u() - 0.5) * 0.05)), 'w');
  const conv = b.op1('Conv', ['input', w]);
  const drop = b.op1('Dropout', [conv]);
  b.op('Flatten', [drop], {}, { outputNames: ['logits'] });
  model.graph.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 2] }];
  return model;
}

/** Odd sizes and channel counts (gray, RGB, RGBA with transparent pixels), random content. */
function image(seed: number): ImageU8 {
  const u = uniformRng(seed);
  const channels = ([1, 3, 4] as const)[seed % 3];
  const width = 12 + (seed % 5) * 3;
  const height = 10 + (seed % 4) * 4;
  const data = Uint8Array.from({ length: width * height * channels }, () => Math.floor(u() * 256));
  if (channels === 4) for (let i = 3; i < data.length; i += 8) data[i] = 0;
  return { width, height, channels, data };
}

/** Recorded model inputs (fed as `input`), one hex string per image row. */
const recorded: string[] = [];

function rowsOf(t: Tensor): string[] {
  const per = t.data.length / t.dims[0];
  const bytes = new Uint8Array((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, t.data.length * 4);
  return Array.from({ length: t.dims[0] }, (_, i) => Buffer.from(bytes.subarray(i * per * 4, (i + 1) * per * 4)).toString('hex'));
}

function recording(s: OnnxSession): OnnxSession {
  return new Proxy(s, {
    get(target, prop) {
      if (prop === 'run') {
        return async (feeds: Record<string, Tensor>, outputs?: readonly string[]) => {
          if (feeds.input) recorded.push(...rowsOf(feeds.input));
          return target.run(feeds, outputs);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Runs `f` and returns the model inputs it fed. */
async function inputsOf(f: () => Promise<unknown>): Promise<string[]> {
  recorded.length = 0;
  await f();
  return [...recorded];
}

let root: string;
const files: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'xqc-input-paths-'));
  for (let i = 0; i < 24; i++) {
    const rel = `${i % 2 ? 'scratch' : 'good'}/img${i}.png`;
    await writePng(join(root, 'data', rel), image(i));
    files.push(join(root, 'data', rel));
  }
  for (const [name, input] of Object.entries(CARDS)) {
    const card = parseModelCard({ name, task: 'classify', labels: ['good', 'scratch'], input: { name: 'input', height: SIZE, width: SIZE, ...input }, training: { seed: 3 } });
    await writeFile(join(root, `${name}.onnx`), saveModel(classifier(card.input.color === 'gray' ? 1 : 3)));
    await writeModelCard(join(root, `${name}.yaml`), card);
  }
  const get = defaultSessionCache.get.bind(defaultSessionCache);
  vi.spyOn(defaultSessionCache, 'get').mockImplementation(async (bytes, options) => recording(await get(bytes, options)));
});

afterAll(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

describe.each(Object.keys(CARDS))('a %s card', (name) => {
  let predictor: Predictor;
  let expected: Set<string>;
  const modelPath = (): string => join(root, `${name}.onnx`);
  const cardPath = (): string => join(root, `${name}.yaml`);
  const decoded = async (): Promise<ImageU8[]> => Promise.all(files.map(async (f) => decodeImage(await readFile(f))));

  beforeAll(async () => {
    predictor = await Predictor.load(modelPath(), cardPath());
    expected = new Set((await decoded()).flatMap((img) => rowsOf(predictor.prepare([img]).tensor)));
    expect(expected.size).toBe(files.length);
  });

  const expectPrepared = (rows: string[]): void => {
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(expected.has(r), 'a model input that Predictor.prepare does not make').toBe(true);
  };

  it('evaluate feeds every image as Predictor.prepare makes it, once', async () => {
    const rows = await inputsOf(() => evaluateFolder(modelPath(), join(root, 'data'), 'all', cardPath()));
    expectPrepared(rows);
    expect(new Set(rows)).toEqual(expected);
    expect(rows).toHaveLength(files.length);
  });

  it('calibrate and the trust figures feed the same inputs', async () => {
    // 24 images are too few to record a temperature: calibrate refuses after the validation images went through the model.
    const refused = (e: unknown): void => expect(e).toMatchObject({ code: 'XQC_CALIBRATION_REFUSED' });
    expectPrepared(await inputsOf(() => calibrateClassifier(modelPath(), join(root, 'data'), { cardPath: cardPath() }).then(() => expect.unreachable('calibrate accepted 24 images'), refused)));
    expectPrepared(await inputsOf(() => classifierTrust(modelPath(), join(root, 'data'), 'test', { cardPath: cardPath() })));
  });

  it('explain prepares its input the same way and predicts on it', async () => {
    const [img] = await decoded();
    expectPrepared(rowsOf(prepareExplainImage(predictor, img).tensor));
    const rows = await inputsOf(() => explainImage(predictor, img, { methods: ['occlusion'] }));
    expectPrepared(rows.slice(0, 1));
  });

  it('MC-Dropout and ensembles feed the same inputs', async () => {
    const images = await decoded();
    expectPrepared(await inputsOf(() => mcDropoutImages(predictor, images.slice(0, 3), { samples: 2 })));
    const twin = await Predictor.load(modelPath(), cardPath());
    expectPrepared(await inputsOf(() => ensembleImages([predictor, twin], images.slice(3, 6))));
  });

  it('the anomaly loader fits images so the detector input equals Predictor.prepare of the file', async () => {
    const data = await loadAnomalyFolder(join(root, 'data'), { input: predictor.card.input, seed: 0 });
    const samples = [...data.splits.train, ...data.splits.val, ...data.splits.test];
    expect(samples).toHaveLength(files.length);
    const rows = samples.flatMap((s) => rowsOf(preprocess([s.image], predictor.card.input).tensor));
    expectPrepared(rows);
    expect(new Set(rows)).toEqual(expected);
  });
});

describe('alpha', () => {
  it('is dropped: an RGBA image is prepared exactly as its RGB channels, whatever its transparency', () => {
    const rgba = image(2);
    expect(rgba.channels).toBe(4);
    const rgb: ImageU8 = { ...rgba, channels: 3, data: rgba.data.filter((_, i) => i % 4 !== 3) };
    for (const input of Object.values(CARDS)) {
      const spec = parseModelCard({ task: 'classify', labels: ['a', 'b'], input: { height: SIZE, width: SIZE, ...input } }).input;
      expect(rowsOf(preprocess([rgba], spec).tensor)).toEqual(rowsOf(preprocess([rgb], spec).tensor));
    }
  });
});
