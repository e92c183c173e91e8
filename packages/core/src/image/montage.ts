/** Grids of images with captions: contact sheets, explanation panels, report figures. */
import sharp from 'sharp';
import { XqcError } from '../errors.ts';
import { convertChannels } from './image-channels.ts';
import type { ImageU8, Rgb } from './image.types.ts';

/** One cell of a montage. */
export interface MontageTile {
  image: ImageU8;
  caption?: string;
}

/** Layout of {@link montage}; sizes in pixels. */
export interface MontageOptions {
  /** Tiles per row; default `ceil(sqrt(n))`. */
  columns?: number;
  /** Space between and around cells; default 4. */
  gap?: number;
  background?: Rgb;
  textColor?: Rgb;
  /** Caption font size; default 12. Captions use the system's sans-serif font. */
  fontSize?: number;
  /** Optional title line across the top. */
  title?: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[ch] ?? ch);
}

function rgbCss(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * Lays `tiles` out row-major on a grid whose cells are as large as the largest tile
 * (smaller tiles are centred), writes each caption centred under its tile, and returns
 * the sheet as an RGB image. Captions are an SVG text layer composited by sharp, so they
 * need a font known to fontconfig.
 */
export async function montage(tiles: readonly MontageTile[], options: MontageOptions = {}): Promise<ImageU8> {
  if (tiles.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'montage needs at least one tile');
  const columns = options.columns ?? Math.ceil(Math.sqrt(tiles.length));
  if (!Number.isInteger(columns) || columns <= 0) throw new XqcError('XQC_INVALID_ARGUMENT', `columns must be a positive integer, got ${columns}`);
  const gap = options.gap ?? 4;
  const fontSize = options.fontSize ?? 12;
  const background = options.background ?? [255, 255, 255];
  const textColor = options.textColor ?? [20, 20, 20];
  const rows = Math.ceil(tiles.length / columns);
  const cellW = Math.max(...tiles.map((t) => t.image.width));
  const cellH = Math.max(...tiles.map((t) => t.image.height));
  const captionH = tiles.some((t) => t.caption) ? Math.ceil(fontSize * 1.5) : 0;
  const titleH = options.title ? Math.ceil(fontSize * 2) : 0;
  const width = gap + columns * (cellW + gap);
  const height = titleH + gap + rows * (cellH + captionH + gap);

  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(background, i * 3);
  const texts: string[] = [];
  if (options.title) {
    texts.push(`<text x="${gap}" y="${Math.round(titleH * 0.7)}" font-size="${Math.round(fontSize * 1.25)}" font-weight="bold">${escapeXml(options.title)}</text>`);
  }
  tiles.forEach((tile, index) => {
    const rgb = convertChannels(tile.image, 3);
    const cx = gap + (index % columns) * (cellW + gap);
    const cy = titleH + gap + Math.floor(index / columns) * (cellH + captionH + gap);
    const ox = cx + Math.floor((cellW - rgb.width) / 2);
    const oy = cy + Math.floor((cellH - rgb.height) / 2);
    for (let y = 0; y < rgb.height; y++) {
      data.set(rgb.data.subarray(y * rgb.width * 3, (y + 1) * rgb.width * 3), ((oy + y) * width + ox) * 3);
    }
    if (tile.caption) {
      texts.push(`<text x="${cx + cellW / 2}" y="${cy + cellH + Math.round(captionH * 0.75)}" text-anchor="middle">${escapeXml(tile.caption)}</text>`);
    }
  });
  if (texts.length === 0) return { width, height, channels: 3, data };

  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="DejaVu Sans, Arial, sans-serif" font-size="${fontSize}" fill="${rgbCss(textColor)}">${texts.join('')}</g></svg>`;
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = await sharp(raw, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { width, height, channels: 3, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
}
