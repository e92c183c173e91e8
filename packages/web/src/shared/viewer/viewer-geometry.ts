/**
 * Geometry of the image viewer, free of React and the DOM: how the image sits in the
 * viewport (image <-> screen transforms), zoom about a point, pan, clamping, fit-to-view and
 * where boxes, masks and maps go.
 *
 * The view is kept relative to the image (zoom as a multiple of the fit-to-view scale, the
 * centre as a fraction of the image's width and height), so the same view applies to the
 * next image even when its size differs: zoom and pan stay put when switching images.
 */

/** A width and a height (pixels). */
export interface Size {
  width: number;
  height: number;
}

/** A point (pixels). */
export interface Point {
  x: number;
  y: number;
}

/**
 * What the viewer shows: `zoom` is a multiple of the fit-to-view scale (1 = the whole image
 * fits the viewport), `center` the image point at the viewport's centre as fractions of the
 * image's width and height (0.5, 0.5 = the image centre).
 */
export interface View {
  zoom: number;
  center: Point;
}

/** screen = image * scale + (tx, ty), in CSS pixels relative to the viewport's top-left corner. */
export interface Transform {
  scale: number;
  tx: number;
  ty: number;
}

/** The whole image, centred. */
export const FIT_VIEW: Readonly<View> = Object.freeze({ zoom: 1, center: Object.freeze({ x: 0.5, y: 0.5 }) });

/** Zoom factor of one step (buttons, + and - keys, one wheel notch). */
export const ZOOM_STEP = 1.25;

/** Smallest zoom (a multiple of fit-to-view). */
export const MIN_ZOOM = 0.5;

/** Largest magnification in screen pixels per image pixel (a close look at single pixels). */
export const MAX_PIXEL_SCALE = 32;

function valid(s: Size): boolean {
  return s.width > 0 && s.height > 0 && Number.isFinite(s.width) && Number.isFinite(s.height);
}

/** The scale at which the whole image fits the viewport (0 when either size is empty). */
export function fitScale(image: Size, viewport: Size): number {
  if (!valid(image) || !valid(viewport)) return 0;
  return Math.min(viewport.width / image.width, viewport.height / image.height);
}

/** The zoom range for this image in this viewport: at least {@link MIN_ZOOM}, at most {@link MAX_PIXEL_SCALE} screen pixels per image pixel (and never below 4x fit). */
export function zoomLimits(image: Size, viewport: Size): { min: number; max: number } {
  const fit = fitScale(image, viewport);
  const max = fit > 0 ? Math.max(4, MAX_PIXEL_SCALE / fit) : 4;
  return { min: MIN_ZOOM, max };
}

/** The image -> screen transform of `view`. */
export function viewTransform(view: View, image: Size, viewport: Size): Transform {
  const scale = fitScale(image, viewport) * view.zoom;
  return {
    scale,
    tx: viewport.width / 2 - view.center.x * image.width * scale,
    ty: viewport.height / 2 - view.center.y * image.height * scale,
  };
}

/** An image point on the screen. */
export function imageToScreen(p: Point, t: Transform): Point {
  return { x: p.x * t.scale + t.tx, y: p.y * t.scale + t.ty };
}

