/**
 * The SHAP waterfall as a picture: one row per feature (largest contribution on top), an
 * arrow-shaped bar from the running total before the feature to the total after it (red
 * when the feature raises the score, blue when it lowers it), the feature's name and value
 * on the left, its signed contribution on the right, the base value E[f] as a dashed line
 * and f(x) as a solid one. A self-contained SVG string, rasterised to PNG by sharp.
 */
import sharp from 'sharp';
import type { Waterfall } from './waterfall.ts';
import { formatNumber } from './waterfall.ts';

/** Options of {@link renderWaterfallSvg}. */
export interface WaterfallChartOptions {
  /** Heading (default "Why this anomaly score"). */
  title?: string;
  /** A line under the heading, for example the surrogate's fit quality. */
  subtitle?: string;
  /** Width in pixels (default 760); the height follows from the number of rows. */
  width?: number;
  /** Name of the explained quantity in the f(x) and base labels (default "score"). */
  quantity?: string;
}

const FONT = 'DejaVu Sans, Arial, Helvetica, sans-serif';
const UP = '#d9534f';
const DOWN = '#3b6ea8';
const FLAT = '#9a9a9a';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function n2(x: number): string {
  return x.toFixed(2);
}

function signed(x: number): string {
  return x > 0 ? `+${formatNumber(x)}` : formatNumber(x);
}

/** Tick positions 1, 2 or 5 times a power of ten apart, about `count` of them across [lo, hi]. */
function niceTicks(lo: number, hi: number, count = 6): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** Renders the waterfall; the SVG is `width` wide and as high as its rows need. */
export function renderWaterfallSvg(w: Waterfall, options: WaterfallChartOptions = {}): string {
  const width = options.width ?? 760;
  const quantity = options.quantity ?? 'score';
  const font = 13;
  const rowH = 34;
  const barH = 20;
  const labels = w.steps.map((s) => `${s.label} = ${s.valueText}`);
  // DejaVu Sans averages about 0.6 em per character at this size.
  const left = Math.max(170, Math.ceil(Math.max(0, ...labels.map((l) => l.length)) * font * 0.6) + 24);
  const right = 88;
  const plotW = Math.max(120, width - left - right);
  const headH = options.subtitle ? 62 : 44;
  const top = headH + 26;
  const plotH = Math.max(1, w.steps.length) * rowH;
  const axisY = top + plotH;
  const height = axisY + 82;

  const values = [w.base, w.fx, ...w.steps.flatMap((s) => [s.start, s.end])];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    lo -= 1;
    hi += 1;
  }
  const pad = 0.08 * (hi - lo);
  lo -= pad;
  hi += pad;
  const px = (v: number) => left + ((v - lo) / (hi - lo)) * plotW;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${font}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${n2(width / 2)}" y="26" text-anchor="middle" font-size="17" font-weight="bold" fill="#222222">${escapeXml(options.title ?? 'Why this anomaly score')}</text>`,
  ];
  if (options.subtitle) out.push(`<text x="${n2(width / 2)}" y="48" text-anchor="middle" fill="#555555">${escapeXml(options.subtitle)}</text>`);

  w.steps.forEach((_, i) => {
    if (i % 2 === 0) out.push(`<rect x="0" y="${n2(top + i * rowH)}" width="${width}" height="${rowH}" fill="#f6f6f6"/>`);
  });
  for (const t of niceTicks(lo, hi)) {
    out.push(
      `<line x1="${n2(px(t))}" y1="${top - 6}" x2="${n2(px(t))}" y2="${axisY}" stroke="#ececec"/>`,
      `<line x1="${n2(px(t))}" y1="${axisY}" x2="${n2(px(t))}" y2="${axisY + 5}" stroke="#555555"/>`,
      `<text x="${n2(px(t))}" y="${axisY + 19}" text-anchor="middle" fill="#444444" font-size="12">${escapeXml(formatNumber(t))}</text>`,
    );
  }
  out.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#555555"/>`);

  w.steps.forEach((s, i) => {
    const cy = top + i * rowH + rowH / 2;
    const x0 = px(Math.min(s.start, s.end));
    const x1 = px(Math.max(s.start, s.end));
    const colour = s.contribution > 0 ? UP : s.contribution < 0 ? DOWN : FLAT;
    const tip = Math.min(9, x1 - x0);
    const y0 = cy - barH / 2;
    const y1 = cy + barH / 2;
    const shape =
      s.contribution >= 0
        ? [[x0, y0], [x1 - tip, y0], [x1, cy], [x1 - tip, y1], [x0, y1]]
        : [[x1, y0], [x0 + tip, y0], [x0, cy], [x0 + tip, y1], [x1, y1]];
    out.push(
      `<polygon points="${shape.map(([x, y]) => `${n2(x)},${n2(y)}`).join(' ')}" fill="${colour}"/>`,
      `<text x="${left - 12}" y="${n2(cy + 4.5)}" text-anchor="end" fill="#222222">${escapeXml(labels[i])}</text>`,
      `<text x="${left + plotW + 12}" y="${n2(cy + 4.5)}" fill="${colour}" font-weight="bold">${escapeXml(signed(s.contribution))}</text>`,
    );
    if (i + 1 < w.steps.length) {
      out.push(`<line x1="${n2(px(s.end))}" y1="${n2(y1)}" x2="${n2(px(s.end))}" y2="${n2(y1 + rowH - barH)}" stroke="#777777" stroke-dasharray="2 2"/>`);
    }
  });
  out.push(
    `<line x1="${n2(px(w.base))}" y1="${top - 6}" x2="${n2(px(w.base))}" y2="${axisY}" stroke="#555555" stroke-dasharray="5 4"/>`,
    `<path d="M ${n2(px(w.base) - 5)} ${axisY + 33} L ${n2(px(w.base) + 5)} ${axisY + 33} L ${n2(px(w.base))} ${axisY + 26} Z" fill="#555555"/>`,
    `<text x="${n2(px(w.base))}" y="${axisY + 47}" text-anchor="middle" fill="#444444">base E[${escapeXml(quantity)}] = ${escapeXml(formatNumber(w.base))}</text>`,
    `<line x1="${n2(px(w.fx))}" y1="${top - 14}" x2="${n2(px(w.fx))}" y2="${axisY}" stroke="#222222" stroke-width="1.5"/>`,
    `<text x="${n2(px(w.fx))}" y="${top - 18}" text-anchor="middle" font-weight="bold" fill="#222222">f(x) = ${escapeXml(formatNumber(w.fx))}</text>`,
    `<rect x="${left}" y="${height - 22}" width="12" height="12" fill="${UP}"/>`,
    `<text x="${left + 18}" y="${height - 12}" fill="#444444" font-size="12">raises the ${escapeXml(quantity)}</text>`,
    `<rect x="${left + 170}" y="${height - 22}" width="12" height="12" fill="${DOWN}"/>`,
    `<text x="${left + 188}" y="${height - 12}" fill="#444444" font-size="12">lowers the ${escapeXml(quantity)}</text>`,
    '</svg>',
  );
  return out.join('\n');
}

/**
 * Rasterises a waterfall SVG to PNG bytes.
 * @param options.density DPI; 72 keeps the SVG's pixel size, 144 doubles it. Default 72.
 */
export async function renderWaterfallPng(svg: string, options: { density?: number } = {}): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(svg, 'utf8'), { density: options.density ?? 72 }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
