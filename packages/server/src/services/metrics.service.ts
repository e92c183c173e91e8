/**
 * Quality metrics over a date range (`GET /metrics`), from the record: every inspection of
 * the range counts for volume, referral rate, review coverage and latency; the reviewed ones
 * (their current review is the ground truth) for the confusion counts and every figure built
 * on them, with the core's metric functions (checked against scikit-learn and pycocotools).
 *
 * Memory stays bounded whatever the range: inspections stream in pages of {@link PAGE}
 * (keyset order), each bucket keeps a confusion matrix, an exact score accumulator of its
 * reviewed items (9 bytes each: reviewed inspections are a small part of the record), a
 * latency histogram with 1 % bins, and streaming IoU/Dice and pixel-AUROC accumulators.
 * Positive class: defect (`reject`). Scores: the inspection's defect score.
 */
import {
  auPro,
  averageScores,
  BinaryScoreAccumulator,
  binaryCostWeightedError,
  binaryCounts,
  BinnedBinaryScoreAccumulator,
  ConfusionMatrixAccumulator,
  decodeImage,
  escapeRate,
  evaluateCoco,
  falseRejectRate,
  resizeBilinear,
  SegmentationIouAccumulator,
} from '@xai-qc/core';
import type { CocoDetection, CocoGroundTruth, PixelMap } from '@xai-qc/core';
import type { Principal } from '../auth/principal.ts';
import { badRequest, notFound } from '../errors/api-error.ts';
import type { MetricsFilter, MetricsRepository, MetricsRow } from '../repositories/metrics.repository.ts';
import type { MetricsBucket, MetricsQuery, MetricsReport } from '../schemas/metrics.schema.ts';

/** Inspections read per database round trip. */
export const PAGE = 2000;
/** Reviewed anomaly maps kept per bucket for PRO (which needs them all at once); beyond it PRO is not reported. */
export const PRO_IMAGES = 500;

/** Latency histogram: bins of 1 % relative width from 0.01 ms; percentiles within 0.5 %. */
export class LatencyHistogram {
  private static readonly BASE = 0.01;
  private static readonly RATIO = 1.01;
  private readonly counts = new Map<number, number>();
  private n = 0;
  private sum = 0;

  /** Adds one latency in ms. */
  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const bin = ms <= LatencyHistogram.BASE ? 0 : Math.floor(Math.log(ms / LatencyHistogram.BASE) / Math.log(LatencyHistogram.RATIO)) + 1;
    this.counts.set(bin, (this.counts.get(bin) ?? 0) + 1);
    this.n++;
    this.sum += ms;
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }

  /** The q-quantile (nearest rank) as its bin's geometric middle; NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (const bin of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bin) as number;
      if (seen >= rank) return bin === 0 ? LatencyHistogram.BASE : LatencyHistogram.BASE * LatencyHistogram.RATIO ** (bin - 0.5);
    }
    return Number.NaN;
  }

  /** Mean of the values added. */
  mean(): number {
    return this.n === 0 ? Number.NaN : this.sum / this.n;
  }
}

/** One bucket's running tallies. */
class Tally {
  volume = 0;
  referred = 0;
  reviewed = 0;
  readonly latency = new LatencyHistogram();
  readonly confusion = new ConfusionMatrixAccumulator(2);
  readonly scores = new BinaryScoreAccumulator();
  readonly segmentation = new SegmentationIouAccumulator(2);
  readonly pixels = new BinnedBinaryScoreAccumulator({ bins: 256, min: 0, max: 256 });
  pixelImages = 0;
  segmentationImages = 0;
  /** Anomaly maps (0..255) and reviewed masks for PRO, up to {@link PRO_IMAGES}. */
  readonly proMaps: PixelMap[] = [];
  readonly proMasks: PixelMap[] = [];
  proOverflow = false;
  /** Reviewed boxes and predicted finding boxes, COCO style. */
  readonly gts: CocoGroundTruth[] = [];
  readonly dets: CocoDetection[] = [];
  boxImages = 0;
}

/** Category ids of box labels, shared by every bucket of a report. */
class Categories {
  private readonly ids = new Map<string, number>();
  of(label: string): number {
    let id = this.ids.get(label);
    if (id === undefined) this.ids.set(label, (id = this.ids.size + 1));
    return id;
  }
}

/** [x0, y0, x1, y1) as COCO [x, y, width, height]. */
function cocoBox(b: readonly [number, number, number, number]): [number, number, number, number] {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}

