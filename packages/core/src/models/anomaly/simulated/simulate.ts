/**
 * The defect simulator of the simulated-anomaly detector: pastes defects with exact masks
 * into good images, for training a segmentation network from good images only.
 *
 * Kinds: a Perlin-noise region filled with another good image's texture (DRAEM, Zavrtanik
 * et al. ICCV 2021) or with the same image's texture taken elsewhere, rotated, rescaled and
 * shifted in brightness (NSA, Schlüter et al. ECCV 2022; CutPaste, Li et al. CVPR 2021); the
 * project's synthetic painters (scratch, crack, spot, hole) and a Beer-Lambert stain drawn
 * onto the real image; and a band along one of the image's strong edges (`edge-band.ts`),
 * for the defects that sit on edges of real parts.
 *
 * The mask is 1 exactly where the sample differs visibly from the input: the largest
 * change over the colour channels is at least `visibleDelta`. Every other pixel is put back
 * to the input's bytes, so pixels outside the mask are identical to the input and pixels
 * inside differ by at least `visibleDelta`. A defect whose visible part is under 30 % of its
 * nominal region (or under 2 pixels), or a Perlin region that does not stand out as a
 * region (see `standsOut`), is drawn again, up to 4 times, and then left out; a sample
 * whose defects were all left out is returned good.
 */
import { XqcError } from '../../../errors.ts';
import type { ImageU8 } from '../../../image/image.types.ts';
import { assertImage } from '../../../image/image.types.ts';
import { convertChannels } from '../../../image/image-channels.ts';
import { fbmField } from '../../../data/synthetic/noise.ts';
import type { Canvas } from '../../../data/synthetic/raster.ts';
import { fillRadial, wobblyRadius } from '../../../data/synthetic/raster.ts';
import { addDensity, createDensity, transmit } from '../../../data/synthetic/stain.ts';
import type { DefectContext } from '../../../data/synthetic/surface-defects.ts';
import { paintCrack, paintHole, paintScratch, paintSpot } from '../../../data/synthetic/surface-defects.ts';
import type { Rng } from '../../../util/random.ts';
import { edgeBandMask, edgeField, hasEdge } from './edge-band.ts';
import type { EdgeField } from './edge-band.ts';
import { perlinMask } from './perlin-mask.ts';
import type { PerlinRegion } from './perlin-mask.ts';
import type { DefectSimulator, SimulatedSample, SimulationKind, SimulationOptions } from './simulated.types.ts';

/** Every kind the simulator can paste, the default of `options.kinds`. */
export const SIMULATION_KINDS: readonly SimulationKind[] = Object.freeze(['perlin-foreign', 'perlin-self', 'edge-band', 'scratch', 'crack', 'spot', 'hole', 'stain']);

/** Defaults of {@link SimulationOptions}. */
export const SIMULATION_DEFAULTS = Object.freeze({
  goodProbability: 0.5,
  opacity: Object.freeze([0.15, 1]) as readonly [number, number],
  areaShare: Object.freeze([0.0005, 0.1]) as readonly [number, number],
  maxDefects: 3,
  visibleDelta: 8,
});

/** Smallest image side the simulator accepts. */
export const MIN_SIMULATION_SIDE = 8;

const ATTEMPTS = 4;
const MIN_VISIBLE_SHARE = 0.3;
const MIN_DEFECT_PIXELS = 2;
/** Probability of each further defect after the first (up to `maxDefects`). */
const MORE_DEFECTS = 0.3;

/** Options with every default filled in and checked. */
export interface ResolvedSimulationOptions {
  readonly kinds: readonly SimulationKind[];
  readonly goodProbability: number;
  readonly opacity: readonly [number, number];
  readonly areaShare: readonly [number, number];
  readonly maxDefects: number;
  readonly visibleDelta: number;
}

function checkRange(name: string, range: readonly [number, number] | undefined, lo: number, hi: number, loOpen: boolean): void {
  if (range === undefined) return;
  const ok = Array.isArray(range) && range.length === 2 && range.every((v) => Number.isFinite(v)) && (loOpen ? range[0] > lo : range[0] >= lo) && range[0] <= range[1] && range[1] <= hi;
  if (!ok) throw new XqcError('XQC_INVALID_ARGUMENT', `${name} must be [a, b] with ${lo} ${loOpen ? '<' : '<='} a <= b <= ${hi}; got ${JSON.stringify(range)}`);
}

