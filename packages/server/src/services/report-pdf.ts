/**
 * The PDF report (pdfkit, A4 portrait): a cover with the title, period, model versions and
 * headline figures; charts of volume, escape and false-reject rates per period drawn as
 * vector graphics; the confusion matrix; the reliability diagram of each classifier version
 * (the core's renderReliabilitySvg, rasterised by renderReliabilityPng); then one block per
 * inspection, newest first: the image, the overlay, every stored explanation overlay, the
 * findings table, the uncertainty and the current review.
 *
 * Memory stays bounded: the document streams to `path` as it is written (pdfkit flushes
 * each page when the next one starts, since pages are not buffered), images are decoded
 * one at a time and downscaled to display size before they are embedded, and inspections
 * arrive in pages from an async iterator.
 */
import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import { renderReliabilityPng, renderReliabilitySvg } from '@xai-qc/core';
import type { ReliabilityDiagram } from '@xai-qc/core';
import type { ReportExplanation, ReportInspection } from '../repositories/report.repository.ts';
import type { MetricsBucket } from '../schemas/metrics.schema.ts';
import type { ReportCalibration, ReportData } from './report-data.ts';

/** What the renderer asks for each inspection's pictures (JPEG or PNG bytes at display size). */
export interface ReportImages {
  image(r: ReportInspection): Promise<Uint8Array>;
  overlay(r: ReportInspection): Promise<Uint8Array>;
  explanations(r: ReportInspection): Promise<{ explanation: ReportExplanation; picture: Uint8Array }[]>;
}

/** Image tiles: side in points, and their pixels (2 px per point: sharp when printed, still small). */
export const TILE_PT = 120;
/** Longest side, in pixels, of an image embedded in the PDF. */
export const TILE_PX = 2 * TILE_PT;

const MARGIN = 40;
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const CONTENT_W = PAGE_W - 2 * MARGIN;
const BOTTOM = PAGE_H - MARGIN;
const ESCAPE_COLOUR = '#c0392b';
const FALSE_REJECT_COLOUR = '#2471a3';

/** A figure as the PDF prints it: 4 decimals, or `n/a`. */
export function fmt(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4);
}

/** The headline figures of a bucket as (label, text) pairs, in cover order. */
export function headline(b: MetricsBucket): [string, string][] {
  const c = b.classification;
  return [
    ['Volume', String(b.volume)],
    ['Reviewed', String(b.reviewed)],
    ['Review coverage', fmt(b.reviewCoverage)],
    ['Referral rate', fmt(b.referralRate)],
    ['Escape rate', fmt(c?.escapeRate)],
    ['False-reject rate', fmt(c?.falseRejectRate)],
    ['Precision', fmt(c?.precision)],
    ['Recall', fmt(c?.recall)],
    ['F1', fmt(c?.f1)],
    ['AUROC', fmt(b.ranking?.auroc)],
  ];
}

/** Renders the report to `path`; resolves to its page count once the file is closed. */
export async function renderPdf(
  path: string,
  data: ReportData,
  inspections: AsyncIterable<ReportInspection[]>,
  images: ReportImages,
  onInspection?: (done: number) => Promise<void>,
): Promise<{ pages: number; inspections: number }> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: false, info: { Title: data.title, Creator: 'XAI-QC' } });
  const out = createWriteStream(path);
  const closed = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  let pages = 1;
  doc.on('pageAdded', () => pages++);
  let count = 0;
  try {
    cover(doc, data);
    doc.addPage();
    charts(doc, data);
    doc.addPage();
    confusion(doc, data.metrics.overall);
    await reliability(doc, data.calibration);
    doc.addPage();
    doc.font('Helvetica-Bold').fontSize(16).text(`Inspections (${Math.min(data.total, Number.MAX_SAFE_INTEGER)} matching, newest first)`);
    doc.moveDown(0.5);
    for await (const page of inspections) {
      for (const r of page) {
        await inspectionBlock(doc, r, images);
        count++;
        if (onInspection) await onInspection(count);
      }
    }
    if (count === 0) doc.font('Helvetica').fontSize(10).text('No inspections match the filters.');
  } finally {
    doc.end();
  }
  await closed;
  return { pages, inspections: count };
}

