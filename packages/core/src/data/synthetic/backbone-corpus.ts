/**
 * A varied synthetic corpus for training a feature backbone for PatchCore: ten texture
 * families (brushed, machined, cast and perforated metal, paint, weave, wood, stone,
 * plastic, film grain) at random scale, under lighting gradients, specular bands and
 * vignetting, with noise from near none to heavy, in colour or gray; half of the samples
 * carry defects from the anomaly simulator (Perlin regions of foreign or displaced
 * texture, scratches, cracks, spots, holes, stains) with their exact masks.
 *
 * The proxy label is `<family>/<good|defect>`: to tell the family a network has to
 * describe texture; to tell a defect from the texture around it, it has to notice a local
 * departure from that texture, which is what PatchCore's nearest-neighbour search over
 * patch features relies on.
 *
 * Every sample is a pure function of `(seed, index, options)`, so a corpus of any size is
 * reproducible and can be generated in any order.
 */
import { XqcError } from '../../errors.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { convertChannels } from '../../image/image-channels.ts';
import { resizeBilinear } from '../../image/image-resize.ts';
import { simulateDefect } from '../../models/anomaly/simulated/simulate.ts';
import type { SimulationKind } from '../../models/anomaly/simulated/simulated.types.ts';
import { createRng, hashSeed } from '../../util/random.ts';
import type { Rng } from '../../util/random.ts';
import { fbmField } from './noise.ts';
import type { Canvas } from './raster.ts';
import { blurLayer, canvasToImage, createCanvas, fillEllipse } from './raster.ts';
import { brushedMetal, orangePeelPaint, wovenFabric } from './surface-textures.ts';

/**
 * The simulator kinds of the corpus: the seven the shipped backbone was trained on (the
 * simulator's later `edge-band` is left out so the corpus, and its recorded counts in
 * `models/backbones/backbone-128/corpus.json`, stay as they were).
 */
const CORPUS_SIMULATION_KINDS: readonly SimulationKind[] = Object.freeze(['perlin-foreign', 'perlin-self', 'scratch', 'crack', 'spot', 'hole', 'stain']);

/** The texture families of the corpus. */
export const BACKBONE_FAMILIES = Object.freeze([
  'brushed-metal',
  'machined-metal',
  'cast-metal',
  'perforated-metal',
  'painted',
  'woven',
  'wood',
  'stone',
  'plastic',
  'film-grain',
] as const);

/** One texture family of {@link BACKBONE_FAMILIES}. */
export type BackboneFamily = (typeof BACKBONE_FAMILIES)[number];

/** Options of {@link backboneSample}. */
export interface BackboneCorpusOptions {
  /** Square image side in pixels (default 128, at least 32). */
  size?: number;
  /** Probability that a sample carries simulated defects (default 0.5). */
  defectRate?: number;
  /** Families to draw from, uniformly (default all). */
  families?: readonly BackboneFamily[];
  /** Probability that a sample is made gray (default 0.35). */
  grayRate?: number;
  /**
   * Photometric variation (lighting gradient, specular band, vignette, contrast, noise);
   * default true. Off, a sample is its family's texture at its drawn scale only.
   */
  photometric?: boolean;
}

/** One corpus sample. */
export interface BackboneSample {
  /** RGB (gray samples have three equal channels), `size x size`. */
  readonly image: ImageU8;
  readonly family: BackboneFamily;
  /** True when at least one simulated defect changed the image visibly. */
  readonly defect: boolean;
  /** `size * size`, 1 where a defect changed the image, else 0. */
  readonly mask: Uint8Array;
  /** The simulator's kinds pasted in (empty when good). */
  readonly kinds: readonly SimulationKind[];
  /** The proxy label, {@link backboneLabel}. */
  readonly label: string;
  /** Texture scale drawn for the sample (feature sizes are multiplied by it). */
  readonly scale: number;
  readonly gray: boolean;
}

/** The proxy label of a sample: `<family>-good` or `<family>-defect` (usable as a folder name). */
export function backboneLabel(family: BackboneFamily, defect: boolean): string {
  return `${family}-${defect ? 'defect' : 'good'}`;
}

