/**
 * A reliability diagram as a self-contained SVG string: accuracy per confidence bin against
 * the diagonal of perfect calibration, the gap to each bin's mean confidence in red, and
 * underneath the histogram of confidences with the overall accuracy and mean confidence.
 */
import type { ReliabilityDiagram } from './calibration-error.ts';

/** Options of {@link renderReliabilitySvg}. */
export interface ReliabilitySvgOptions {
  /** Heading. Default "Reliability diagram". */
  title?: string;
  /** Width in pixels; the height follows. Default 480. */
  width?: number;
}

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function n2(x: number): string {
  return x.toFixed(2);
}

/** Renders the diagram; the SVG is `width` wide and `width * 1.3` high. */
export function renderReliabilitySvg(diagram: ReliabilityDiagram, options: ReliabilitySvgOptions = {}): string {
  const width = options.width ?? 480;
  const unit = width / 480;
  const left = 64 * unit;
  const size = width - left - 24 * unit;
  const top = 48 * unit;
  const histTop = top + size + 56 * unit;
  const histHeight = 80 * unit;
  const height = Math.round(histTop + histHeight + 44 * unit);
  const font = 12 * unit;
  const px = (x: number) => left + x * size;
  const py = (y: number) => top + (1 - y) * size;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${n2(font)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${n2(width / 2)}" y="${n2(28 * unit)}" text-anchor="middle" font-size="${n2(16 * unit)}" font-weight="bold">${escapeXml(options.title ?? 'Reliability diagram')}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    out.push(
      `<line x1="${n2(px(0))}" y1="${n2(py(v))}" x2="${n2(px(1))}" y2="${n2(py(v))}" stroke="#e5e5e5"/>`,
      `<line x1="${n2(px(v))}" y1="${n2(py(0))}" x2="${n2(px(v))}" y2="${n2(py(1))}" stroke="#e5e5e5"/>`,
      `<text x="${n2(px(0) - 6 * unit)}" y="${n2(py(v) + 4 * unit)}" text-anchor="end">${v.toFixed(1)}</text>`,
      `<text x="${n2(px(v))}" y="${n2(py(0) + 16 * unit)}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${n2(px(v))}" y="${n2(histTop + histHeight + 16 * unit)}" text-anchor="middle">${v.toFixed(1)}</text>`,
    );
  }
  for (const b of diagram.bins) {
    if (b.count === 0) continue;
    const x = px(b.lower);
    const w = Math.max(0, px(b.upper) - x);
    out.push(
      `<rect x="${n2(x)}" y="${n2(py(b.accuracy))}" width="${n2(w)}" height="${n2(py(0) - py(b.accuracy))}" fill="#3b6ea8" stroke="#ffffff" stroke-width="${n2(unit)}"/>`,
    );
    const lo = Math.min(b.accuracy, b.meanConfidence);
    const hi = Math.max(b.accuracy, b.meanConfidence);
    out.push(
      `<rect x="${n2(x)}" y="${n2(py(hi))}" width="${n2(w)}" height="${n2(py(lo) - py(hi))}" fill="#d9534f" fill-opacity="0.35" stroke="#d9534f" stroke-width="${n2(unit)}"/>`,
    );
  }
  out.push(
    `<line x1="${n2(px(0))}" y1="${n2(py(0))}" x2="${n2(px(1))}" y2="${n2(py(1))}" stroke="#555555" stroke-dasharray="${n2(4 * unit)} ${n2(4 * unit)}"/>`,
    `<rect x="${n2(px(0))}" y="${n2(py(1))}" width="${n2(size)}" height="${n2(size)}" fill="none" stroke="#333333"/>`,
    `<text x="${n2(px(0) + 8 * unit)}" y="${n2(py(1) + 18 * unit)}">ECE ${(100 * diagram.ece).toFixed(2)}%   MCE ${(100 * diagram.mce).toFixed(2)}%   n = ${diagram.count}</text>`,
    `<text transform="translate(${n2(18 * unit)} ${n2(top + size / 2)}) rotate(-90)" text-anchor="middle">Accuracy</text>`,
  );
  const maxCount = Math.max(1, ...diagram.bins.map((b) => b.count));
  for (const b of diagram.bins) {
    if (b.count === 0) continue;
    const h = (b.count / maxCount) * histHeight;
    const x = px(b.lower);
    out.push(
      `<rect x="${n2(x)}" y="${n2(histTop + histHeight - h)}" width="${n2(Math.max(0, px(b.upper) - x))}" height="${n2(h)}" fill="#7f9cc0" stroke="#ffffff" stroke-width="${n2(unit)}"/>`,
    );
  }
  const marker = (v: number, dash: string, colour: string) =>
    `<line x1="${n2(px(v))}" y1="${n2(histTop)}" x2="${n2(px(v))}" y2="${n2(histTop + histHeight)}" stroke="${colour}" stroke-width="${n2(2 * unit)}"${dash}/>`;
  out.push(
    marker(diagram.accuracy, '', '#222222'),
    marker(diagram.meanConfidence, ` stroke-dasharray="${n2(4 * unit)} ${n2(3 * unit)}"`, '#d9534f'),
    `<rect x="${n2(px(0))}" y="${n2(histTop)}" width="${n2(size)}" height="${n2(histHeight)}" fill="none" stroke="#333333"/>`,
    `<text x="${n2(px(0) + 6 * unit)}" y="${n2(histTop + 14 * unit)}" font-size="${n2(10 * unit)}">solid: accuracy ${(100 * diagram.accuracy).toFixed(1)}%   dashed: mean confidence ${(100 * diagram.meanConfidence).toFixed(1)}%</text>`,
    `<text transform="translate(${n2(18 * unit)} ${n2(histTop + histHeight / 2)}) rotate(-90)" text-anchor="middle">Count</text>`,
    `<text x="${n2(px(0.5))}" y="${n2(histTop + histHeight + 34 * unit)}" text-anchor="middle">Confidence</text>`,
    '</svg>',
  );
  return out.join('\n');
}
