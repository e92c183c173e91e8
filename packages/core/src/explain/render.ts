/**
 * Pictures of explanations: a heatmap as a colour image, blended over the inspected
 * image, as PNG bytes or a data URL, and a captioned sheet of the image beside every
 * method's overlay. Maps are scaled to [0, 1] with the robust percentile normalisation of
 * aggregate.ts before colouring, so one hot pixel does not wash out the rest.
 */
import { XqcError } from '../errors.ts';
import { applyColormap, COLORMAP_NAMES } from '../image/colormap.ts';
import type { ColormapName } from '../image/colormap.ts';
import { encodePng } from '../image/image-encode.ts';
import { resizeBilinear } from '../image/image-resize.ts';
import type { ImageU8, ScalarMap } from '../image/image.types.ts';
import { montage } from '../image/montage.ts';
import { overlayHeatmap } from '../image/overlay.ts';
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
}

/** Options of {@link explanationMontage}. */
export interface ExplanationMontageOptions extends Partial<HeatmapStyle> {
  /** Longer side of each tile in pixels: the image is scaled to it, up or down, so captions fit (default 224). */
  tileSize?: number;
  /** Tiles per row (default: all panels and the image on one row up to 4, then a grid). */
  columns?: number;
  title?: string;
}

/**
 * The image (captioned `input`) followed by each method's overlay captioned
 * `<method> (<runtime>)`, every tile scaled to `tileSize`, as one RGB sheet (image/montage.ts).
 */
export async function explanationMontage(image: ImageU8, panels: readonly MontagePanel[], options: ExplanationMontageOptions = {}): Promise<ImageU8> {
  const tileSize = options.tileSize ?? 224;
  if (!Number.isInteger(tileSize) || tileSize < 8) throw new XqcError('XQC_INVALID_ARGUMENT', `tileSize must be an integer >= 8, got ${tileSize}`);
  const k = tileSize / Math.max(image.width, image.height);
  const tile = k === 1 ? image : resizeBilinear(image, Math.max(1, Math.round(image.width * k)), Math.max(1, Math.round(image.height * k)));
  const tiles = [
    { image: tile, caption: 'input' },
    ...panels.map((p) => ({ image: overlayExplanation(tile, p.map, options), caption: `${p.method} (${formatRuntime(p.runtimeMs)})` })),
  ];
  const columns = options.columns ?? (tiles.length <= 4 ? tiles.length : Math.ceil(Math.sqrt(tiles.length)));
  return montage(tiles, { columns, title: options.title });
}
