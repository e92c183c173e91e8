/**
 * The thread of {@link AnomalyCompute} (anomaly-compute.ts): answers one request at a time
 * with the core. Embedders are cached per model version. Images
 * are read at most {@link ANSWER_MAX_SIDE} on their longer side; a stored anomaly map
 * (normalised, 8-bit gray PNG, 0.5 = pixel threshold) is read as values / 255 and resized
 * to the image it is compared with.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { decodeImage, encodePng, isXqcError, loadModel, overlayHeatmap, resizeMap, tensor, writeNpy } from '@xai-qc/core';
import type { ImageU8, ScalarMap } from '@xai-qc/core';
import { PooledEmbedder, explainAnomalyScore, fitAnomalySurrogate } from './anomaly-core.ts';
import { ANSWER_MAX_SIDE } from './anomaly-compute.ts';
import type { AnomalyWork, AnomalyWorkReply, AnomalyWorkRequest, DetectorFiles, MapStats } from './anomaly-compute.ts';

const port = parentPort;
if (!port) throw new Error('anomaly-worker.ts runs only as a worker thread');

/** One intra-op thread: the inference pool owns the other cores. */
const SESSION = { intraOpThreads: 1, interOpThreads: 1 };
/** The normalised maps put the pixel threshold at 0.5. */
const PIXEL_THRESHOLD = 0.5;

const embedders = new Map<string, Promise<PooledEmbedder>>();

function cached<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

function embedder(m: DetectorFiles): Promise<PooledEmbedder> {
  return cached(embedders, m.key, async () => {
    const backbone = loadModel(await readFile(join(m.dir, m.backbone ?? 'features.onnx')));
    return PooledEmbedder.create(backbone, { size: [m.card.input.height, m.card.input.width], layer: m.layer, session: SESSION });
  });
}

async function readImage(bytes: Uint8Array): Promise<ImageU8> {
  return decodeImage(bytes, { maxSide: ANSWER_MAX_SIDE, channels: 3 });
}

/** The stored map as values in [0, 1] at `width x height`. */
async function readMap(bytes: Uint8Array, width: number, height: number): Promise<ScalarMap> {
  const gray = await decodeImage(bytes, { channels: 1 });
  const data = new Float32Array(gray.width * gray.height);
  for (let i = 0; i < data.length; i++) data[i] = gray.data[i] / 255;
  return resizeMap({ width: gray.width, height: gray.height, data }, width, height);
}

function mapStats(map: ScalarMap): MapStats {
  let max = 0;
  let sum = 0;
  let over = 0;
  for (const v of map.data) {
    if (v > max) max = v;
    sum += v;
    if (v >= PIXEL_THRESHOLD) over++;
  }
  const n = map.data.length;
  return { width: map.width, height: map.height, max, mean: sum / n, defectArea: over / n };
}

async function scored(image: Uint8Array, map: Uint8Array): Promise<{ image: ImageU8; anomalyMap: ScalarMap }> {
  const img = await readImage(image);
  return { image: img, anomalyMap: await readMap(map, img.width, img.height) };
}

type Handlers = { [K in keyof AnomalyWork]: (input: AnomalyWork[K]['in']) => Promise<AnomalyWork[K]['out']> };

const handlers: Handlers = {
  async embed({ model, images }) {
    const e = await embedder(model);
    const decoded = await Promise.all(images.map(readImage));
    return { dim: e.dim, vectors: await e.embedImages(decoded, model.card.input) };
  },
  async where({ image, map }) {
    const img = await readImage(image);
    const m = await readMap(map, img.width, img.height);
    const overlayPng = await encodePng(overlayHeatmap(img, m, { colormap: 'jet', opacity: 0.5, min: 0, max: 1 }));
    return { stats: mapStats(m), overlayPng, npy: writeNpy(tensor('float32', [m.height, m.width], m.data)) };
  },
  async fit({ items }) {
    const validation = [];
    for (const it of items) validation.push({ ...(await scored(it.image, it.map)), score: it.score });
    return fitAnomalySurrogate(validation, PIXEL_THRESHOLD);
  },
  async why({ image, map, score, surrogate }) {
    const s = await scored(image, map);
    const r = await explainAnomalyScore({ ...s, pixelThreshold: surrogate.pixelThreshold, surrogate: surrogate.surrogate, background: surrogate.background, features: surrogate.features, score });
    return { ...r, waterfall: { data: r.waterfall.data, png: r.waterfall.png } };
  },
  async thumbnail({ image, size }) {
    return encodePng(await decodeImage(image, { maxSide: size, channels: 3 }));
  },
};

async function handle(m: AnomalyWorkRequest): Promise<unknown> {
  const h = handlers[m.type] as (input: unknown) => Promise<unknown>;
  return h(m.input);
}

// One request at a time: the thread is one ONNX Runtime caller.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: AnomalyWorkRequest) => {
  chain = chain.then(async () => {
    let reply: AnomalyWorkReply;
    try {
      reply = { id: m.id, ok: true, value: await handle(m) };
    } catch (e) {
      reply = { id: m.id, ok: false, error: isXqcError(e) ? { code: e.code, message: e.message } : { code: 'XQC_RUNTIME', message: e instanceof Error ? e.message : String(e) } };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ type: 'ready' } satisfies AnomalyWorkReply);