/**
 * Fills in the defaults of `options` and checks them.
 * @throws XQC_INVALID_ARGUMENT for an empty or unknown kind list, a probability outside
 *   [0, 1], an opacity range outside (0, 1], an area range outside (0, 1], a `maxDefects`
 *   that is not an integer >= 1 or a `visibleDelta` outside [1, 255]
 */
export function resolveSimulationOptions(options: SimulationOptions = {}): ResolvedSimulationOptions {
  const kinds = options.kinds ?? SIMULATION_KINDS;
  if (!Array.isArray(kinds) || kinds.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'kinds must list at least one simulation kind');
  for (const kind of kinds) {
    if (!SIMULATION_KINDS.includes(kind)) throw new XqcError('XQC_INVALID_ARGUMENT', `unknown simulation kind ${JSON.stringify(kind)}; expected one of ${SIMULATION_KINDS.join(', ')}`);
  }
  const goodProbability = options.goodProbability ?? SIMULATION_DEFAULTS.goodProbability;
  if (!(goodProbability >= 0 && goodProbability <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `goodProbability must be in [0, 1]; got ${goodProbability}`);
  checkRange('opacity', options.opacity, 0, 1, true);
  checkRange('areaShare', options.areaShare, 0, 1, true);
  const maxDefects = options.maxDefects ?? SIMULATION_DEFAULTS.maxDefects;
  if (!Number.isInteger(maxDefects) || maxDefects < 1) throw new XqcError('XQC_INVALID_ARGUMENT', `maxDefects must be an integer >= 1; got ${maxDefects}`);
  const visibleDelta = options.visibleDelta ?? SIMULATION_DEFAULTS.visibleDelta;
  if (!(visibleDelta >= 1 && visibleDelta <= 255)) throw new XqcError('XQC_INVALID_ARGUMENT', `visibleDelta must be in [1, 255]; got ${visibleDelta}`);
  return {
    kinds: [...kinds],
    goodProbability,
    opacity: options.opacity ?? SIMULATION_DEFAULTS.opacity,
    areaShare: options.areaShare ?? SIMULATION_DEFAULTS.areaShare,
    maxDefects,
    visibleDelta,
  };
}

/** The image being worked on: `data` is a copy of the input that defects are pasted into. */
interface Work {
  readonly width: number;
  readonly height: number;
  /** Channels per pixel of `data` (1, 3 or 4). */
  readonly channels: number;
  /** Colour channels: 1 for gray, 3 for RGB and RGBA (alpha is never changed). */
  readonly colour: 1 | 3;
  readonly data: Uint8Array;
  readonly delta: number;
  /** The luma gradient of `data`, computed when a kind first needs it. */
  edges?: EdgeField;
}

/** The edge field of the working image, computed once per sample (before or between its defects). */
function edgesOf(work: Work): EdgeField {
  work.edges ??= edgeField(work.data, work.width, work.height, work.channels);
  return work.edges;
}

/** Pastes one defect of about `area` pixels into `work.data`; false when it came out invisible (nothing changed). */
type Paster = (work: Work, pool: readonly ImageU8[], rng: Rng, options: ResolvedSimulationOptions, area: number) => boolean;

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** True when enough of a defect's nominal region changed visibly to count as a defect. */
function visibleEnough(visible: number, nominal: number): boolean {
  return visible >= MIN_DEFECT_PIXELS && visible >= MIN_VISIBLE_SHARE * nominal;
}

/**
 * True when a pasted region stands out as a region, not only pixel by pixel: its mean
 * (over the visible pixels, largest over the colour channels) moved by at least `delta`, or
 * its contrast (standard deviation of the channel mean, plus 2 levels) changed by a factor
 * of at least 1.35. A patch of a stationary texture pasted elsewhere in the same texture
 * changes many pixels but neither statistic, and a network cannot learn to find it.
 */
function standsOut(stats: Float64Array, colour: number, visible: number, delta: number): boolean {
  let shift = 0;
  for (let c = 0; c < colour; c++) shift = Math.max(shift, Math.abs(stats[4 + c]) / visible);
  if (shift >= delta) return true;
  const mi = stats[0] / visible;
  const mo = stats[2] / visible;
  const si = Math.sqrt(Math.max(0, stats[1] / visible - mi * mi)) + 2;
  const so = Math.sqrt(Math.max(0, stats[3] / visible - mo * mo)) + 2;
  return Math.abs(Math.log(so / si)) >= Math.log(1.35);
}

/**
 * Blends `fill` into the window of `region` with weight `beta * alpha`, and commits it to
 * `work.data` when enough of it changed visibly and the region {@link standsOut}.
 * @param fill writes the `colour` channel values of the source for window pixel (x, y) into `out` at `o`
 */
function blendRegion(work: Work, region: PerlinRegion, beta: number, fill: (x: number, y: number, out: Float32Array, o: number) => void, minShift = work.delta): boolean {
  const { channels, colour, data, delta } = work;
  const next = new Uint8Array(region.width * region.height * colour);
  const src = new Float32Array(colour);
  // Over the visible pixels: sum and sum of squares of the channel mean before and after, then the signed change per channel.
  const stats = new Float64Array(7);
  let visible = 0;
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const i = y * region.width + x;
      const a = region.alpha[i] * beta;
      if (a <= 0) continue;
      fill(x, y, src, 0);
      const p = ((region.y0 + y) * work.width + region.x0 + x) * channels;
      let d = 0;
      for (let c = 0; c < colour; c++) {
        const v = clampByte(data[p + c] + (src[c] - data[p + c]) * a);
        next[i * colour + c] = v;
        d = Math.max(d, Math.abs(v - data[p + c]));
      }
      if (d < delta) continue;
      visible++;
      let before = 0;
      let after = 0;
      for (let c = 0; c < colour; c++) {
        before += data[p + c];
        after += next[i * colour + c];
        stats[4 + c] += next[i * colour + c] - data[p + c];
      }
      before /= colour;
      after /= colour;
      stats[0] += before;
      stats[1] += before * before;
      stats[2] += after;
      stats[3] += after * after;
    }
  }
  if (!visibleEnough(visible, region.area) || !standsOut(stats, colour, visible, minShift)) return false;
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const i = y * region.width + x;
      if (region.alpha[i] <= 0) continue;
      const p = ((region.y0 + y) * work.width + region.x0 + x) * channels;
      for (let c = 0; c < colour; c++) data[p + c] = next[i * colour + c];
    }
  }
  return true;
}

