/**
 * Rasterises a reliability-diagram SVG to PNG for reports and the calibration page.
 * The only file of the calibration module with a native dependency (sharp).
 */
import sharp from 'sharp';

/**
 * Renders an SVG string (from `renderReliabilitySvg`) to PNG bytes at its own size.
 * @param options.density SVG rasterisation density in DPI; 72 keeps the SVG's pixel size,
 * 144 doubles it for high-resolution screens. Default 72.
 */
export async function renderReliabilityPng(svg: string, options: { density?: number } = {}): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(svg, 'utf8'), { density: options.density ?? 72 }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
