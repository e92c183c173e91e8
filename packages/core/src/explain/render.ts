/**
 * Pictures of explanations: a heatmap as a colour image, blended over the inspected
 * image, as PNG bytes or a data URL, and a captioned sheet of the image beside every
 * method's overlay. Maps are scaled to [0, 1] with the robust percentile normalisation of
 * aggregate.ts before colouring, so one hot pixel does not wash out the rest.
 */
import { XqcError } from '../errors.ts';
import { applyColormap, COLORMAP_NAMES } from '../image/colormap.ts';
import { drawBoxes } from '../image/draw-boxes.ts';
import { convertChannels } from '../image/image-channels.ts';
import type { ColormapName } from '../image/colormap.ts';
import { encodePng } from '../image/image-encode.ts';
import { resizeBilinear, resizeMap } from '../image/image-resize.ts';
import type { ImageU8, Rgb, ScalarMap } from '../image/image.types.ts';
import { montage } from '../image/montage.ts';
import type { MontageTile } from '../image/montage.ts';
import { drawOutline, overlayHeatmap, overlayMask } from '../image/overlay.ts';
import { normalizeMap } from './aggregate.ts';

/** How a map is drawn. */
export interface HeatmapStyle {
  /** Default 'jet'. */
  colormap: ColormapName;
  /**
   * Scaling to [0, 1]: 'positive' keeps evidence for the target only (default), 'abs'
   * ranks magnitudes (signed maps whose both signs matter), 'range' maps min..max linearly.
   */
  scale: 'positive' | 'abs' | 'range';
  /** Heatmap opacity over the image, 0..1 (default 0.5). */
  opacity: number;
}

/** Defaults of {@link HeatmapStyle}. */
export const HEATMAP_STYLE_DEFAULTS: Readonly<HeatmapStyle> = Object.freeze({ colormap: 'jet', scale: 'positive', opacity: 0.5 });

