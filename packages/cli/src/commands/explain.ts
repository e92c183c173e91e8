/** `xaiqc explain`: explanation maps of one image by several methods, with overlays, a montage and a summary. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  COLORMAP_NAMES,
  DEFAULT_MAX_PIXELS,
  DETECTOR_OUTPUTS,
  Predictor,
  XqcError,
  checkMethodParams,
  decodeImageWithFormat,
  describeMethodParams,
  encodePng,
  explainImage,
  explainerNames,
  explanationMontage,
  formatRuntime,
  getExplainer,
  isXqcError,
  overlayExplanation,
  overlayHeatmap,
  readImageHeader,
  stageFolder,
  tensor,
  writeNpy,
} from '@xai-qc/core';
import type { ColormapName, ExplainImageResult, ImageU8, MaskLike, ScalarMap, StagedFolder } from '@xai-qc/core';
import type { Command } from '../command.ts';
import { UsageError, intOption } from '../command.ts';
import { progressFor } from '../progress.ts';

/** Longest side of the maps, overlays and arrays written by default. */
export const DEFAULT_DISPLAY_SIZE = 1024;

/** Options that take one value; they are declared `multiple` so that a repeated one is refused instead of silently replaced. */
const SINGLE = ['model', 'card', 'image', 'methods', 'out', 'target', 'layer', 'seed', 'mask', 'segments', 'colormap', 'opacity', 'max-batch', 'max-pixels', 'display-size'] as const;

/** The one value of option `name`, if given. */
function single(values: Record<string, unknown>, name: (typeof SINGLE)[number]): string | undefined {
  const v = values[name] as string[] | undefined;
  if (!v || v.length === 0) return undefined;
  if (v.length > 1) throw new UsageError(`--${name} is given ${v.length} times (${v.map((x) => `'${x}'`).join(', ')}); give it once`);
  if (v[0] === '') throw new UsageError(`--${name} is empty`);
  return v[0];
}

function requireOne(values: Record<string, unknown>, name: (typeof SINGLE)[number]): string {
  const v = single(values, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

function intValue(values: Record<string, unknown>, name: (typeof SINGLE)[number], dflt: number, min: number): number {
  const v = single(values, name);
  const n = intOption({ [name]: v }, name, dflt);
  if (n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${n}`);
  return n;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new XqcError('XQC_IO', `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A mask image as 0/1: a pixel is defect when its largest channel is at least half the mask's largest value (a shrunk mask's soft edges split evenly). */
function binaryMask(image: ImageU8): MaskLike {
  const n = image.width * image.height;
  const peak = new Uint8Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < image.channels; c++) peak[i] = Math.max(peak[i], image.data[i * image.channels + c]);
    top = Math.max(top, peak[i]);
  }
  const data = Uint8Array.from(peak, (v) => (top > 0 && v * 2 >= top ? 1 : 0));
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
    const given = (out[method] ??= {});
    if (key in given) throw new UsageError(`--param ${method}.${key} is given twice`);
    given[key] = value;
  }
  return out;
}

/** Method names from `--methods`: a known, unrepeated list, or `all` (the methods that apply to the model). */
function methodList(list: string, anomalyDetector: boolean): string[] {
  if (list === 'all') return explainerNames().filter((n) => n !== 'anomalymap' || anomalyDetector);
  const methods = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (methods.length === 0) throw new UsageError('--methods names no method');
  const twice = methods.find((m, i) => methods.indexOf(m) !== i);
  if (twice) throw new UsageError(`--methods lists '${twice}' twice`);
  for (const m of methods) {
    try {
      getExplainer(m);
    } catch {
      throw new UsageError(`unknown method '${m}'; known: ${explainerNames().join(', ')}, or all`);
    }
  }
  return methods;
}

function usageFromCheck(check: () => void): void {
  try {
    check();
  } catch (e) {
    if (isXqcError(e, 'XQC_INVALID_ARGUMENT')) throw new UsageError(e.message);
    throw e;
  }
}

/** Removes the staging folder when the process is interrupted, so an interrupted run leaves nothing. */
function abortOnSignal(staged: StagedFolder): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    void staged.abort().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Title lines of the montage: model, decision, target. */
function titleLines(summary: ExplainImageResult['summary']): string[] {
  const m = summary.model;
  const t = summary.target;
  return [
    `${m.name} ${m.version} (${m.task})`,
    summary.decision ? `verdict ${summary.decision.text}` : 'verdict: not available for this task',
    `target: ${t.description} = ${t.score.toPrecision(4)} (${t.reason})`,
  ];
}