function cover(doc: PDFKit.PDFDocument, data: ReportData): void {
  doc.font('Helvetica-Bold').fontSize(24).text(data.title);
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(11);
  doc.text(`Period: ${data.period.from ?? 'start'} to ${data.period.to ?? 'now'} (UTC)`);
  doc.text(`Generated: ${data.generatedAt}`);
  const f = data.filters;
  const filters = [f.model ? `model ${f.model}` : null, f.version ? `version ${f.version}` : null, f.inspectionIds ? `${f.inspectionIds.length} listed inspections` : null].filter((x) => x !== null);
  doc.text(`Filters: ${filters.length > 0 ? filters.join(', ') : 'none'}`);
  doc.text(`Charts per ${data.groupBy}; positive class: defect (reject); figures from reviewed inspections (the current review is the ground truth).`);
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(13).text('Model versions');
  doc.font('Helvetica').fontSize(11);
  if (data.versions.groups.length === 0) doc.text('none (no inspections)');
  for (const g of data.versions.groups) doc.text(`${g.key}: ${g.volume} inspections, ${g.reviewed} reviewed`);
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(13).text('Headline figures');
  doc.font('Helvetica').fontSize(12);
  for (const [label, value] of headline(data.metrics.overall)) doc.text(`${label}: ${value}`);
  const c = data.metrics.overall.classification;
  if (c === null) doc.moveDown().fontSize(10).text('No reviewed inspections: the rates, F1 and AUROC need reviews.');
  doc.moveDown();
  doc.fontSize(9).fillColor('#555555').text('Escape rate = FN / (TP + FN): defects passed. False-reject rate = FP / (FP + TN): good parts rejected. AUROC of the defect score, when both classes were reviewed.');
  doc.fillColor('black');
}

/** Chart frame with y ticks; returns the plot area. */
function axes(doc: PDFKit.PDFDocument, x: number, y: number, w: number, h: number, title: string, yMax: number, yFormat: (v: number) => string, labels: string[]): { px: number; py: number; pw: number; ph: number } {
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(title, x, y, { width: w, lineBreak: false });
  const px = x + 40;
  const py = y + 20;
  const pw = w - 50;
  const ph = h - 50;
  doc.lineWidth(0.5).strokeColor('#999999');
  for (let i = 0; i <= 4; i++) {
    const ty = py + ph - (i / 4) * ph;
    doc.moveTo(px, ty).lineTo(px + pw, ty).stroke();
    doc.font('Helvetica').fontSize(7).fillColor('#333333').text(yFormat((i / 4) * yMax), x, ty - 3, { width: 36, align: 'right', lineBreak: false });
  }
  const step = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((l, i) => {
    if (i % step !== 0) return;
    const cx = px + ((i + 0.5) / labels.length) * pw;
    doc.font('Helvetica').fontSize(6.5).fillColor('#333333').text(l, cx - 30, py + ph + 4, { width: 60, align: 'center', lineBreak: false });
  });
  doc.fillColor('black').strokeColor('black');
  return { px, py, pw, ph };
}