/** Every proxy label for `families`, in order (family-major, good before defect). */
export function backboneLabels(families: readonly BackboneFamily[] = BACKBONE_FAMILIES): string[] {
  return families.flatMap((f) => [backboneLabel(f, false), backboneLabel(f, true)]);
}

type Painter = (rng: Rng, width: number, height: number) => Canvas;

function fill(canvas: Canvas, f: (i: number, x: number, y: number) => readonly [number, number, number]): Canvas {
  const { width, height, data } = canvas;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const [r, g, b] = f(i, x, y);
      data[i * 3] = r;
      data[i * 3 + 1] = g;
      data[i * 3 + 2] = b;
    }
  }
  return canvas;
}

/**
 * Machined metal: turning or face-milling marks, periodic arcs (period 2-7 px) around a
 * centre far outside the image, with chatter (phase wander along the arc) and fine grit.
 */
function machinedMetal(rng: Rng, width: number, height: number): Canvas {
  const gray = rng.uniform(0.4, 0.72);
  const period = rng.uniform(2, 7);
  const depth = rng.uniform(0.05, 0.16);
  const far = rng.uniform(1.5, 12) * Math.max(width, height);
  const dir = rng.uniform(0, 2 * Math.PI);
  const cx = width / 2 + far * Math.cos(dir);
  const cy = height / 2 + far * Math.sin(dir);
  const chatter = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(10, 30), octaves: 2 });
  const grit = fbmField(width, height, { seed: rng.uint32(), scale: 1, octaves: 1 });
  const warm = rng.normal(0, 0.02);
  return fill(createCanvas(width, height, 3), (i, x, y) => {
    const r = Math.hypot(x - cx, y - cy);
    const v = gray * (1 + depth * Math.sin((2 * Math.PI * r) / period + 2.5 * chatter[i]) + 0.04 * grit[i]);
    return [v * (1 + warm), v, v * (1 - warm)];
  });
}

/** Cast metal: a dark mottled sand-cast skin with small pits and bright grains. */
function castMetal(rng: Rng, width: number, height: number): Canvas {
  const gray = rng.uniform(0.22, 0.5);
  const mottle = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(6, 16), octaves: 4, gain: 0.55 });
  const sand = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(1, 2), octaves: 2 });
  const pits = new Float32Array(width * height);
  const count = Math.round(width * height * rng.uniform(0.0015, 0.006));
  for (let k = 0; k < count; k++) {
    const r = rng.uniform(0.6, 2);
    fillEllipse(pits, width, height, rng.uniform(0, width), rng.uniform(0, height), r, r * rng.uniform(0.6, 1), rng.uniform(0, Math.PI), 1);
  }
  const tint = rng.uniform(-0.03, 0.05);
  return fill(createCanvas(width, height, 3), (i) => {
    const v = gray * (1 + 0.25 * mottle[i] + 0.18 * sand[i]) * (1 - 0.55 * pits[i]);
    return [v * (1 + tint), v, v * (1 - tint)];
  });
}

/** Perforated sheet metal: a square or staggered lattice of round holes (pitch 7-16 px). */
function perforatedMetal(rng: Rng, width: number, height: number): Canvas {
  const base = brushedMetal(rng, width, height);
  const pitch = rng.uniform(7, 16);
  const radius = pitch * rng.uniform(0.18, 0.36);
  const staggered = rng.chance(0.6);
  const angle = rng.chance(0.7) ? 0 : rng.uniform(0, Math.PI / 2);
  const holes = new Float32Array(width * height);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const reach = Math.ceil(Math.hypot(width, height) / pitch) + 2;
  const ox = rng.uniform(0, pitch);
  const oy = rng.uniform(0, pitch);
  for (let j = -reach; j <= reach; j++) {
    for (let i = -reach; i <= reach; i++) {
      const u = i * pitch + (staggered && j & 1 ? pitch / 2 : 0) + ox;
      const v = j * pitch * (staggered ? 0.866 : 1) + oy;
      const x = width / 2 + u * c - v * s;
      const y = height / 2 + u * s + v * c;
      if (x < -pitch || y < -pitch || x > width + pitch || y > height + pitch) continue;
      fillEllipse(holes, width, height, x, y, radius, radius, 0, 0.8);
    }
  }
  const dark = rng.uniform(0.05, 0.25);
  for (let i = 0; i < width * height; i++) {
    const a = holes[i];
    for (let k = 0; k < 3; k++) base.data[i * 3 + k] += (dark - base.data[i * 3 + k]) * a;
  }
  return base;
}

