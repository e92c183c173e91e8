/**
 * The contract between the defect simulator (`simulate.ts`) and the trainer of the
 * simulated-anomaly detector (`train-simulated.ts`): a good image goes in, the same image
 * with one or more simulated defects and their exact mask comes out.
 */
import type { ImageU8 } from '../../../image/image.types.ts';
import type { Rng } from '../../../util/random.ts';

/** How a simulated defect was made. */
export type SimulationKind =
  /** A Perlin-noise mask filled with texture from another good image (DRAEM). */
  | 'perlin-foreign'
  /** A Perlin-noise mask filled with a shifted, rotated or rescaled patch of the same image (NSA, CutPaste). */
  | 'perlin-self'
  /**
   * A band along a strong edge of the image (weld toes, fillets, part edges), darkened or
   * brightened in place or filled from the same or another image; on an image with no edge
   * it falls back to a Perlin kind and is reported as that kind.
   */
  | 'edge-band'
  /** The project's synthetic defect painters drawn onto the real image. */
  | 'scratch'
  | 'crack'
  | 'spot'
  | 'hole'
  | 'stain';

/** One simulated sample. */
export interface SimulatedSample {
  /** The image with the defect, same size and channels as the input. */
  readonly image: ImageU8;
  /** `width * height`, 1 where the defect changed the image visibly, else 0. All zero for a good sample. */
  readonly mask: Uint8Array;
  /** The kinds pasted in (empty for a good sample). */
  readonly kinds: readonly SimulationKind[];
}

/** Options of the simulator. */
export interface SimulationOptions {
  /** Kinds to draw from (default: all). */
  kinds?: readonly SimulationKind[];
  /** Probability that a sample is left good (default 0.5). */
  goodProbability?: number;
  /** Opacity of the blend, uniform in this range (default [0.15, 1]). */
  opacity?: readonly [number, number];
  /** Defect area as a share of the image, log-uniform in this range (default [0.0005, 0.1]). */
  areaShare?: readonly [number, number];
  /** Most defects pasted into one sample: the first always, each further one with probability 0.3 (default 3). */
  maxDefects?: number;
  /** Smallest change (0..255, largest over the colour channels) that counts as visible and enters the mask (default 8). */
  visibleDelta?: number;
}

/** A simulator: `image` is the good image, `pool` other good images to take texture from. */
export type DefectSimulator = (image: ImageU8, pool: readonly ImageU8[], rng: Rng, options?: SimulationOptions) => SimulatedSample;