function charts(doc: PDFKit.PDFDocument, data: ReportData): void {
  doc.font('Helvetica-Bold').fontSize(16).text(`Over time (per ${data.groupBy})`);
  const groups = data.metrics.groups;
  const labels = groups.map((g) => g.key);
  const top = doc.y + 10;
  if (groups.length === 0) {
    doc.font('Helvetica').fontSize(10).text('No inspections in the period.');
    return;
  }
  const maxVolume = Math.max(1, ...groups.map((g) => g.volume));
  const a = axes(doc, MARGIN, top, CONTENT_W, 300, 'Volume (inspections) and reviewed', maxVolume, (v) => String(Math.round(v)), labels);
  const slot = a.pw / groups.length;
  groups.forEach((g, i) => {
    const bw = Math.max(1, slot * 0.7);
    const bx = a.px + i * slot + (slot - bw) / 2;
    const bh = (g.volume / maxVolume) * a.ph;
    doc.rect(bx, a.py + a.ph - bh, bw, bh).fill('#7f8c8d');
    const rh = (g.reviewed / maxVolume) * a.ph;
    doc.rect(bx + bw * 0.25, a.py + a.ph - rh, bw * 0.5, rh).fill('#27ae60');
  });
  legend(doc, a.px, top + 300 - 14, [
    ['volume', '#7f8c8d'],
    ['reviewed', '#27ae60'],
  ]);

  const rates = groups.map((g) => [g.classification?.escapeRate ?? null, g.classification?.falseRejectRate ?? null] as const);
  const maxRate = Math.min(1, Math.max(0.05, ...rates.flatMap((r) => r.filter((v): v is number => v !== null))) * 1.1);
  const top2 = top + 330;
  const b = axes(doc, MARGIN, top2, CONTENT_W, 300, 'Escape rate and false-reject rate (reviewed inspections)', maxRate, (v) => v.toFixed(2), labels);
  for (const [k, colour] of [
    [0, ESCAPE_COLOUR],
    [1, FALSE_REJECT_COLOUR],
  ] as const) {
    let drawing = false;
    doc.lineWidth(1.5).strokeColor(colour);
    rates.forEach((r, i) => {
      const v = r[k];
      if (v === null) {
        drawing = false;
        return;
      }
      const cx = b.px + ((i + 0.5) / rates.length) * b.pw;
      const cy = b.py + b.ph - (v / maxRate) * b.ph;
      if (drawing) doc.lineTo(cx, cy).stroke().moveTo(cx, cy);
      else doc.moveTo(cx, cy);
      drawing = true;
      doc.circle(cx, cy, 2).fill(colour).moveTo(cx, cy);
    });
  }
  doc.strokeColor('black').lineWidth(1);
  legend(doc, b.px, top2 + 300 - 14, [
    ['escape rate', ESCAPE_COLOUR],
    ['false-reject rate', FALSE_REJECT_COLOUR],
  ]);
  doc.fillColor('black');
}

function legend(doc: PDFKit.PDFDocument, x: number, y: number, items: [string, string][]): void {
  let cx = x;
  for (const [label, colour] of items) {
    doc.rect(cx, y, 8, 8).fill(colour);
    doc.fillColor('black').font('Helvetica').fontSize(8).text(label, cx + 11, y, { lineBreak: false });
    cx += 20 + doc.widthOfString(label);
  }
  doc.fillColor('black');
}

function confusion(doc: PDFKit.PDFDocument, b: MetricsBucket): void {
  doc.font('Helvetica-Bold').fontSize(16).text('Confusion matrix (reviewed inspections)');
  doc.moveDown(0.5);
  const c = b.classification;
  if (c === null) {
    doc.font('Helvetica').fontSize(10).text('No reviewed inspections in the report.');
    doc.moveDown();
    return;
  }
  const x = MARGIN + 120;
  const y = doc.y + 20;
  const cell = 90;
  doc.font('Helvetica-Bold').fontSize(9).text('model: pass', x, y - 14, { width: cell, align: 'center' });
  doc.text('model: reject', x + cell, y - 14, { width: cell, align: 'center' });
  const rows: [string, number, number, string, string][] = [
    ['truth: pass', c.tn, c.fp, 'TN', 'FP'],
    ['truth: reject', c.fn, c.tp, 'FN', 'TP'],
  ];
  const total = Math.max(1, c.tp + c.fp + c.tn + c.fn);
  rows.forEach(([label, a, bb, la, lb], i) => {
    const cy = y + i * cell;
    doc.font('Helvetica-Bold').fontSize(9).fillColor('black').text(label, MARGIN, cy + cell / 2 - 5, { width: 110, align: 'right' });
    for (const [j, v, l] of [
      [0, a, la],
      [1, bb, lb],
    ] as const) {
      const shade = Math.round(255 - 150 * (v / total));
      doc.rect(x + j * cell, cy, cell, cell).fillAndStroke([shade, shade, 255], '#333333');
      doc.fillColor('black').font('Helvetica').fontSize(12).text(`${l} ${v}`, x + j * cell, cy + cell / 2 - 6, { width: cell, align: 'center' });
    }
  });
  doc.x = MARGIN;
  doc.y = y + 2 * cell + 14;
  doc.font('Helvetica').fontSize(10).text(`Accuracy ${fmt(c.accuracy)}, precision ${fmt(c.precision)}, recall ${fmt(c.recall)}, F1 ${fmt(c.f1)}, cost-weighted error ${fmt(c.costWeightedError)}.`, MARGIN, doc.y, { width: CONTENT_W });
  doc.moveDown();
}