const WOOD_COLOURS: readonly (readonly number[])[] = [
  [0.62, 0.44, 0.26],
  [0.45, 0.29, 0.16],
  [0.78, 0.64, 0.45],
  [0.35, 0.22, 0.13],
  [0.7, 0.55, 0.38],
];

/** Wood: growth rings (period 4-14 px) warped by fBm, with fine fibre streaks along the grain. */
function wood(rng: Rng, width: number, height: number): Canvas {
  const colour = rng.pick(WOOD_COLOURS);
  const angle = rng.uniform(0, Math.PI);
  const period = rng.uniform(4, 14);
  const warp = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(20, 50), stretch: 3, angle, octaves: 3 });
  const fibre = fbmField(width, height, { seed: rng.uint32(), scale: 0.8, stretch: 30, angle, octaves: 2 });
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const warpAmp = rng.uniform(3, 12);
  const contrast = rng.uniform(0.15, 0.35);
  return fill(createCanvas(width, height, 3), (i, x, y) => {
    const across = -x * s + y * c + warpAmp * warp[i];
    const ring = Math.sin((2 * Math.PI * across) / period);
    const late = Math.pow(0.5 + 0.5 * ring, 3);
    const v = 1 - contrast * late + 0.06 * fibre[i];
    return [colour[0] * v, colour[1] * v, colour[2] * v];
  });
}

const STONE_MINERALS: readonly (readonly (readonly number[])[])[] = [
  [[0.78, 0.76, 0.74], [0.2, 0.2, 0.22], [0.62, 0.5, 0.46], [0.5, 0.5, 0.52]],
  [[0.6, 0.58, 0.55], [0.45, 0.43, 0.4], [0.72, 0.7, 0.66], [0.3, 0.29, 0.27]],
  [[0.55, 0.35, 0.3], [0.3, 0.22, 0.2], [0.75, 0.6, 0.55], [0.15, 0.12, 0.12]],
];

/** Stone: granite-like mineral grains (3-4 minerals, grain 1.5-5 px), sometimes with marble veins. */
function stone(rng: Rng, width: number, height: number): Canvas {
  const minerals = rng.pick(STONE_MINERALS);
  const grain = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(1.5, 5), octaves: 2, gain: 0.4 });
  const pick = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(1.5, 4), octaves: 1 });
  const veins = rng.chance(0.4);
  const turb = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(15, 40), octaves: 4, gain: 0.6 });
  const vAngle = rng.uniform(0, Math.PI);
  const vc = Math.cos(vAngle);
  const vs = Math.sin(vAngle);
  const vPeriod = rng.uniform(25, 60);
  return fill(createCanvas(width, height, 3), (i, x, y) => {
    const g = grain[i];
    const m = g < -0.25 ? minerals[1] : g > 0.3 ? minerals[2] : pick[i] > 0.2 ? minerals[3] : minerals[0];
    let v = 1 + 0.08 * pick[i];
    if (veins) {
      const t = Math.abs(Math.sin((2 * Math.PI * (x * vc + y * vs + 20 * turb[i])) / vPeriod));
      v *= 1 - 0.45 * Math.pow(1 - t, 8);
    }
    return [m[0] * v, m[1] * v, m[2] * v];
  });
}

const PLASTIC_COLOURS: readonly (readonly number[])[] = [
  [0.12, 0.12, 0.13],
  [0.85, 0.85, 0.82],
  [0.15, 0.3, 0.6],
  [0.75, 0.15, 0.1],
  [0.9, 0.75, 0.2],
  [0.35, 0.55, 0.35],
  [0.6, 0.6, 0.62],
];

