/** Shapes shared by the synthetic generators. */
import type { ImageU8 } from '../../image/image.types.ts';

/** The three families of synthetic inspection images. */
export type SyntheticKind = 'surface' | 'radiograph' | 'cells';

/** One rendered defect or cell, with its own extent (before later shapes overwrite the mask). */
export interface SyntheticInstance {
  type: string;
  /** Mask class id of the instance. */
  classId: number;
  /** Pixels where the instance's coverage reaches 0.5. */
  area: number;
  /** Tight box around those pixels, `[x0, x1) x [y0, y1)`. */
  box: { x0: number; y0: number; x1: number; y1: number };
}

/** One generated image with its pixel-exact ground truth. */
export interface SyntheticSample {
  kind: SyntheticKind;
  image: ImageU8;
  /** 1-channel class-id mask of the image's size (ids index `maskClasses`). */
  mask: ImageU8;
  /** Image-level label: the good label or the dominant defect / the cell type. */
  label: string;
  instances: SyntheticInstance[];
  /** Rendering choices worth knowing (texture, lighting), for documentation and debugging. */
  meta: Record<string, string | number | boolean>;
}

/** Options of every generator. */
export interface SyntheticOptions {
  seed: number;
  /** Default 128. */
  width?: number;
  /** Default 128. */
  height?: number;
  /** Force the image label (one of the kind's labels); default: drawn from the seed. */
  label?: string;
}

/** What a kind produces: its image labels and its mask classes (index = class id). */
export interface SyntheticKindSpec {
  kind: SyntheticKind;
  channels: 1 | 3;
  /** Image-level labels, the good label first where there is one. */
  labels: readonly string[];
  /** Mask classes; index 0 is background. */
  maskClasses: readonly string[];
  /** Label of defect-free images, or null (cells have none). */
  goodLabel: string | null;
}