/** Brightness and contrast jitter around mid-gray: `(v - 128) * contrast + 128 + brightness`. */
interface Jitter {
  contrast: number;
  brightness: number;
  /** Per-channel gain (a tint), 1 for gray. */
  gain: readonly [number, number, number];
}

function drawJitter(rng: Rng, probability: number, brightness: number): Jitter {
  if (!rng.chance(probability)) return { contrast: 1, brightness: 0, gain: [1, 1, 1] };
  const tint = rng.chance(0.3);
  return {
    contrast: Math.exp(rng.uniform(Math.log(0.5), Math.log(1.8))),
    brightness: rng.uniform(-brightness, brightness),
    gain: tint ? [rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)] : [1, 1, 1],
  };
}

/** Makes the region a defect fills, of about `area` pixels. */
type RegionMaker = (work: Work, rng: Rng, area: number) => PerlinRegion;

const perlinRegion: RegionMaker = (work, rng, area) => perlinMask(rng, work.width, work.height, area);

/** DRAEM: a region (by default a Perlin region) filled with the texture of a random pool image at a random offset and orientation. */
function fillForeign(work: Work, pool: readonly ImageU8[], rng: Rng, options: ResolvedSimulationOptions, area: number, makeRegion: RegionMaker): boolean {
  const picked = pool[rng.int(0, pool.length)];
  assertImage(picked, 'pool image');
  const source = convertChannels(picked, work.colour === 1 ? 1 : picked.channels === 4 ? 4 : 3);
  const sc = source.channels;
  const region = makeRegion(work, rng, area);
  const beta = rng.uniform(options.opacity[0], options.opacity[1]);
  const ox = rng.int(0, source.width);
  const oy = rng.int(0, source.height);
  const transpose = rng.chance(0.5);
  const flipX = rng.chance(0.5) ? -1 : 1;
  const flipY = rng.chance(0.5) ? -1 : 1;
  const jitter = drawJitter(rng, 0.9, 60);
  const sw = source.width;
  const sh = source.height;
  return blendRegion(work, region, beta, (x, y, out, o) => {
    const u = (transpose ? y : x) * flipX + ox;
    const v = (transpose ? x : y) * flipY + oy;
    const p = ((((v % sh) + sh) % sh) * sw + (((u % sw) + sw) % sw)) * sc;
    for (let c = 0; c < work.colour; c++) out[o + c] = (source.data[p + c] * jitter.gain[c] - 128) * jitter.contrast + 128 + jitter.brightness;
  });
}