/** Moulded plastic: a flat colour with faint flow lines and an optional fine spark-eroded (EDM) grain. */
function plastic(rng: Rng, width: number, height: number): Canvas {
  const colour = rng.pick(PLASTIC_COLOURS);
  const flow = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(15, 40), stretch: rng.uniform(2, 8), angle: rng.uniform(0, Math.PI), octaves: 3 });
  const edm = rng.chance(0.6) ? rng.uniform(0.03, 0.1) : 0.01;
  const fine = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(0.8, 2), octaves: 2 });
  const flowAmp = rng.uniform(0.01, 0.05);
  return fill(createCanvas(width, height, 3), (i) => {
    const v = 1 + flowAmp * flow[i] + edm * fine[i];
    return [colour[0] * v + 0.02, colour[1] * v + 0.02, colour[2] * v + 0.02];
  });
}

/** Film grain: a gray density field (radiograph- or photograph-like) with clumped silver grain. */
function filmGrain(rng: Rng, width: number, height: number): Canvas {
  const level = rng.uniform(0.25, 0.75);
  const density = fbmField(width, height, { seed: rng.uint32(), scale: rng.uniform(10, 60), octaves: 4 });
  const grain = new Float32Array(width * height);
  for (let i = 0; i < grain.length; i++) grain[i] = rng.normal(0, 1);
  const clump = rng.uniform(0, 1.5);
  if (clump >= 1) blurLayer(grain, width, height, Math.round(clump));
  const sd = rng.uniform(0.02, 0.09) * (clump >= 1 ? 2 : 1);
  const amp = rng.uniform(0.05, 0.2);
  return fill(createCanvas(width, height, 3), (i) => {
    const v = level * (1 + amp * density[i]) + sd * grain[i];
    return [v, v, v];
  });
}

const PAINTERS: Record<BackboneFamily, Painter> = {
  'brushed-metal': brushedMetal,
  'machined-metal': machinedMetal,
  'cast-metal': castMetal,
  'perforated-metal': perforatedMetal,
  painted: orangePeelPaint,
  woven: wovenFabric,
  wood,
  stone,
  plastic,
  'film-grain': filmGrain,
};

/** Paints `family` at `size` with texture features scaled by `scale` (rendered at size * scale, then resized). */
function paintFamily(family: BackboneFamily, rng: Rng, size: number, scale: number): ImageU8 {
  const side = Math.max(16, Math.round(size / scale));
  const img = canvasToImage(PAINTERS[family](rng, side, side));
  return side === size ? img : resizeBilinear(img, size, size);
}

/**
 * Lighting and sensor: a linear lighting gradient, an optional specular band (a Gaussian
 * ridge along a random line), optional vignetting, contrast and brightness jitter, then
 * Gaussian noise of a standard deviation log-uniform in [0.002, 0.06]; gray when asked.
 */
function photometric(image: ImageU8, rng: Rng, gray: boolean, enabled: boolean): ImageU8 {
  const { width, height } = image;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const clamped = new Uint8ClampedArray(out.buffer);
  const gAngle = rng.uniform(0, 2 * Math.PI);
  const gStrength = enabled ? rng.uniform(0, 0.5) : 0;
  const band = enabled && rng.chance(0.4);
  const bAngle = rng.uniform(0, Math.PI);
  const bOffset = rng.uniform(-0.5, 0.5) * width;
  const bWidth = rng.uniform(0.03, 0.25) * width;
  const bGain = rng.uniform(0.05, 0.35);
  const vignette = enabled && rng.chance(0.3) ? rng.uniform(0.1, 0.4) : 0;
  const contrast = enabled ? Math.exp(rng.normal(0, 0.2)) : 1;
  const bright = enabled ? rng.normal(0, 0.05) : 0;
  const noiseSd = enabled ? Math.exp(rng.uniform(Math.log(0.002), Math.log(0.06))) : 0;
  const gx = Math.cos(gAngle) / width;
  const gy = Math.sin(gAngle) / height;
  const bc = Math.cos(bAngle);
  const bs = Math.sin(bAngle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const dx = x - width / 2;
      const dy = y - height / 2;
      let light = 1 + gStrength * (dx * gx + dy * gy);
      if (vignette > 0) light *= 1 - vignette * ((dx * dx + dy * dy) / (0.5 * width * width));
      const spec = band ? bGain * Math.exp(-(((dx * bs - dy * bc - bOffset) / bWidth) ** 2) / 2) : 0;
      const px = image.data.subarray(i * 3, i * 3 + 3);
      const lum = (0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]) / 255;
      const noiseShared = noiseSd > 0 && gray ? rng.normal(0, noiseSd) : 0;
      for (let c = 0; c < 3; c++) {
        const base = gray ? lum : px[c] / 255;
        let v = (base - 0.5) * contrast + 0.5 + bright;
        v = v * light + spec;
        if (noiseSd > 0) v += gray ? noiseShared : rng.normal(0, noiseSd);
        clamped[i * 3 + c] = v * 255;
      }
    }
  }
  return { width, height, channels: 3, data: out };
}