/** The image point under a screen point (the transform must have a scale above 0). */
export function screenToImage(p: Point, t: Transform): Point {
  return { x: (p.x - t.tx) / t.scale, y: (p.y - t.ty) / t.scale };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * `view` with its zoom inside {@link zoomLimits} and its centre such that the image never
 * leaves the viewport: along an axis where the image is smaller than the viewport it is
 * centred; where it is larger, no gap opens between the image's edge and the viewport's.
 */
export function clampView(view: View, image: Size, viewport: Size): View {
  if (!valid(image) || !valid(viewport)) return { zoom: Number.isFinite(view.zoom) && view.zoom > 0 ? view.zoom : 1, center: { x: 0.5, y: 0.5 } };
  const { min, max } = zoomLimits(image, viewport);
  const zoom = clamp(Number.isFinite(view.zoom) ? view.zoom : 1, min, max);
  const scale = fitScale(image, viewport) * zoom;
  const axis = (c: number, imagePx: number, viewportPx: number): number => {
    const shown = imagePx * scale;
    if (shown <= viewportPx) return 0.5;
    const half = viewportPx / 2 / shown;
    return clamp(Number.isFinite(c) ? c : 0.5, half, 1 - half);
  };
  return { zoom, center: { x: axis(view.center.x, image.width, viewport.width), y: axis(view.center.y, image.height, viewport.height) } };
}

/**
 * Zooms by `factor` about a screen point (the wheel's or the pinch's position): the image
 * point under `at` stays under it, as far as clamping allows. Without `at`, about the
 * viewport's centre.
 */
export function zoomAbout(view: View, factor: number, image: Size, viewport: Size, at?: Point): View {
  if (!valid(image) || !valid(viewport) || !(factor > 0)) return view;
  const { min, max } = zoomLimits(image, viewport);
  const zoom = clamp(view.zoom * factor, min, max);
  const p = at ?? { x: viewport.width / 2, y: viewport.height / 2 };
  const before = viewTransform(view, image, viewport);
  const anchor = screenToImage(p, before);
  const scale = fitScale(image, viewport) * zoom;
  // choose the centre so that anchor * scale + t = p with t from the new centre
  const cx = (anchor.x * scale - p.x + viewport.width / 2) / (image.width * scale);
  const cy = (anchor.y * scale - p.y + viewport.height / 2) / (image.height * scale);
  return clampView({ zoom, center: { x: cx, y: cy } }, image, viewport);
}

/** Moves the image by (dx, dy) screen pixels (a drag or an arrow key), clamped. */
export function panBy(view: View, dx: number, dy: number, image: Size, viewport: Size): View {
  const scale = fitScale(image, viewport) * view.zoom;
  if (!(scale > 0)) return view;
  return clampView({ zoom: view.zoom, center: { x: view.center.x - dx / (image.width * scale), y: view.center.y - dy / (image.height * scale) } }, image, viewport);
}

/** Screen pixels per image pixel as a percentage ("100 %" = one image pixel per CSS pixel). */
export function pixelZoomPercent(view: View, image: Size, viewport: Size): number {
  return Math.round(fitScale(image, viewport) * view.zoom * 100);
}

/** The view that shows image pixels at `pixelScale` screen pixels each (1 = actual size), centred where the view is. */
export function viewAtPixelScale(view: View, pixelScale: number, image: Size, viewport: Size): View {
  const fit = fitScale(image, viewport);
  if (!(fit > 0)) return view;
  return clampView({ zoom: pixelScale / fit, center: view.center }, image, viewport);
}

/** Two views are the same (within a 1e-9 tolerance). */
export function sameView(a: View, b: View): boolean {
  return Math.abs(a.zoom - b.zoom) < 1e-9 && Math.abs(a.center.x - b.center.x) < 1e-9 && Math.abs(a.center.y - b.center.y) < 1e-9;
}

/** A rectangle on the screen (CSS pixels, relative to the viewport). */
export interface ScreenRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A finding's box `[x0, y0, x1, y1)` (original image pixels) on the screen. */
export function boxToScreen(box: readonly [number, number, number, number], t: Transform): ScreenRect {
  const a = imageToScreen({ x: Math.min(box[0], box[2]), y: Math.min(box[1], box[3]) }, t);
  const b = imageToScreen({ x: Math.max(box[0], box[2]), y: Math.max(box[1], box[3]) }, t);
  return { left: a.x, top: a.y, width: b.x - a.x, height: b.y - a.y };
}

/** A box as percentages of the image (for placing it on the image's own layer, which the transform scales). */
export function boxToImagePercent(box: readonly [number, number, number, number], image: Size): ScreenRect {
  const x0 = clamp(Math.min(box[0], box[2]), 0, image.width);
  const x1 = clamp(Math.max(box[0], box[2]), 0, image.width);
  const y0 = clamp(Math.min(box[1], box[3]), 0, image.height);
  const y1 = clamp(Math.max(box[1], box[3]), 0, image.height);
  return { left: (x0 / image.width) * 100, top: (y0 / image.height) * 100, width: ((x1 - x0) / image.width) * 100, height: ((y1 - y0) / image.height) * 100 };
}

/**
 * How a raster layer (a mask, a heatmap or an anomaly map, perhaps at the model's input
 * size) covers the image: it is stretched over the whole image, so one layer pixel spans
 * `sx` by `sy` image pixels. A layer pixel (i, j) covers image x in [i sx, (i + 1) sx).
 */
export function layerScale(layer: Size, image: Size): { sx: number; sy: number } {
  return { sx: image.width / layer.width, sy: image.height / layer.height };
}

/** The layer pixel under an image point (for read-outs under the pointer), or null outside the layer. */
export function layerPixelAt(p: Point, layer: Size, image: Size): Point | null {
  const { sx, sy } = layerScale(layer, image);
  const i = Math.floor(p.x / sx);
  const j = Math.floor(p.y / sy);
  if (!(i >= 0 && j >= 0 && i < layer.width && j < layer.height)) return null;
  return { x: i, y: j };
}

/**
 * Where a box's label goes on the screen: above the box's top-left corner, or inside the
 * box when there is no room above; kept inside the viewport horizontally.
 */
export function labelPosition(rect: ScreenRect, labelHeight: number, viewport: Size, labelWidth = 0): Point {
  const y = rect.top - labelHeight >= 0 ? rect.top - labelHeight : rect.top;
  const x = clamp(rect.left, 0, Math.max(0, viewport.width - labelWidth));
  return { x, y };
}
