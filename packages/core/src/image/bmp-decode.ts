/**
 * A small BMP decoder: the prebuilt libvips behind sharp has no BMP loader, and
 * inspection cameras still write BMP. Covers uncompressed 1/4/8-bit palette, 16/24/32-bit
 * and BI_BITFIELDS images, bottom-up or top-down; RLE and embedded JPEG/PNG are refused.
 */
import { XqcError } from '../errors.ts';
import { pixelLimitError } from './image-format.ts';
import type { ImageU8 } from './image.types.ts';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

function invalid(message: string, reason = 'corrupt'): XqcError {
  return new XqcError('XQC_IMAGE_INVALID', `BMP: ${message}`, { details: { reason, format: 'bmp' } });
}

/** Shift and width of a contiguous bit mask, so a field is `((px & mask) >>> shift) / max`. */
function maskField(mask: number): { shift: number; max: number; mask: number } {
  if (mask === 0) return { shift: 0, max: 0, mask: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift, mask };
}

/**
 * Decodes a BMP file to RGB (or RGBA when the file carries an alpha mask) in HWC order.
 * Throws `XQC_IMAGE_INVALID` on truncation, unsupported compression or a pixel count
 * above `maxPixels`.
 */
export function decodeBmp(bytes: Uint8Array, maxPixels: number): ImageU8 {
  if (bytes.length < 26) throw invalid('file is too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let paletteCount = 0;
  if (dibSize === 12) {
    width = view.getUint16(18, true);
    rawHeight = view.getInt16(20, true);
    bpp = view.getUint16(24, true);
  } else if (dibSize >= 40 && bytes.length >= 14 + 40) {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    paletteCount = view.getUint32(46, true);
  } else {
    throw invalid(`unsupported header size ${dibSize}`, 'unsupported');
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw invalid(`invalid size ${width}x${height}`);
  if (width * height > maxPixels) throw pixelLimitError(width, height, maxPixels, 'bmp');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw invalid(`compression ${compression} is not supported`, 'unsupported');
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw invalid(`${bpp} bits per pixel is not supported`, 'unsupported');

  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0x00ff00, 0x0000ff, 0];
  if (compression !== BI_RGB) {
    const at = 14 + 40;
    const count = compression === BI_ALPHABITFIELDS || dibSize >= 56 ? 4 : 3;
    if (bytes.length < at + count * 4) throw invalid('bit masks are truncated');
    masks = [0, 1, 2, 3].map((i) => (i < count ? view.getUint32(at + i * 4, true) : 0));
  }
  const fields = masks.map(maskField);
  const hasAlpha = fields[3].mask !== 0;
  const channels = hasAlpha ? 4 : 3;

  const palette: number[] = [];
  if (bpp <= 8) {
    const entry = dibSize === 12 ? 3 : 4;
    const count = paletteCount || 1 << bpp;
    const at = 14 + dibSize + (compression === BI_BITFIELDS && dibSize === 40 ? 12 : 0);
    if (bytes.length < at + count * entry) throw invalid('palette is truncated');
    for (let i = 0; i < count; i++) palette.push(bytes[at + i * entry + 2], bytes[at + i * entry + 1], bytes[at + i * entry]);
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (pixelOffset + stride * height > bytes.length) throw invalid('pixel data is truncated');
  const out = new Uint8Array(width * height * channels);
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const line = pixelOffset + row * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bpp <= 8) {
        const bitPos = x * bpp;
        const byte = bytes[line + (bitPos >> 3)];
        const index = (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        if (index * 3 >= palette.length) throw invalid(`palette index ${index} is out of range`);
        out[o] = palette[index * 3];
        out[o + 1] = palette[index * 3 + 1];
        out[o + 2] = palette[index * 3 + 2];
        continue;
      }
      if (bpp === 24 && compression === BI_RGB) {
        const p = line + x * 3;
        out[o] = bytes[p + 2];
        out[o + 1] = bytes[p + 1];
        out[o + 2] = bytes[p];
        continue;
      }
      const px = bpp === 16 ? view.getUint16(line + x * 2, true) : bpp === 24 ? view.getUint32(line + x * 3, true) & 0xffffff : view.getUint32(line + x * 4, true);
      for (let c = 0; c < channels; c++) {
        const f = fields[c];
        out[o + c] = f.max === 0 ? 0 : Math.round((((px & f.mask) >>> f.shift) * 255) / f.max);
      }
    }
  }
  return { width, height, channels, data: out };
}