/**
 * Sample `index` of the corpus seeded by `seed`: a family drawn uniformly, a texture
 * scale log-uniform in [0.6, 1.7], the photometric variation above, and with probability
 * `defectRate` one to three simulated defects (area 0.1-5 % of the image each) taking
 * foreign texture from a good image of another random family.
 * @throws XQC_INVALID_ARGUMENT for a size under 32, a rate outside [0, 1] or an empty or unknown family list
 */
export function backboneSample(seed: number, index: number, options: BackboneCorpusOptions = {}): BackboneSample {
  const size = options.size ?? 128;
  const defectRate = options.defectRate ?? 0.5;
  const grayRate = options.grayRate ?? 0.35;
  const families = options.families ?? BACKBONE_FAMILIES;
  if (!Number.isInteger(size) || size < 32) throw new XqcError('XQC_INVALID_ARGUMENT', `size must be an integer >= 32; got ${size}`);
  for (const [name, v] of [['defectRate', defectRate], ['grayRate', grayRate]] as const) {
    if (!(v >= 0 && v <= 1)) throw new XqcError('XQC_INVALID_ARGUMENT', `${name} must be in [0, 1]; got ${v}`);
  }
  if (!Array.isArray(families) || families.length === 0 || families.some((f) => !(f in PAINTERS))) {
    throw new XqcError('XQC_INVALID_ARGUMENT', `families must list at least one of ${BACKBONE_FAMILIES.join(', ')}; got ${JSON.stringify(families)}`);
  }
  const rng = createRng(hashSeed(seed, index, 'backbone-corpus'));
  const family = rng.pick(families);
  const scale = Math.exp(rng.uniform(Math.log(0.6), Math.log(1.7)));
  const gray = rng.chance(grayRate);
  const wantDefect = rng.chance(defectRate);
  const good = photometric(paintFamily(family, createRng(rng.uint32()), size, scale), createRng(rng.uint32()), gray, options.photometric ?? true);
  const empty = { image: good, family, defect: false, mask: new Uint8Array(size * size), kinds: [] as SimulationKind[], label: backboneLabel(family, false), scale, gray };
  if (!wantDefect) return empty;
  const poolRng = createRng(rng.uint32());
  const donor = photometric(paintFamily(poolRng.pick(BACKBONE_FAMILIES), poolRng, size, Math.exp(poolRng.uniform(Math.log(0.6), Math.log(1.7)))), poolRng, gray, options.photometric ?? true);
  // A gray sample goes through the simulator as one channel, so its stains and spots stay gray.
  const asSim = (img: ImageU8): ImageU8 => (gray ? convertChannels(img, 1) : img);
  const sim = simulateDefect(asSim(good), [asSim(donor)], createRng(rng.uint32()), { kinds: CORPUS_SIMULATION_KINDS, goodProbability: 0, areaShare: [0.001, 0.05] });
  if (sim.kinds.length === 0) return empty;
  return { image: convertChannels(sim.image, 3), family, defect: true, mask: sim.mask, kinds: sim.kinds, label: backboneLabel(family, true), scale, gray };
}