const pasteForeign: Paster = (work, pool, rng, options, area) => fillForeign(work, pool, rng, options, area, perlinRegion);

/**
 * NSA / CutPaste: a region (by default a Perlin region) filled from the same image
 * elsewhere, rotated, rescaled and shifted in brightness; `inPlace` keeps the source where
 * the region is (no move, turn or scale) and only shifts its brightness, clearly (see
 * `pasteEdgeBand`).
 */
function fillSelf(work: Work, rng: Rng, options: ResolvedSimulationOptions, area: number, makeRegion: RegionMaker, inPlace: boolean): boolean {
  const { width, height, channels, colour, data } = work;
  const region = makeRegion(work, rng, area);
  // In place, at least half opacity where the `opacity` range allows it (never above its top).
  const [lo, hi] = options.opacity;
  const beta = rng.uniform(inPlace ? Math.min(hi, Math.max(0.5, lo)) : lo, hi);
  const cx = region.x0 + region.width / 2;
  const cy = region.y0 + region.height / 2;
  let sx = cx;
  let sy = cy;
  let angle = 0;
  let scale = 1;
  if (!inPlace) {
    const reach = Math.max(region.width, region.height) / 2;
    sx = rng.uniform(0, width);
    sy = rng.uniform(0, height);
    for (let t = 0; t < 4 && Math.hypot(sx - cx, sy - cy) < reach; t++) {
      sx = rng.uniform(0, width);
      sy = rng.uniform(0, height);
    }
    angle = rng.chance(0.5) ? rng.uniform(0, 2 * Math.PI) : 0;
    scale = rng.chance(0.5) ? Math.exp(rng.uniform(Math.log(0.5), Math.log(2))) : 1;
  }
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  // A brightness shift, a contrast change or both, so that the patch stands out from the texture it copies.
  // In place, only a clear brightness shift: a band along an edge whose contrast changed, or
  // which moved by a few levels, looks like the natural variation of edges in photographs.
  const mode = inPlace ? 0 : rng.int(0, 3);
  const shift = mode !== 1 ? (rng.chance(0.5) ? 1 : -1) * rng.uniform(inPlace ? 20 : 12, 60) : 0;
  const contrast = mode !== 0 ? (rng.chance(0.5) ? rng.uniform(0.3, 0.7) : rng.uniform(1.5, 2.2)) : 1;
  // The source is read from a snapshot, so a region overlapping its own source sees the image before the paste.
  const snapshot = data.slice();
  return blendRegion(work, region, beta, (x, y, out, o) => {
    const rx = region.x0 + x + 0.5 - cx;
    const ry = region.y0 + y + 0.5 - cy;
    const u = Math.min(width - 1, Math.max(0, sx + cos * rx - sin * ry - 0.5));
    const v = Math.min(height - 1, Math.max(0, sy + sin * rx + cos * ry - 0.5));
    const u0 = Math.floor(u);
    const v0 = Math.floor(v);
    const u1 = Math.min(width - 1, u0 + 1);
    const v1 = Math.min(height - 1, v0 + 1);
    const fu = u - u0;
    const fv = v - v0;
    for (let c = 0; c < colour; c++) {
      const a = snapshot[(v0 * width + u0) * channels + c];
      const b = snapshot[(v0 * width + u1) * channels + c];
      const d = snapshot[(v1 * width + u0) * channels + c];
      const e = snapshot[(v1 * width + u1) * channels + c];
      const top = a + (b - a) * fu;
      const value = top + (d + (e - d) * fu - top) * fv;
      out[o + c] = (value - 128) * contrast + 128 + shift;
    }
  }, inPlace ? 2 * work.delta : work.delta);
}

