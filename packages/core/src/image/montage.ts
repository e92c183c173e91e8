/** Grids of images with captions: contact sheets, explanation panels, report figures. */
import sharp from 'sharp';
import { XqcError } from '../errors.ts';
import { convertChannels } from './image-channels.ts';
import type { ImageU8, Rgb } from './image.types.ts';

/** One cell of a montage. */
export interface MontageTile {
  image: ImageU8;
  caption?: string;
  /** A warning drawn across the middle of the tile (light text on a dark band), wrapped to its width. */
  notice?: string;
}

/** A strip under the grid, such as a colour scale, with labels at both ends and a caption. */
export interface MontageFooter {
  image: ImageU8;
  leftLabel?: string;
  rightLabel?: string;
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
  /** Title lines across the top: the first in bold, the others in the caption font. */
  title?: string | readonly string[];
  footer?: MontageFooter;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[ch] ?? ch);
}

function rgbCss(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Approximate width of `text` in DejaVu Sans at `size` (0.62 em per character; bold 0.68). */
function textWidth(text: string, size: number, bold = false): number {
  return Math.ceil(text.length * size * (bold ? 0.68 : 0.62));
}

/** Splits `text` into lines of at most `width` pixels at `size`, breaking at spaces. */
function wrap(text: string, width: number, size: number): string[] {
  const perLine = Math.max(4, Math.floor(width / (size * 0.62)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function paste(data: Uint8Array, width: number, image: ImageU8, ox: number, oy: number): void {
  const rgb = convertChannels(image, 3);
  for (let y = 0; y < rgb.height; y++) data.set(rgb.data.subarray(y * rgb.width * 3, (y + 1) * rgb.width * 3), ((oy + y) * width + ox) * 3);
}

/**
 * Lays `tiles` out row-major on a grid whose cells are as large as the largest tile
 * (smaller tiles are centred), writes each caption centred under its tile and each notice
 * across its tile, the title lines above and the footer strip below, and returns the sheet
 * as an RGB image. The sheet is widened to fit the longest title line; a caption wider than
 * its cell is set in a smaller font that fits. Text is an SVG
 * layer composited by sharp, so it needs a font known to fontconfig.
 */
export async function montage(tiles: readonly MontageTile[], options: MontageOptions = {}): Promise<ImageU8> {
  if (tiles.length === 0) throw new XqcError('XQC_INVALID_ARGUMENT', 'montage needs at least one tile');
  const columns = options.columns ?? Math.ceil(Math.sqrt(tiles.length));
  if (!Number.isInteger(columns) || columns <= 0) throw new XqcError('XQC_INVALID_ARGUMENT', `columns must be a positive integer, got ${columns}`);
  const gap = options.gap ?? 4;
  const fontSize = options.fontSize ?? 12;
  const background = options.background ?? [255, 255, 255];
  const textColor = options.textColor ?? [20, 20, 20];
  const titleLines = options.title === undefined ? [] : typeof options.title === 'string' ? [options.title] : [...options.title];
  const footer = options.footer;
  const rows = Math.ceil(tiles.length / columns);
  const cellW = Math.max(...tiles.map((t) => t.image.width));
  const cellH = Math.max(...tiles.map((t) => t.image.height));
  const captionH = tiles.some((t) => t.caption) ? Math.ceil(fontSize * 1.5) : 0;
  const lineH = Math.ceil(fontSize * 1.6);
  const titleH = titleLines.length ? lineH * titleLines.length + Math.ceil(fontSize * 0.6) : 0;
  const gridW = gap + columns * (cellW + gap);
  const labelW = footer ? Math.max(textWidth(footer.leftLabel ?? '', fontSize), textWidth(footer.rightLabel ?? '', fontSize)) + 8 : 0;
  const footerH = footer ? footer.image.height + (footer.caption ? captionH || Math.ceil(fontSize * 1.5) : 0) + gap : 0;
  const width = Math.max(
    gridW,
    ...titleLines.map((t, i) => 2 * gap + textWidth(t, i === 0 ? Math.round(fontSize * 1.25) : fontSize, i === 0)),
    footer ? 2 * gap + footer.image.width + 2 * labelW : 0,
    footer?.caption ? 2 * gap + textWidth(footer.caption, fontSize) : 0,
  );
  const gridX = Math.floor((width - gridW) / 2);
  const gridBottom = titleH + gap + rows * (cellH + captionH + gap);
  const height = gridBottom + footerH;

  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(background, i * 3);
  const texts: string[] = [];
  titleLines.forEach((line, i) => {
    const size = i === 0 ? Math.round(fontSize * 1.25) : fontSize;
    const weight = i === 0 ? ' font-weight="bold"' : '';
    texts.push(`<text x="${gap}" y="${lineH * (i + 1) - Math.round(lineH * 0.25)}" font-size="${size}"${weight}>${escapeXml(line)}</text>`);
  });
  tiles.forEach((tile, index) => {
    const cx = gridX + gap + (index % columns) * (cellW + gap);
    const cy = titleH + gap + Math.floor(index / columns) * (cellH + captionH + gap);
    const ox = cx + Math.floor((cellW - tile.image.width) / 2);
    const oy = cy + Math.floor((cellH - tile.image.height) / 2);
    paste(data, width, tile.image, ox, oy);
    if (tile.caption) {
      // A caption wider than its cell is set smaller rather than run into its neighbours.
      const wide = textWidth(tile.caption, fontSize);
      const size = wide > cellW - 4 ? ` font-size="${Math.max(6, Math.floor((fontSize * (cellW - 4)) / wide))}"` : '';
      texts.push(`<text x="${cx + cellW / 2}" y="${cy + cellH + Math.round(captionH * 0.75)}" text-anchor="middle"${size}>${escapeXml(tile.caption)}</text>`);
    }
    if (tile.notice) {
      const lines = wrap(tile.notice, tile.image.width - 8, fontSize);
      const bandH = lines.length * lineH + 8;
      const by = oy + Math.max(0, Math.floor((tile.image.height - bandH) / 2));
      texts.push(`<rect x="${ox}" y="${by}" width="${tile.image.width}" height="${bandH}" fill="rgb(20,20,20)" fill-opacity="0.78"/>`);
      lines.forEach((line, i) => {
        texts.push(`<text x="${ox + tile.image.width / 2}" y="${by + 4 + lineH * (i + 1) - Math.round(lineH * 0.3)}" text-anchor="middle" fill="rgb(255,235,120)">${escapeXml(line)}</text>`);
      });
    }
  });
  if (footer) {
    const fx = Math.floor((width - footer.image.width) / 2);
    const fy = gridBottom;
    paste(data, width, footer.image, fx, fy);
    const mid = fy + Math.round(footer.image.height / 2 + fontSize * 0.35);
    if (footer.leftLabel) texts.push(`<text x="${fx - 6}" y="${mid}" text-anchor="end">${escapeXml(footer.leftLabel)}</text>`);
    if (footer.rightLabel) texts.push(`<text x="${fx + footer.image.width + 6}" y="${mid}">${escapeXml(footer.rightLabel)}</text>`);
    if (footer.caption) texts.push(`<text x="${width / 2}" y="${fy + footer.image.height + Math.round(fontSize * 1.2)}" text-anchor="middle">${escapeXml(footer.caption)}</text>`);
  }
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
