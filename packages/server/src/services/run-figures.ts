/**
 * Figures of a train run: the training curves as a small SVG (training loss and the
 * validation figure per epoch, each scaled to its own range) and the metrics JSON.
 */

/** One point of the curves. */
export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  valMetric: number;
}

const W = 480;
const H = 240;
const PAD = 36;

function polyline(points: readonly CurvePoint[], value: (p: CurvePoint) => number, colour: string): string {
  const values = points.map(value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const last = points[points.length - 1].epoch;
  const first = points[0].epoch;
  const x = (e: number): number => PAD + ((e - first) / Math.max(last - first, 1)) * (W - 2 * PAD);
  const y = (v: number): number => H - PAD - ((v - lo) / span) * (H - 2 * PAD);
  const coords = points.map((p) => `${x(p.epoch).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
  return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${coords}"/>`;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

/**
 * The curves of `history` as an SVG document: training loss (red) and validation figure
 * (blue) against the epoch, each between its own minimum and maximum, with the final values.
 */
export function trainingCurvesSvg(history: readonly CurvePoint[], metricName: string): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#888"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#888"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle">epoch (1..${history.length})</text>`,
  ];
  if (history.length > 0) {
    const end = history[history.length - 1];
    parts.push(polyline(history, (p) => p.trainLoss, '#c0392b'), polyline(history, (p) => p.valMetric, '#2c6fbb'));
    parts.push(`<text x="${PAD}" y="16" fill="#c0392b">training loss ${fmt(end.trainLoss)}</text>`);
    parts.push(`<text x="${W / 2}" y="16" fill="#2c6fbb">validation ${metricName} ${fmt(end.valMetric)}</text>`);
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
