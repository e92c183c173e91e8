/** Contact sheets of generated samples: the quickest way to see what a generator makes. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { XqcError } from '../../errors.ts';
import { convertChannels } from '../../image/image-channels.ts';
import { encodePng } from '../../image/image-encode.ts';
import type { ImageU8 } from '../../image/image.types.ts';
import { montage } from '../../image/montage.ts';
import { overlayMask } from '../../image/overlay.ts';
import { resizeNearest } from '../../image/image-resize.ts';
import { generateSample, sampleSeed, SYNTHETIC_SPECS } from './generate-sample.ts';
import type { SyntheticKind } from './synthetic.types.ts';

/** Options of {@link contactSheet}. */
export interface ContactSheetOptions {
  /** Samples on the sheet; labels are cycled so each appears. Default 24. */
  count?: number;
  /** Samples per row; default 6. */
  columns?: number;
  seed?: number;
  /** Integer magnification of each image; default 1. */
  zoom?: number;
  width?: number;
  height?: number;
}

function sideBySide(a: ImageU8, b: ImageU8, gap: number): ImageU8 {
  const width = a.width + gap + b.width;
  const data = new Uint8Array(width * a.height * 3).fill(255);
  for (let y = 0; y < a.height; y++) {
    data.set(a.data.subarray(y * a.width * 3, (y + 1) * a.width * 3), y * width * 3);
    data.set(b.data.subarray(y * b.width * 3, (y + 1) * b.width * 3), (y * width + a.width + gap) * 3);
  }
  return { width, height: a.height, channels: 3, data };
}

/**
 * A sheet of `count` samples of `kind`, each shown as the image beside a gray copy with
 * its mask in translucent red, captioned with index and label. Returns an RGB image.
 */
export async function contactSheet(kind: SyntheticKind, options: ContactSheetOptions = {}): Promise<ImageU8> {
  const spec = SYNTHETIC_SPECS[kind];
  const count = options.count ?? 24;
  const zoom = options.zoom ?? 1;
  const tiles = [];
  for (let i = 0; i < count; i++) {
    const s = generateSample(kind, { seed: sampleSeed(options.seed ?? 0, kind, i), width: options.width, height: options.height, label: spec.labels[i % spec.labels.length] });
    const w = s.image.width * zoom;
    const h = s.image.height * zoom;
    const image = convertChannels(resizeNearest(s.image, w, h), 3);
    // Red on a gray copy keeps the mask visible on red and pink surfaces too.
    const overlay = overlayMask(convertChannels(image, 1), resizeNearest(s.mask, w, h), { opacity: 0.6, palette: [[255, 0, 0]] });
    tiles.push({ image: sideBySide(image, overlay, 2), caption: `#${i} ${s.label}` });
  }
  return montage(tiles, { columns: options.columns ?? 6, gap: 6, fontSize: 13, title: `synthetic ${kind}: image | mask in red` });
}

/** Renders {@link contactSheet} and writes it as a PNG at `path` (parent folders created). */
export async function writeContactSheet(kind: SyntheticKind, path: string, options: ContactSheetOptions = {}): Promise<void> {
  const png = await encodePng(await contactSheet(kind, options));
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, png);
  } catch (cause) {
    throw new XqcError('XQC_IO', `cannot write ${path}`, { cause });
  }
}