/** Week key: the Monday (UTC) of the week of `iso`. */
export function weekOf(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Blob reads the service needs. */
export interface MetricsBlobs {
  get(sha256: string): Promise<Uint8Array>;
}

/** See the module comment. */
export class MetricsService {
  constructor(
    private readonly repo: MetricsRepository,
    private readonly blobs: MetricsBlobs,
  ) {}

  /**
   * The metrics of the caller's inspections matching `q`.
   * @throws 400 XQC_INVALID_RANGE when from > to; 404 for an unknown model or version.
   */
  async report(principal: Principal, q: MetricsQuery): Promise<MetricsReport> {
    const norm = (s: string | undefined, name: string): string | undefined => {
      if (s === undefined) return undefined;
      const t = Date.parse(s);
      if (Number.isNaN(t)) throw badRequest('XQC_INVALID_ARGUMENT', `${name}: not a date-time`);
      return new Date(t).toISOString();
    };
    const from = norm(q.from, 'from');
    const to = norm(q.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw badRequest('XQC_INVALID_RANGE', `from (${from}) is after to (${to})`);
    if (q.version !== undefined && q.model === undefined) throw badRequest('XQC_INVALID_ARGUMENT', 'version: give the model too');
    if (q.model !== undefined && !(await this.repo.modelExists(q.model))) throw notFound(`model ${q.model}`);
    if (q.model !== undefined && q.version !== undefined && !(await this.repo.versionExists(q.model, q.version))) throw notFound(`version ${q.version} of model ${q.model}`);
    const costs = { escapeCost: q.escapeCost ?? 1, falseRejectCost: q.falseRejectCost ?? 1 };
    const filter: MetricsFilter = { accountId: principal.accountId, from, to, model: q.model, version: q.version };

    const overall = new Tally();
    const categories = new Categories();
    const groups = new Map<string, Tally>();
    const keyOf = (r: MetricsRow): string | undefined =>
      q.groupBy === 'day' ? r.created_at.slice(0, 10) : q.groupBy === 'week' ? weekOf(r.created_at) : q.groupBy === 'version' ? `${r.model_name}@${r.model_version}` : undefined;
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const rows = await this.repo.page(filter, PAGE, after);
      for (const r of rows) {
        const key = keyOf(r);
        const tallies = [overall];
        if (key !== undefined) {
          let g = groups.get(key);
          if (!g) groups.set(key, (g = new Tally()));
          tallies.push(g);
        }
        const pixels = r.review_verdict !== null && r.review_mask_sha256 !== null ? await this.pixelsOf(r) : undefined;
        const boxes = r.review_verdict !== null && r.review_boxes_json !== null ? { truth: JSON.parse(r.review_boxes_json) as { label: string; box: [number, number, number, number] }[], predicted: await this.repo.findingBoxes(r.id) } : undefined;
        for (const t of tallies) this.add(t, r, pixels, boxes, categories);
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = { createdAt: last.created_at, id: last.id };
    }
    const keys = [...groups.keys()].sort();
    return {
      range: { from: from ?? null, to: to ?? null },
      filters: { model: q.model ?? null, version: q.version ?? null },
      groupBy: q.groupBy ?? null,
      costs,
      positiveClass: 'reject',
      overall: this.figures('all', overall, costs),
      groups: keys.map((k) => this.figures(k, groups.get(k) as Tally, costs)),
    };
  }

  private add(
    t: Tally,
    r: MetricsRow,
    pixels: { truth: Uint8Array; predicted?: Uint8Array; map?: Float32Array } | undefined,
    boxes: { truth: { label: string; box: [number, number, number, number] }[]; predicted: { label: string; score: number; box: [number, number, number, number] }[] } | undefined,
    categories: Categories,
  ): void {
    t.volume++;
    if (r.referred === 1) t.referred++;
    t.latency.add(r.latency_ms);
    if (r.review_verdict === null) return;
    t.reviewed++;
    const truth = r.review_verdict === 'reject' ? 1 : 0;
    t.confusion.add([truth], [r.verdict === 'reject' ? 1 : 0]);
    t.scores.add([truth], [r.defect_score]);
    if (pixels?.predicted) {
      t.segmentation.add(pixels.truth, pixels.predicted);
      t.segmentationImages++;
    }
    if (pixels?.map) {
      t.pixels.add(pixels.truth, pixels.map);
      t.pixelImages++;
      if (t.proMaps.length < PRO_IMAGES) {
        t.proMaps.push({ width: r.image_width, height: r.image_height, data: pixels.map });
        t.proMasks.push({ width: r.image_width, height: r.image_height, data: pixels.truth });
      } else t.proOverflow = true;
    }
    if (boxes) {
      const imageId = ++t.boxImages;
      for (const g of boxes.truth) t.gts.push({ imageId, categoryId: categories.of(g.label), bbox: cocoBox(g.box) });
      for (const d of boxes.predicted) t.dets.push({ imageId, categoryId: categories.of(d.label), bbox: cocoBox(d.box), score: d.score });
    }
  }

  /** The reviewed mask (0/1), the union of the predicted finding masks, and the anomaly map (0..255), at the image's size. */
  private async pixelsOf(r: MetricsRow): Promise<{ truth: Uint8Array; predicted?: Uint8Array; map?: Float32Array }> {
    const w = r.image_width;
    const h = r.image_height;
    const gray = async (sha: string): Promise<Uint8Array> => {
      let img = await decodeImage(await this.blobs.get(sha));
      if (img.width !== w || img.height !== h) img = resizeBilinear(img, w, h);
      const out = new Uint8Array(w * h);
      for (let i = 0; i < out.length; i++) out[i] = img.data[i * img.channels];
      return out;
    };
    const truth = (await gray(r.review_mask_sha256 as string)).map((v) => (v ? 1 : 0));
    const out: { truth: Uint8Array; predicted?: Uint8Array; map?: Float32Array } = { truth };
    if (r.task === 'segment' || r.task === 'detect' || r.task === 'anomaly') {
      const predicted = new Uint8Array(w * h);
      for (const sha of await this.repo.findingMasks(r.id)) {
        const m = await gray(sha);
        for (let i = 0; i < predicted.length; i++) if (m[i]) predicted[i] = 1;
      }
      out.predicted = predicted;
    }
    if (r.anomaly_map_sha256 !== null) out.map = Float32Array.from(await gray(r.anomaly_map_sha256));
    return out;
  }

  private figures(key: string, t: Tally, costs: { escapeCost: number; falseRejectCost: number }): MetricsBucket {
    const bucket: MetricsBucket = {
      key,
      volume: t.volume,
      referred: t.referred,
      referralRate: t.volume === 0 ? null : t.referred / t.volume,
      reviewed: t.reviewed,
      reviewCoverage: t.volume === 0 ? null : t.reviewed / t.volume,
      latencyMs: t.latency.count === 0 ? null : { p50: t.latency.quantile(0.5), p90: t.latency.quantile(0.9), p99: t.latency.quantile(0.99), mean: t.latency.mean() },
      classification: null,
      ranking: null,
      segmentation: null,
      anomalyMaps: null,
      detection: null,
    };
    if (t.reviewed === 0) return bucket;
    const cm = t.confusion.matrix();
    const c = binaryCounts(cm, 1);
    const s = averageScores(cm, 'binary', { positiveClass: 1 });
    bucket.classification = {
      tp: c.tp,
      fp: c.fp,
      tn: c.tn,
      fn: c.fn,
      accuracy: (c.tp + c.tn) / t.reviewed,
      precision: s.precision,
      recall: s.recall,
      f1: s.fscore,
      escapeRate: escapeRate(c),
      falseRejectRate: falseRejectRate(c),
      costWeightedError: binaryCostWeightedError(c, costs),
    };
    const positives = c.tp + c.fn;
    if (positives > 0 && positives < t.reviewed) bucket.ranking = { auroc: t.scores.auroc(), auprc: t.scores.auprc(), averagePrecision: t.scores.averagePrecision() };
    const seg = t.segmentationImages > 0 ? t.segmentation.summary() : undefined;
    if (seg) bucket.segmentation = { images: seg.images, iou: finite(seg.iou[1]), dice: finite(seg.dice[1]), meanIou: finite(seg.meanIou), meanImageIou: finite(seg.meanImageIou) };
    if (t.pixelImages > 0) {
      let auroc: { estimate: number; lower: number; upper: number } | null = null;
      try {
        auroc = t.pixels.auroc();
      } catch {
        auroc = null; // every reviewed pixel of one class: AUROC is undefined
      }
      let pro: number | null = null;
      if (!t.proOverflow) {
        try {
          pro = auPro(t.proMaps, t.proMasks);
        } catch {
          pro = null; // no defect region among the reviewed masks
        }
      }
      bucket.anomalyMaps = { images: t.pixelImages, pixelAuroc: auroc, pro: Number.isFinite(pro) ? pro : null, proImages: t.proOverflow ? null : t.proMaps.length };
    }
    if (t.boxImages > 0 && t.gts.length > 0) {
      const stats = evaluateCoco(t.gts, t.dets, { imageIds: Array.from({ length: t.boxImages }, (_, i) => i + 1) }).stats;
      const v = (x: number): number | null => (x < 0 ? null : x);
      bucket.detection = { images: t.boxImages, boxes: t.gts.length, detections: t.dets.length, map: v(stats.ap), map50: v(stats.ap50), map75: v(stats.ap75) };
    }
    return bucket;
  }
}