const pasteSelf: Paster = (work, _pool, rng, options, area) => fillSelf(work, rng, options, area, perlinRegion, false);

/**
 * A band along a strong edge of the image (`edge-band.ts`), filled half the time in place
 * (the band darkened or brightened by 20-60 levels at an opacity of at least 0.5, its mean
 * moved by at least twice `visibleDelta`), else from the same image
 * elsewhere or, when there is a pool, from another image. The caller draws this kind only
 * on images with an edge (`hasEdge`).
 */
const pasteEdgeBand: Paster = (work, pool, rng, options, area) => {
  const edges = edgesOf(work);
  const band: RegionMaker = (w, r, a) => edgeBandMask(r, edges, a) ?? perlinMask(r, w.width, w.height, a);
  const fill = rng.next();
  if (fill < 0.5) return fillSelf(work, rng, options, area, band, true);
  if (fill < 0.75 || pool.length === 0) return fillSelf(work, rng, options, area, band, false);
  return fillForeign(work, pool, rng, options, area, band);
};

/** A window of the image, in pixels. */
interface Window {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
}

/** `v / 255` for every byte, the canvas value of a byte. */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** An RGB float canvas (0..1) of `window` of the working image (gray replicated). */
function toCanvas(work: Work, window: Window): Canvas {
  const { data, channels, colour } = work;
  const out = new Float32Array(window.width * window.height * 3);
  let o = 0;
  for (let y = 0; y < window.height; y++) {
    let p = ((window.y0 + y) * work.width + window.x0) * channels;
    for (let x = 0; x < window.width; x++, p += channels, o += 3) {
      if (colour === 1) {
        const v = UNIT[data[p]];
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      } else {
        out[o] = UNIT[data[p]];
        out[o + 1] = UNIT[data[p + 1]];
        out[o + 2] = UNIT[data[p + 2]];
      }
    }
  }
  return { width: window.width, height: window.height, channels: 3, data: out };
}

/**
 * Commits a canvas painted over `window` to `work.data` when enough of the nominal region
 * (`layer >= 0.5`) changed visibly. Only pixels under the layer (`layer > 0`) are read
 * back: the painters change nothing else. Gray images take the canvas' BT.601 luma.
 */
function commitCanvas(work: Work, window: Window, canvas: Canvas, layer: Float32Array): boolean {
  const { data, channels, colour, delta } = work;
  const w = window.width;
  const next = new Uint8Array(w * window.height * colour);
  const cd = canvas.data;
  let visible = 0;
  let nominal = 0;
  for (let y = 0; y < window.height; y++) {
    const row = ((window.y0 + y) * work.width + window.x0) * channels;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const cov = layer[i];
      if (cov <= 0) continue;
      if (cov >= 0.5) nominal++;
      const p = row + x * channels;
      let d: number;
      if (colour === 1) {
        const v = clampByte((0.299 * cd[i * 3] + 0.587 * cd[i * 3 + 1] + 0.114 * cd[i * 3 + 2]) * 255);
        next[i] = v;
        d = Math.abs(v - data[p]);
      } else {
        const r = clampByte(cd[i * 3] * 255);
        const g = clampByte(cd[i * 3 + 1] * 255);
        const b = clampByte(cd[i * 3 + 2] * 255);
        next[i * 3] = r;
        next[i * 3 + 1] = g;
        next[i * 3 + 2] = b;
        d = Math.max(Math.abs(r - data[p]), Math.abs(g - data[p + 1]), Math.abs(b - data[p + 2]));
      }
      if (d >= delta) visible++;
    }
  }
  if (!visibleEnough(visible, nominal)) return false;
  for (let y = 0; y < window.height; y++) {
    const row = ((window.y0 + y) * work.width + window.x0) * channels;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (layer[i] <= 0) continue;
      const p = row + x * channels;
      for (let c = 0; c < colour; c++) data[p + c] = next[i * colour + c];
    }
  }
  return true;
}

