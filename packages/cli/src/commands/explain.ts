/** `xaiqc explain`: explanation maps of one image by several methods, with overlays, a montage and a summary. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  COLORMAP_NAMES,
  Predictor,
  XqcError,
  decodeImage,
  encodePng,
  explainImage,
  explainerNames,
  explanationMontage,
  formatRuntime,
  overlayExplanation,
  tensor,
  writeNpyFile,
} from '@xai-qc/core';
import type { ColormapName, ImageU8, MaskLike } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, intOption, required } from '../command.ts';

async function readImage(path: string, what: string): Promise<ImageU8> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new XqcError('XQC_IO', `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return decodeImage(bytes);
}

/** A mask image as 0/1: a pixel is defect when any channel is nonzero. */
function binaryMask(image: ImageU8): MaskLike {
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) for (let c = 0; c < image.channels; c++) if (image.data[i * image.channels + c]) data[i] = 1;
  return { width: image.width, height: image.height, data };
}

/** A figure with 3 decimals; NaN figures arrive as null from the JSON summary. */
function fixed(v: number | null | undefined): string {
  return typeof v === 'number' ? v.toFixed(3) : 'n/a';
}

/** `METHOD.KEY=VALUE` options as per-method parameters; numbers and true/false are parsed. */
export function methodParams(items: readonly string[], methods: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const item of items) {
    const m = /^([a-z]+)\.([A-Za-z]+)=(.+)$/.exec(item);
    if (!m) throw new UsageError(`--param expects METHOD.KEY=VALUE, got '${item}'`);
    const [, method, key, raw] = m;
    if (!methods.includes(method)) throw new UsageError(`--param names method '${method}', which is not in --methods`);
    const value = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    (out[method] ??= {})[key] = value;
  }
  return out;
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'explanation maps of one image (Grad-CAM, IG, LIME, Kernel SHAP, ...) with overlays',
  help: `Usage: xaiqc explain --model M.onnx --image I --methods LIST --out DIR
                     [--card PATH] [--target K|LABEL] [--layer NAME] [--seed S] [--mask M.png]
                     [--param METHOD.KEY=VALUE ...] [--segments N] [--curves]
                     [--colormap jet|viridis|inferno|turbo] [--opacity A] [--max-batch B] [--json]

Preprocesses the image as the model card says, predicts, and explains the target with
each method. Writes to DIR, for each method, <method>.npy (the map at the image's size,
float32 [H, W]) and <method>.png (the map over the image), then montage.png (the image
and every overlay, captioned with method and runtime) and summary.json (prediction,
target, per method: runtime, evaluations, parameters, completeness error for ig,
gradshap and kernelshap, agreement with the consensus map, and quality figures against
--mask: pointing game and energy in mask; deletion/insertion AUCs with --curves).

Methods: ${explainerNames().join(', ')}, or all.

Options:
  --model PATH       the .onnx file; its card is model_card.yaml beside it
  --card PATH        the model card (default: beside the model)
  --image PATH       PNG, JPEG, BMP, TIFF or WebP image
  --methods LIST     comma-separated method names
  --out DIR          output folder (created)
  --target K|LABEL   class (index or label) to explain; default the predicted defect class,
                     for segmenters its predicted region, for other tasks output element 0
  --layer NAME       layer for gradcam/gradcampp (default the card's explain.layer, else
                     the last spatial activation)
  --seed S           seed of the sampling methods (default 0)
  --mask PATH        ground-truth defect mask image (nonzero = defect) for quality figures
  --param M.K=V      a method parameter, e.g. lime.samples=500 or occlusion.fill=blur
  --segments N       SLIC superpixels shared by lime and kernelshap (default 50)
  --curves           also compute deletion and insertion AUCs (42 forward passes per method)
  --colormap NAME    overlay colormap (default jet)
  --opacity A        overlay opacity 0..1 (default 0.5)
  --max-batch B      largest batch per ONNX Runtime call (default 32)
  --json             print summary.json instead of a table`,
  options: {
    model: { type: 'string' },
    card: { type: 'string' },
    image: { type: 'string' },
    methods: { type: 'string' },
    out: { type: 'string' },
    target: { type: 'string' },
    layer: { type: 'string' },
    seed: { type: 'string' },
    mask: { type: 'string' },
    param: { type: 'string', multiple: true },
    segments: { type: 'string' },
    curves: { type: 'boolean' },
    colormap: { type: 'string' },
    opacity: { type: 'string' },
    'max-batch': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const modelPath = required(values, 'model');
    const imagePath = required(values, 'image');
    const outDir = required(values, 'out');
    const list = required(values, 'methods');
    const methods = list === 'all' ? explainerNames() : list.split(',').map((s) => s.trim()).filter(Boolean);
    if (methods.length === 0) throw new UsageError('--methods names no method');
    const params = methodParams((values.param as string[] | undefined) ?? [], methods);
    const colormap = (values.colormap as string | undefined) ?? 'jet';
    if (!(COLORMAP_NAMES as readonly string[]).includes(colormap)) throw new UsageError(`--colormap must be one of ${COLORMAP_NAMES.join(', ')}`);
    const opacity = values.opacity === undefined ? 0.5 : Number(values.opacity);
    if (!(opacity >= 0 && opacity <= 1)) throw new UsageError('--opacity must be in [0, 1]');
    const segments = intOption(values, 'segments', 50);
    if (segments < 1) throw new UsageError('--segments must be a positive integer');
    const maxBatch = intOption(values, 'max-batch', 32);
    if (maxBatch < 1) throw new UsageError('--max-batch must be a positive integer');

    const predictor = await Predictor.load(modelPath, values.card as string | undefined);
    let target: number | undefined;
    if (typeof values.target === 'string') {
      target = /^\d+$/.test(values.target) ? Number(values.target) : predictor.card.labels.indexOf(values.target);
      if (target < 0) throw new UsageError(`--target '${values.target}' is neither an index nor a label (${predictor.card.labels.join(', ')})`);
    }
    const image = await readImage(imagePath, 'image');
    const mask = typeof values.mask === 'string' ? binaryMask(await readImage(values.mask, 'mask')) : undefined;
    const result = await explainImage(predictor, image, {
      methods,
      target,
      layer: values.layer as string | undefined,
      seed: intOption(values, 'seed', 0),
      params,
      mask,
      superpixels: { nSegments: segments },
      curves: values.curves === true,
      maxBatch,
    });

    await mkdir(outDir, { recursive: true });
    const style = { colormap: colormap as ColormapName, opacity };
    const files: Record<string, { npy: string; png: string }> = {};
    for (const m of result.summary.methods) {
      const map = result.maps[m.method];
      files[m.method] = { npy: join(outDir, `${m.method}.npy`), png: join(outDir, `${m.method}.png`) };
      await writeNpyFile(files[m.method].npy, tensor('float32', [map.height, map.width], map.data));
      await writeFile(files[m.method].png, await encodePng(overlayExplanation(image, map, style)));
    }
    const panels = result.summary.methods.map((m) => ({ method: m.method, runtimeMs: m.runtimeMs, map: result.maps[m.method] }));
    const montagePath = join(outDir, 'montage.png');
    await writeFile(montagePath, await encodePng(await explanationMontage(image, panels, style)));
    const summary = { ...result.summary, files: { ...files, montage: montagePath } };
    await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

    if (values.json) {
      io.out(JSON.stringify(summary, null, 2));
      return 0;
    }
    const t = result.summary.target;
    io.out(`target ${t.description}: ${t.score.toFixed(4)} (${t.reason})`);
    for (const m of result.summary.methods) {
      const q = m.quality;
      const cells = [
        m.method.padEnd(11),
        formatRuntime(m.runtimeMs).padStart(9),
        `${m.evaluations} evals`.padStart(12),
        m.completenessError === undefined ? '' : `completeness error ${m.completenessError.toExponential(2)}`,
        q?.energyInMask === undefined ? '' : `energy in mask ${q.energyInMask.toFixed(3)}, pointing ${q.pointingHit ? 'hit' : 'miss'}`,
        q?.deletionAuc === undefined ? '' : `deletion AUC ${fixed(q.deletionAuc)}, insertion AUC ${fixed(q.insertionAuc)}`,
      ];
      io.out(cells.filter(Boolean).join('  '));
    }
    if (result.summary.consensus) io.out(`consensus ${result.summary.consensus.score.toFixed(3)}`);
    io.out(`wrote ${outDir}`);
    return 0;
  },
};