/** The core's diagram data from a calibration status's served bins. */
function diagramOf(s: NonNullable<ReportCalibration['status']>): ReliabilityDiagram | undefined {
  if (s.reliability === null || s.served === null) return undefined;
  const bins = s.reliability.served.map((b) => ({ lower: b.lower, upper: b.upper, count: b.count, meanConfidence: b.meanConfidence ?? Number.NaN, accuracy: b.accuracy ?? Number.NaN }));
  const n = bins.reduce((a, b) => a + b.count, 0);
  const meanConfidence = n === 0 ? Number.NaN : bins.reduce((a, b) => a + (b.count > 0 ? b.count * b.meanConfidence : 0), 0) / n;
  return { bins, ece: s.served.ece, mce: s.served.mce, count: n, accuracy: s.served.accuracy, meanConfidence };
}

async function reliability(doc: PDFKit.PDFDocument, calibration: ReportCalibration[]): Promise<void> {
  doc.font('Helvetica-Bold').fontSize(16).fillColor('black').text('Calibration', MARGIN, doc.y);
  doc.moveDown(0.5);
  if (calibration.length === 0) doc.font('Helvetica').fontSize(10).text('No model versions in the report.');
  for (const c of calibration) {
    const s = c.status;
    const diagram = s ? diagramOf(s) : undefined;
    if (diagram && doc.y + 330 > BOTTOM) doc.addPage();
    doc.font('Helvetica-Bold').fontSize(11).text(`${c.model}@${c.version}`);
    doc.font('Helvetica').fontSize(10);
    if (s) doc.text(`Status: ${s.status}; ${s.reviewed} reviewed; temperature ${s.temperature === null ? 'none' : s.temperature.toFixed(4)}; ECE ${fmt(s.served?.ece)}, MCE ${fmt(s.served?.mce)}, Brier ${fmt(s.served?.brier)}.`);
    if (c.note) doc.text(c.note);
    if (diagram) {
      const png = await renderReliabilityPng(renderReliabilitySvg(diagram, { title: `Reliability: ${c.model}@${c.version}`, width: 360 }));
      doc.image(Buffer.from(png), MARGIN, doc.y + 4, { width: 230 });
      doc.y += 4 + 230 * 1.3 + 6;
      doc.x = MARGIN;
    }
    doc.moveDown(0.5);
  }
}

function tile(doc: PDFKit.PDFDocument, picture: Uint8Array, x: number, y: number, caption: string): void {
  doc.image(Buffer.from(picture), x, y, { fit: [TILE_PT, TILE_PT], align: 'center', valign: 'center' });
  doc.rect(x, y, TILE_PT, TILE_PT).lineWidth(0.3).stroke('#bbbbbb');
  doc.font('Helvetica').fontSize(7).fillColor('#333333').text(caption, x, y + TILE_PT + 2, { width: TILE_PT, align: 'center', lineBreak: false, ellipsis: true });
  doc.fillColor('black');
}

interface StoredUncertainty {
  uncertainty?: { samples: number; predictiveEntropy: number; mutualInformation: number; disagreement: number };
  conformal?: { alpha: number; set: string[]; referred: boolean };
}