/**
 * A painter from `surface-defects.ts` scaled to about `area` pixels: blobs grow with the
 * square of `size`, lines (scratch, crack) linearly, since their width does not scale.
 * `unitArea` is the mean mask area at size 1 (per pixel of the shorter side for lines),
 * `maxSize` keeps the shape inside the image.
 */
function painterPaster(paint: (ctx: DefectContext, size: number) => Float32Array, shape: 'blob' | 'line', unitArea: number, maxSize: (side: number) => number): Paster {
  return (work, _pool, rng, _options, area) => {
    const side = Math.min(work.width, work.height);
    const raw = shape === 'blob' ? Math.sqrt(area / unitArea) : area / (unitArea * side);
    const size = Math.min(maxSize(side), Math.max(0.1, raw));
    const whole: Window = { x0: 0, y0: 0, width: work.width, height: work.height };
    const canvas = toCanvas(work, whole);
    const ctx: DefectContext = { canvas, rng, texture: 'metal', lightAngle: rng.uniform(0, 2 * Math.PI) };
    const layer = paint(ctx, size);
    return commitCanvas(work, whole, canvas, layer);
  };
}

/**
 * Optical densities per unit thickness (R, G, B) of the stains: rust (absorbs blue most,
 * orange-brown), oil or dirt (neutral gray), tarnish (brown) and heat tint (absorbs red, blue).
 */
const STAIN_ABSORB: readonly (readonly number[])[] = [
  [0.15, 0.45, 0.9],
  [0.6, 0.6, 0.55],
  [0.35, 0.45, 0.6],
  [0.6, 0.35, 0.12],
];
const STAIN_WEIGHTS = [0.35, 0.35, 0.2, 0.1];

/** An index drawn with probability proportional to `weights`. */
function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length - 1; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/**
 * A stain: a soft, wobbly blob of optical density rendered by Beer-Lambert transmission
 * (`stain.ts`), rust, oil or dirt, tarnish or heat tint (see {@link STAIN_ABSORB}),
 * uneven inside (fBm) and sometimes darker at the rim where a drying drop leaves its ring.
 */
const pasteStain: Paster = (work, _pool, rng, _options, area) => {
  // The feathered edge shows about a quarter more than the disc of radius r0.
  const r0 = Math.max(1, Math.sqrt(area / (1.25 * Math.PI)));
  const harmonics = [0, 1, 2].map((k) => rng.uniform(0, 0.25) / (k + 1));
  const phases = [0, 1, 2].map(() => rng.uniform(0, 2 * Math.PI));
  const cx = rng.uniform(0.1, 0.9) * work.width;
  const cy = rng.uniform(0.1, 0.9) * work.height;
  const feather = Math.max(1, r0 * rng.uniform(0.2, 0.6));
  // The outline reaches at most 1.46 r0 (harmonic amplitudes sum to under 0.46) plus half the feather.
  const reach = r0 * 1.5 + feather;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const window: Window = { x0, y0, width: Math.min(work.width, Math.ceil(cx + reach) + 1) - x0, height: Math.min(work.height, Math.ceil(cy + reach) + 1) - y0 };
  const { width, height } = window;
  const layer = new Float32Array(width * height);
  fillRadial(layer, width, height, cx - x0, cy - y0, reach, wobblyRadius(r0, harmonics, phases), feather);
  const strength = rng.uniform(0.25, 1.2);
  const absorb = STAIN_ABSORB[pickWeighted(rng, STAIN_WEIGHTS)].map((a) => a * strength);
  const mottle = fbmField(width, height, { seed: rng.uint32() | 0, scale: Math.max(2, r0 / 2), octaves: 2 });
  const ring = rng.chance(0.35);
  const weight = new Float32Array(layer.length);
  for (let i = 0; i < layer.length; i++) {
    const c = layer[i];
    if (c <= 0) continue;
    weight[i] = Math.max(0, 0.8 + 0.4 * mottle[i] + (ring ? 2.5 * (1 - c) : 0));
  }
  const canvas = toCanvas(work, window);
  const density = createDensity(width, height);
  addDensity(density, layer, absorb, weight);
  transmit(canvas, density);
  return commitCanvas(work, window, canvas, layer);
};

