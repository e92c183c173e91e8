/**
 * The computation behind one explain request, run on an explain worker's thread: decode the
 * stored image (longest side capped), run the core's `explainImage` with the requested
 * methods, target, parameters and seed, and turn every map into the stored forms: float32
 * .npy at the image's size and at model-input size, the coloured map and the overlay as
 * PNG; then, when asked, the aggregate (core `consensus`) of the stored and fresh usable
 * maps at model-input size, mapped back to the image like `explainImage` does.
 */
import {
  applyColormap,
  consensus,
  decodeImageWithFormat,
  encodePng,
  explainImage,
  mapToOriginal,
  normalizeMap,
  overlayHeatmap,
  readNpy,
  tensor,
  writeNpy,
} from '@xai-qc/core';
import type { ColormapName, ExplainProgress, ImageU8, MaskLike, Predictor, ScalarMap } from '@xai-qc/core';
import type { AggregateOutput, ExplainOutput, ExplainTask, MethodOutput } from './explain.types.ts';

/** float32 .npy [height, width] of a map. */
export function mapNpy(map: ScalarMap): Uint8Array {
  return writeNpy(tensor('float32', [map.height, map.width], Float32Array.from(map.data)));
}

/** A map read back from {@link mapNpy} bytes. */
export function npyMap(bytes: Uint8Array): ScalarMap {
  const t = readNpy(bytes);
  const [height, width] = t.dims;
  return { width, height, data: Float32Array.from(t.data as Float32Array) };
}

async function aggregateOf(predictor: Predictor, image: ImageU8, members: { method: string; map: ScalarMap }[], style: { colormap: ColormapName; opacity: number }): Promise<AggregateOutput | undefined> {
  if (members.length < 2) return undefined;
  const sorted = [...members].sort((a, b) => (a.method < b.method ? -1 : 1));
  const agreed = consensus(sorted.map((m) => m.map));
  const { placements } = predictor.prepare([image]);
  const map = mapToOriginal(agreed.map, placements[0]);
  return {
    members: sorted.map((m, i) => ({ method: m.method, agreement: agreed.agreement[i] })),
    score: agreed.score,
    meanSpearman: agreed.meanSpearman,
    meanIou: agreed.meanIou,
    width: map.width,
    height: map.height,
    npy: mapNpy(map),
    png: await encodePng(applyColormap(map, { colormap: style.colormap, min: 0, max: 1 }), { compressionLevel: PNG_LEVEL }),
    overlayPng: await encodePng(overlayHeatmap(image, map, { colormap: style.colormap, opacity: style.opacity, min: 0, max: 1 }), { compressionLevel: PNG_LEVEL }),
  };
}

/** PNG compression of the stored pictures: level 3 is several times faster than 6 for a few per cent more bytes. */
const PNG_LEVEL = 3;

/**
 * The coloured map and the overlay as PNG, drawn as the core's heatmapImage and
 * overlayExplanation draw them (scale 'positive': the robust normalisation of aggregate.ts,
 * then the colormap over [0, 1]), with the map normalised once for both.
 */
async function pictures(image: ImageU8, map: ScalarMap, style: { colormap: ColormapName; opacity: number }): Promise<{ heatmapPng: Uint8Array; overlayPng: Uint8Array }> {
  const unit = normalizeMap(map, { mode: 'positive' });
  const [heatmapPng, overlayPng] = await Promise.all([
    encodePng(applyColormap(unit, { colormap: style.colormap, min: 0, max: 1 }), { compressionLevel: PNG_LEVEL }),
    encodePng(overlayHeatmap(image, unit, { colormap: style.colormap, opacity: style.opacity, min: 0, max: 1 }), { compressionLevel: PNG_LEVEL }),
  ]);
  return { heatmapPng, overlayPng };
}

/** A decoded mask image as 0/1: a pixel is defect when its largest channel reaches half the mask's largest value. */
function binaryMask(image: ImageU8): MaskLike {
  const n = image.width * image.height;
  const peak = new Uint8Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < image.channels; c++) peak[i] = Math.max(peak[i], image.data[i * image.channels + c]);
    top = Math.max(top, peak[i]);
  }
  const data = new Uint8Array(n);
  if (top > 0) for (let i = 0; i < n; i++) data[i] = peak[i] * 2 >= top ? 1 : 0;
  return { width: image.width, height: image.height, data };
}

/**
 * Runs `task` with `predictor` (see the module comment).
 * @throws whatever the core throws (XqcError with its code) for a bad image, method or target
 */
export async function computeExplanation(predictor: Predictor, task: ExplainTask, onProgress?: (e: ExplainProgress) => void): Promise<ExplainOutput> {
  const t0 = performance.now();
  const { image } = await decodeImageWithFormat(task.image, { maxPixels: task.maxPixels, maxSide: task.maxSide });
  const style = { colormap: task.colormap as ColormapName, opacity: task.opacity };
  const out: ExplainOutput = { methods: [], totalMs: 0 };
  const fresh: { method: string; map: ScalarMap }[] = [];
  if (task.methods.length > 0) {
    const mask = task.mask ? binaryMask((await decodeImageWithFormat(task.mask, { maxPixels: task.maxPixels, maxSide: task.maxSide })).image) : undefined;
    const r = await explainImage(predictor, image, { methods: task.methods, target: task.target, seed: task.seed, params: task.params, mask, onProgress });
    const t = r.summary.target;
    out.target = { index: t.index, label: t.label ?? null, reason: t.reason };
    for (const m of r.summary.methods) {
      const map = r.maps[m.method];
      const result: MethodOutput = {
        method: m.method,
        runtimeMs: m.runtimeMs,
        evaluations: m.evaluations,
        params: m.params,
        degenerate: m.degenerate,
        completenessError: m.completenessError,
        quality: m.quality,
        extras: m.extras,
        width: map.width,
        height: map.height,
        heatmapNpy: mapNpy(map),
        modelMapNpy: mapNpy(r.modelMaps[m.method]),
        ...(await pictures(image, map, style)),
      };
      out.methods.push(result);
      if (!m.degenerate) fresh.push({ method: m.method, map: r.modelMaps[m.method] });
    }
  }
  if (task.aggregate) {
    const stored = task.aggregate.stored.map((s) => ({ method: s.method, map: npyMap(s.modelMapNpy) }));
    out.aggregate = await aggregateOf(predictor, image, [...stored, ...fresh], style);
  }
  out.totalMs = performance.now() - t0;
  return out;
}