async function inspectionBlock(doc: PDFKit.PDFDocument, r: ReportInspection, images: ReportImages): Promise<void> {
  const explanations = await images.explanations(r);
  const tiles = 2 + explanations.length;
  const perRow = Math.floor((CONTENT_W + 10) / (TILE_PT + 10));
  const rows = Math.ceil(tiles / perRow);
  const height = 30 + rows * (TILE_PT + 16) + 16 + Math.min(r.findings.length, 20) * 11 + 40;
  if (doc.y + Math.min(height, 400) > BOTTOM) doc.addPage();
  const row = r.row;
  doc.x = MARGIN;
  doc.font('Helvetica-Bold').fontSize(10).text(`Inspection ${row.id}`);
  doc.font('Helvetica').fontSize(8.5).text(
    `${row.created_at} | ${row.model_name}@${row.model_version} (${row.task}) | verdict ${row.verdict}, label ${row.label} (p ${fmt(row.score)}), defect score ${fmt(row.defect_score)} | ${row.referred === 1 ? 'referred to review' : 'not referred'}${row.image_name ? ` | ${row.image_name}` : ''}`,
    { width: CONTENT_W },
  );
  const pictures: [Uint8Array, string][] = [
    [await images.image(r), `image ${row.image_width}x${row.image_height}`],
    [await images.overlay(r), 'findings overlay'],
    ...explanations.map((e): [Uint8Array, string] => [e.picture, `${e.explanation.method}${e.explanation.targetLabel ? ` (${e.explanation.targetLabel})` : ''}`]),
  ];
  for (let i = 0; i < pictures.length; i += perRow) {
    if (doc.y + TILE_PT + 16 > BOTTOM) doc.addPage();
    const y = doc.y + 4;
    pictures.slice(i, i + perRow).forEach(([picture, caption], j) => tile(doc, picture, MARGIN + j * (TILE_PT + 10), y, caption));
    doc.x = MARGIN;
    doc.y = y + TILE_PT + 14;
  }
  doc.font('Helvetica-Bold').fontSize(8.5).text(r.findings.length === 0 ? 'Findings: none' : `Findings (${r.findings.length})`, MARGIN, doc.y);
  doc.font('Helvetica').fontSize(8);
  for (const f of r.findings) {
    const box = f.box_json ? ` box [${(JSON.parse(f.box_json) as number[]).join(', ')}]` : '';
    doc.text(`#${f.idx} ${f.label} score ${fmt(f.score)} severity ${f.severity}${box}${f.area !== null ? ` area ${f.area} px` : ''}`, { width: CONTENT_W });
  }
  const details = JSON.parse(row.details_json) as StoredUncertainty;
  const u = details.uncertainty;
  const conformal = details.conformal ? ` Conformal set {${details.conformal.set.join(', ')}} at alpha ${details.conformal.alpha}.` : '';
  doc.text(
    u
      ? `Uncertainty (MC-Dropout, ${u.samples} passes): predictive entropy ${fmt(u.predictiveEntropy)} nats, mutual information ${fmt(u.mutualInformation)} nats, disagreement ${fmt(u.disagreement)}.${conformal}`
      : `Uncertainty: not computed for this inspection.${conformal}`,
    { width: CONTENT_W },
  );
  const v = r.review;
  doc.text(
    v
      ? `Review: ${v.verdict}, label ${v.label} (${v.agrees === 1 ? 'confirms the model' : 'overrides the model'}) by ${v.reviewer_name ?? v.reviewer} at ${v.created_at}${v.mask_sha256 ? ', corrected mask' : ''}${v.comment ? `; comment: ${v.comment}` : ''}`
      : 'Review: not reviewed.',
    { width: CONTENT_W },
  );
  doc.moveDown(0.3);
  doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + CONTENT_W, doc.y).lineWidth(0.3).stroke('#cccccc');
  doc.moveDown(0.5);
}