// Unit areas: the mean visible mask area at size 1 (per pixel of the shorter side for lines),
// fitted on 128 px crops of photographs of metal parts at fixed requested areas, 300 samples each.
const PASTERS: Record<SimulationKind, Paster> = {
  'perlin-foreign': pasteForeign,
  'perlin-self': pasteSelf,
  'edge-band': pasteEdgeBand,
  scratch: painterPaster(paintScratch, 'line', 1.15, () => 1.6),
  crack: painterPaster(paintCrack, 'line', 1.15, () => 1.6),
  spot: painterPaster(paintSpot, 'blob', 420, (side) => side / 48),
  hole: painterPaster(paintHole, 'blob', 125, (side) => side / 30),
  stain: pasteStain,
};

/**
 * Pastes 1 to `maxDefects` simulated defects into `image` (or none, with probability
 * `goodProbability`) and returns the result with its exact mask; see the module comment
 * for the mask's meaning. Each defect's kind is drawn uniformly from `options.kinds`; its
 * nominal area is `share * width * height` pixels with `share` log-uniform in
 * `options.areaShare` (at least 2 pixels; scratches and cracks are capped in length, so the
 * largest of them stay under the range's top). `perlin-foreign` with an empty `pool` falls
 * back to `perlin-self` (and is reported as such in `kinds`). Deterministic in `rng`'s
 * state; the input is never modified. The alpha channel of an RGBA image is kept as is.
 * @throws XQC_IMAGE_INVALID for a malformed image or pool image; XQC_INVALID_ARGUMENT for
 *   invalid options or an image under 8 pixels on a side
 */
export const simulateDefect: DefectSimulator = (image, pool, rng, options) => {
  assertImage(image);
  const resolved = resolveSimulationOptions(options);
  if (image.width < MIN_SIMULATION_SIDE || image.height < MIN_SIMULATION_SIDE) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `the defect simulator needs images of at least ${MIN_SIMULATION_SIDE}x${MIN_SIMULATION_SIDE}; got ${image.width}x${image.height}`);
  }
  const { width, height, channels } = image;
  const data = image.data.slice();
  const mask = new Uint8Array(width * height);
  if (rng.chance(resolved.goodProbability)) return { image: { width, height, channels, data }, mask, kinds: [] };

  const work: Work = { width, height, channels, colour: channels === 1 ? 1 : 3, data, delta: resolved.visibleDelta };
  let count = 1;
  while (count < resolved.maxDefects && rng.chance(MORE_DEFECTS)) count++;
  const kinds: SimulationKind[] = [];
  const [lo, hi] = resolved.areaShare;
  for (let k = 0; k < count; k++) {
    let kind = rng.pick(resolved.kinds);
    if (kind === 'perlin-foreign' && pool.length === 0) kind = 'perlin-self';
    if (kind === 'edge-band' && !hasEdge(edgesOf(work))) kind = pool.length > 0 && rng.chance(0.5) ? 'perlin-foreign' : 'perlin-self';
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const share = Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
      const area = Math.max(MIN_DEFECT_PIXELS, share * width * height);
      if (PASTERS[kind](work, pool, rng, resolved, area)) {
        if (!kinds.includes(kind)) kinds.push(kind);
        break;
      }
    }
  }
  return finish(image, data, mask, kinds, resolved.visibleDelta);
};

/** Sets the mask where `data` differs visibly from the input, puts every other pixel back, and returns the sample. */
function finish(image: ImageU8, data: Uint8Array, mask: Uint8Array, kinds: SimulationKind[], delta: number): SimulatedSample {
  const { width, height, channels } = image;
  const input = image.data;
  let area = 0;
  const colour = channels === 1 ? 1 : 3;
  for (let i = 0, p = 0; i < width * height; i++, p += channels) {
    let d = 0;
    for (let c = 0; c < colour; c++) {
      const e = data[p + c] - input[p + c];
      if (e > d) d = e;
      else if (-e > d) d = -e;
    }
    if (d === 0) continue;
    if (d >= delta) {
      mask[i] = 1;
      area++;
    } else {
      for (let c = 0; c < channels; c++) data[p + c] = input[p + c];
    }
  }
  return { image: { width, height, channels, data }, mask, kinds: area === 0 ? [] : kinds };
}