function methodHelp(): string {
  return explainerNames()
    .map((n) => {
      const lines = describeMethodParams(n);
      return `  ${n}${lines.length ? `\n${lines.map((l) => `      ${l}`).join('\n')}` : ': no parameters'}`;
    })
    .join('\n');
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'explanation maps of one image (Grad-CAM, IG, LIME, Kernel SHAP, anomaly map, ...) with overlays',
  help: `Usage: xaiqc explain --model M.onnx --image I --methods LIST --out DIR [--force]
                     [--card PATH] [--target K|LABEL] [--layer NAME] [--seed S] [--mask M.png]
                     [--param METHOD.KEY=VALUE ...] [--segments N] [--curves]
                     [--colormap jet|viridis|inferno|turbo] [--opacity A] [--max-batch B]
                     [--max-pixels N] [--display-size N] [--json]

Preprocesses the image as the model card says, predicts, and explains the target with
each method. The target is stated: by default the predicted class, or the most probable
defect class when the prediction is good (pass/reject models), a segmenter's predicted
region, or an anomaly detector's score (raw_score, in distance units).

Writes DIR as a whole at the end (nothing appears there before, and an interrupted run
leaves nothing): for each method <method>.npy (the map at display size, float32 [H, W])
and <method>.png (the map over the image), aggregate.npy and aggregate.png (the pixel-wise
mean of the normalised usable maps, two or more), montage.png (title with model, verdict
and target, the image with predicted masks or boxes, every map, the aggregate, the
ground-truth outline with --mask, and the colour scale) and summary.json (image path and
SHA-256, model SHA-256, verdict and probabilities, target, per method: runtime,
evaluations, parameters, degenerate-map flag, completeness error for ig, gradshap and
kernelshap, agreement with the aggregate, quality figures against --mask). A map that is
constant, all zero, non-finite or without positive values is flagged, drawn as a notice
and left out of the aggregate and the consensus.

Images larger than --display-size are shrunk while decoding; all model work happens at
the model's input size. Progress goes to stderr.

Options:
  --model PATH       the .onnx file; its card is model_card.yaml beside it
  --card PATH        the model card (default: beside the model)
  --image PATH       PNG, JPEG, BMP, TIFF or WebP image
  --methods LIST     comma-separated method names, or all
  --out DIR          output folder; must be absent or empty unless --force
  --force            replace a non-empty output folder (as a whole, at the end)
  --target K|LABEL   class (index or label) to explain (see above for the default)
  --layer NAME       layer for gradcam/gradcampp (default the card's explain.layer, else
                     the last spatial activation)
  --seed S           seed of the sampling methods (default 0)
  --mask PATH        ground-truth defect mask image of the image's size (nonzero = defect)
  --param M.K=V      a method parameter, e.g. lime.samples=500 or occlusion.fill=blur
  --segments N       SLIC superpixels shared by lime and kernelshap (default 50)
  --curves           also compute deletion and insertion AUCs (42 forward passes per method)
  --colormap NAME    overlay colormap (default jet)
  --opacity A        overlay opacity 0..1 (default 0.5)
  --max-batch B      largest batch per ONNX Runtime call (default 32)
  --max-pixels N     refuse images with more pixels (default ${DEFAULT_MAX_PIXELS})
  --display-size N   longest side of the maps and overlays written (default ${DEFAULT_DISPLAY_SIZE})
  --json             print summary.json instead of a table

Methods and their parameters (--param METHOD.KEY=VALUE):
${methodHelp()}`,
  options: {
    ...Object.fromEntries(SINGLE.map((name) => [name, { type: 'string' as const, multiple: true }])),
    param: { type: 'string', multiple: true },
    curves: { type: 'boolean' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'; xaiqc explain takes options only (see xaiqc explain --help)`);
    const modelPath = requireOne(values, 'model');
    const imagePath = requireOne(values, 'image');
    const outDir = requireOne(values, 'out');
    const list = requireOne(values, 'methods');
    const colormap = single(values, 'colormap') ?? 'jet';
    if (!(COLORMAP_NAMES as readonly string[]).includes(colormap)) throw new UsageError(`--colormap must be one of ${COLORMAP_NAMES.join(', ')}`);
    const opacityText = single(values, 'opacity');
    const opacity = opacityText === undefined ? 0.5 : Number(opacityText);
    if (!(opacity >= 0 && opacity <= 1)) throw new UsageError('--opacity must be in [0, 1]');
    const segments = intValue(values, 'segments', 50, 1);
    const maxBatch = intValue(values, 'max-batch', 32, 1);
    const maxPixels = intValue(values, 'max-pixels', DEFAULT_MAX_PIXELS, 1);
    const displaySize = intValue(values, 'display-size', DEFAULT_DISPLAY_SIZE, 8);
    const seed = intValue(values, 'seed', 0, 0);
    const targetText = single(values, 'target');
    const layer = single(values, 'layer');
    const maskPath = single(values, 'mask');
    const cardPath = single(values, 'card');

    const progress = progressFor(io, 'explain');
    const staged = await stageFolder(outDir, { force: values.force === true });
    const release = abortOnSignal(staged);
    try {
      progress.note('loading the model and the image');
      const modelBytes = await readBytes(modelPath, 'model');
      const predictor = await Predictor.load(modelPath, cardPath);
      const detector = predictor.model.graph.outputs.some((o) => o.name === DETECTOR_OUTPUTS.map);
      const methods = methodList(list, detector);
      const params = methodParams((values.param as string[] | undefined) ?? [], methods);
      usageFromCheck(() => {
        for (const [m, p] of Object.entries(params)) checkMethodParams(m, p);
      });
      let target: number | undefined;
      if (targetText !== undefined) {
        target = /^\d+$/.test(targetText) ? Number(targetText) : predictor.card.labels.indexOf(targetText);
        if (target < 0) throw new UsageError(`--target '${targetText}' is neither an index nor a label (${predictor.card.labels.join(', ')})`);
      }
      const imageBytes = await readBytes(imagePath, 'image');
      const decoded = await decodeImageWithFormat(imageBytes, { maxPixels, maxSide: displaySize });
      const image = decoded.image;
      let mask: MaskLike | undefined;
      if (maskPath !== undefined) {
        const maskBytes = await readBytes(maskPath, 'mask');
        const header = await readImageHeader(maskBytes, maxPixels);
        if (header.width !== decoded.original.width || header.height !== decoded.original.height) {
          throw new XqcError('XQC_SHAPE_MISMATCH', `the mask ${maskPath} is ${header.width}x${header.height}; the image is ${decoded.original.width}x${decoded.original.height}: give a mask of the image's size`);
        }
        mask = binaryMask((await decodeImageWithFormat(maskBytes, { maxPixels, maxSide: displaySize })).image);
      }
      const result = await explainImage(predictor, image, {
        methods,
        target,
        layer,
        seed,
        params,
        mask,
        superpixels: { nSegments: segments },
        curves: values.curves === true,
        maxBatch,
        source: {
          image: { path: resolve(imagePath), sha256: sha256(imageBytes), bytes: imageBytes.length, format: decoded.format, ...decoded.original },
          model: { path: resolve(modelPath), sha256: sha256(modelBytes) },
        },
        onProgress: (e) => progress.update(e.stage, e.step - 1, e.steps),
      });
      progress.update('write', 0, 1);

      const style = { colormap: colormap as ColormapName, opacity };
      const sink = staged.sink;
      const files: Record<string, { npy: string; png: string }> = {};
      const writeMap = async (name: string, map: ScalarMap, png: () => ImageU8): Promise<void> => {
        files[name] = { npy: `${name}.npy`, png: `${name}.png` };
        await sink.put(files[name].npy, writeNpy(tensor('float32', [map.height, map.width], map.data)));
        await sink.put(files[name].png, await encodePng(png()));
      };
      for (const m of result.summary.methods) await writeMap(m.method, result.maps[m.method], () => overlayExplanation(image, result.maps[m.method], style));
      const aggregate = result.consensusMap;
      if (aggregate) await writeMap('aggregate', aggregate, () => overlayHeatmap(image, aggregate, { ...style, min: 0, max: 1 }));
      const summary = result.summary;
      const panels = summary.methods.map((m) => ({ method: m.method, runtimeMs: m.runtimeMs, map: result.maps[m.method], notice: m.degenerate?.message }));
      const consensus = summary.consensus;
      const montage = await explanationMontage(image, panels, {
        ...style,
        title: titleLines(summary),
        aggregate: aggregate && consensus ? { map: aggregate, caption: `aggregate of ${consensus.methods.length} (consensus ${consensus.score.toFixed(2)})` } : undefined,
        predictedMask: result.overlay.mask,
        boxes: result.overlay.boxes,
        truth: mask,
      });
      await sink.put('montage.png', await encodePng(montage));
      const written = { ...summary, files: { ...files, montage: 'montage.png' } };
      await sink.put('summary.json', `${JSON.stringify(written, null, 2)}\n`);
      await staged.commit();
      progress.update('write', 1, 1);
      progress.end();

      if (values.json) {
        io.out(JSON.stringify(written, null, 2));
        return 0;
      }
      const t = summary.target;
      if (summary.decision) io.out(`verdict ${summary.decision.text}`);
      io.out(`target ${t.description}: ${t.score.toFixed(4)} (${t.reason})`);
      for (const m of summary.methods) {
        const q = m.quality;
        const cells = [
          m.method.padEnd(11),
          formatRuntime(m.runtimeMs).padStart(9),
          `${m.evaluations} evals`.padStart(12),
          m.degenerate ? `DEGENERATE (${m.degenerate.reason}): ${m.degenerate.message}; left out of the aggregate` : '',
          m.completenessError === undefined ? '' : `completeness error ${m.completenessError.toExponential(2)}`,
          q?.energyInMask === undefined ? '' : `energy in mask ${q.energyInMask.toFixed(3)}, pointing ${q.pointingHit ? 'hit' : 'miss'}`,
          q?.deletionAuc === undefined ? '' : `deletion AUC ${fixed(q.deletionAuc)}, insertion AUC ${fixed(q.insertionAuc)}`,
        ];
        io.out(cells.filter(Boolean).join('  '));
      }
      if (consensus) io.out(`consensus ${consensus.score.toFixed(3)} over ${consensus.methods.join(', ')}`);
      io.out(`wrote ${outDir}`);
      return 0;
    } catch (e) {
      progress.end();
      await staged.abort();
      throw e;
    } finally {
      release();
    }
  },
};