function resolveStyle(style: Partial<HeatmapStyle>): HeatmapStyle {
  const s = { ...HEATMAP_STYLE_DEFAULTS, ...style };
  if (!COLORMAP_NAMES.includes(s.colormap)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown colormap '${s.colormap}'; expected one of ${COLORMAP_NAMES.join(', ')}`);
  if (!['positive', 'abs', 'range'].includes(s.scale)) throw new XqcError('XQC_INVALID_ARGUMENT', `scale must be positive, abs or range, got '${s.scale}'`);
  return s;
}

/** The map scaled to [0, 1] as `scale` says ('range' leaves it as it is and colours min..max). */
function scaled(map: ScalarMap, scale: HeatmapStyle['scale']): { map: ScalarMap; min?: number; max?: number } {
  return scale === 'range' ? { map } : { map: normalizeMap(map, { mode: scale }), min: 0, max: 1 };
}

/** The map [h, w] as an RGB image of its own size, coloured by `style.colormap` after scaling. */
export function heatmapImage(map: ScalarMap, style: Partial<HeatmapStyle> = {}): ImageU8 {
  const s = resolveStyle(style);
  const m = scaled(map, s.scale);
  return applyColormap(m.map, { colormap: s.colormap, min: m.min, max: m.max });
}

/** The coloured map blended over `image` (RGB, the image's size; the map is resized bilinearly). */
export function overlayExplanation(image: ImageU8, map: ScalarMap, style: Partial<HeatmapStyle> = {}): ImageU8 {
  const s = resolveStyle(style);
  const m = scaled(map, s.scale);
  return overlayHeatmap(image, m.map, { colormap: s.colormap, opacity: s.opacity, min: m.min, max: m.max });
}

/** `data:image/png;base64,...` for PNG bytes (for HTML reports and the web app). */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

/** The overlay of {@link overlayExplanation} encoded as PNG bytes and as a data URL. */
export async function renderOverlay(image: ImageU8, map: ScalarMap, style: Partial<HeatmapStyle> = {}): Promise<{ png: Uint8Array; dataUrl: string }> {
  const png = await encodePng(overlayExplanation(image, map, style));
  return { png, dataUrl: pngDataUrl(png) };
}

/** Wall time as a caption: `850 ms`, `3.4 s`, `2 min 5 s`. */
export function formatRuntime(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** One method's panel of a montage. */
export interface MontagePanel {
  method: string;
  map: ScalarMap;
  runtimeMs: number;
  /** Set for a degenerate map: the tile shows the image, dimmed, with this notice instead of the map. */
  notice?: string;
}

/** What the decision outlines on the input tile, at the image's size. */
export interface MontageAnnotations {
  /** Predicted class ids per pixel (0 = background), e.g. a segmenter's mask or a thresholded anomaly map. */
  predictedMask?: { width: number; height: number; data: Uint8Array };
  /** Predicted boxes [x0, y0, x1, y1) in image pixels. */
  boxes?: readonly (readonly [number, number, number, number])[];
  /** Ground-truth defect mask (nonzero = defect), outlined on every tile. */
  truth?: { width: number; height: number; data: ArrayLike<number> };
}

/** Options of {@link explanationMontage}. */
export interface ExplanationMontageOptions extends Partial<HeatmapStyle>, MontageAnnotations {
  /** Longer side of each tile in pixels: the image is scaled to it, up or down, so captions fit (default 224). */
  tileSize?: number;
  /** Tiles per row (default: all tiles on one row up to 4, then a grid). */
  columns?: number;
  /** Title lines: model, decision, target (the first in bold). */
  title?: string | readonly string[];
  /** The aggregate map as a last tile, with its caption (e.g. the consensus score). */
  aggregate?: { map: ScalarMap; caption: string };
  /** Draw the colour scale under the tiles (default true). */
  colorBar?: boolean;
}

/** Colour of predicted masks and boxes on the input tile. */
export const PREDICTION_COLOR: Rgb = [255, 40, 40];
/** Colour of the ground-truth outline on every tile. */
export const TRUTH_COLOR: Rgb = [255, 255, 255];

const SCALE_CAPTIONS: Record<HeatmapStyle['scale'], string> = {
  positive: "colour scale: each map's evidence for the target (values > 0), 1st to 99.5th percentile",
  abs: "colour scale: each map's magnitude |value|, 1st to 99.5th percentile",
  range: "colour scale: each map's own minimum to maximum",
};

/** A horizontal ramp of `colormap` from 0 (left) to 1 (right), `width` x `height`. */
function colorRamp(colormap: ColormapName, width: number, height: number): ImageU8 {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = x / (width - 1);
  return applyColormap({ width, height, data }, { colormap, min: 0, max: 1 });
}

/** The image darkened towards gray, under a degenerate map's notice. */
function dimmed(image: ImageU8): ImageU8 {
  const rgb = convertChannels(image, 3);
  return { ...rgb, data: Uint8Array.from(rgb.data, (v) => Math.round(96 + v * 0.35)) };
}

/**
 * The image tile (captioned `input`, with the predicted mask and boxes) followed by each
 * method's overlay captioned `<method> (<runtime>)` (a degenerate map as the dimmed image
 * with its notice), then the aggregate map, every tile scaled to `tileSize` and outlined
 * with the ground truth when given, under the title lines and over the colour scale, as
 * one RGB sheet (image/montage.ts).
 */
export async function explanationMontage(image: ImageU8, panels: readonly MontagePanel[], options: ExplanationMontageOptions = {}): Promise<ImageU8> {
  const tileSize = options.tileSize ?? 224;
  if (!Number.isInteger(tileSize) || tileSize < 8) throw new XqcError('XQC_INVALID_ARGUMENT', `tileSize must be an integer >= 8, got ${tileSize}`);
  const style = resolveStyle(options);
  const k = tileSize / Math.max(image.width, image.height);
  const tile = k === 1 ? image : resizeBilinear(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k)));
  const truth = options.truth;
  const withTruth = (t: ImageU8): ImageU8 => (truth ? drawOutline(t, truth, { color: TRUTH_COLOR, thickness: 2 }) : t);
  let input = convertChannels(tile, 3);
  const predicted = options.predictedMask?.data.some((v) => v !== 0) ? options.predictedMask : undefined;
  if (predicted) {
    const ids: ImageU8 = { width: predicted.width, height: predicted.height, channels: 1, data: predicted.data };
    input = drawOutline(overlayMask(input, ids, { opacity: 0.3, palette: [PREDICTION_COLOR] }), predicted, { color: PREDICTION_COLOR, thickness: 2 });
  }
  if (options.boxes?.length) {
    input = drawBoxes(input, options.boxes.map(([x0, y0, x1, y1]) => ({ x0: x0 * k, y0: y0 * k, x1: x1 * k, y1: y1 * k })), { color: PREDICTION_COLOR, thickness: 2 });
  }
  const legend = [predicted || options.boxes?.length ? 'red: predicted' : '', truth ? 'white: ground truth' : ''].filter(Boolean).join(', ');
  // Maps come at the image's size; a tile needs no more, and percentiles of a tile-size map cost far less.
  const atTile = (map: ScalarMap): ScalarMap => (map.width > tile.width || map.height > tile.height ? resizeMap(map, tile.width, tile.height) : map);
  const tiles: MontageTile[] = [
    { image: withTruth(input), caption: legend ? `input (${legend})` : 'input' },
    ...panels.map((p) =>
      p.notice
        ? { image: withTruth(dimmed(tile)), caption: `${p.method} (${formatRuntime(p.runtimeMs)})`, notice: `not shown: ${p.notice}` }
        : { image: withTruth(overlayExplanation(tile, atTile(p.map), style)), caption: `${p.method} (${formatRuntime(p.runtimeMs)})` },
    ),
  ];
  if (options.aggregate) {
    const t = overlayHeatmap(tile, atTile(options.aggregate.map), { colormap: style.colormap, opacity: style.opacity, min: 0, max: 1 });
    tiles.push({ image: withTruth(t), caption: options.aggregate.caption });
  }
  const columns = options.columns ?? (tiles.length <= 4 ? tiles.length : Math.ceil(tiles.length / Math.ceil(tiles.length / 4)));
  const footer =
    options.colorBar === false
      ? undefined
      : { image: colorRamp(style.colormap, Math.min(320, Math.max(96, tileSize)), 12), leftLabel: 'low', rightLabel: 'high', caption: SCALE_CAPTIONS[style.scale] };
  return montage(tiles, { columns, title: options.title, footer });
}
